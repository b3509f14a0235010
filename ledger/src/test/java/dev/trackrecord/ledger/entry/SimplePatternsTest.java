package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SimplePatterns} against its reference, networknt's {@link JDKRegularExpressionFactory}. */
class SimplePatternsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Every pattern in schemas/json, as the validator compiles them. */
    static List<String> schemaPatterns() throws Exception {
        TreeSet<String> patterns = new TreeSet<>();
        List<String> files = new ArrayList<>(List.of("defs.schema.json", "personal.schema.json", "submission.schema.json",
                "append-request.schema.json", "entry.schema.json"));
        for (EntryKind kind : EntryKind.values()) {
            files.add(Schemas.bodyFile(kind));
        }
        for (String file : files) {
            collect(MAPPER.readTree(SimplePatternsTest.class.getClassLoader()
                    .getResourceAsStream(Schemas.CLASSPATH_DIR + file)), patterns);
        }
        return List.copyOf(patterns);
    }

    private static void collect(JsonNode node, TreeSet<String> out) {
        node.properties().forEach(member -> {
            if (member.getKey().equals("pattern") && member.getValue().isTextual()) {
                out.add(member.getValue().textValue());
            } else if (!member.getKey().equals("errorMessage")) {
                collect(member.getValue(), out);
            }
        });
        if (node.isArray()) {
            node.forEach(child -> collect(child, out));
        }
    }

    @Test
    void schemaPatterns_theCommonOnesTakeTheSimpleMatcher() throws Exception {
        List<String> patterns = schemaPatterns();

        assertThat(patterns).contains("^[0-9a-f]{64}$", "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$");
        assertThat(patterns.stream().filter(p -> SimplePatterns.Sequence.parse(p) != null))
                .contains("^[0-9a-f]{64}$", "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$", "^[a-z0-9][a-z0-9_.-]{0,63}$",
                        "^[A-Z]{3}$");
    }

    @ParameterizedTest
    @MethodSource("schemaPatterns")
    void schemaPattern_randomStrings_matchAsTheJdkReferenceDoes(String pattern) {
        assertSameVerdicts(pattern, 20_000);
    }

    /** Shapes beyond the schemas', near the edges of what the simple matcher takes. */
    @ParameterizedTest
    @ValueSource(strings = {"^a?b*c+$", "^[a-c]{2,}[b-d]{0,3}x$", "^[-a]{1,2}[a-]$", "^[9-B]{3}$", "^\\.a\\-\\:/$",
        "^[a-z]{0,3}[a-z]$", "^$", "^[0-9]{4}-[0-9]{2}$", "^a{2}{3}$", "^a{,3}$", "^[^a]$", "^[a\\]]$", "^a$b$",
        "a{1,3}$", "^a{1,3}", "^[a-z]+?$", "^a|b$", "^(?:ab)+$", "^.$", "^\\d$", "^[a&&b]$", "^[[a]b]$", "^a\\$",
        "^[]$", "^[a-]$", "^[z-a]$", "^x{3,2}$", "^x{99999}$", "\\S", "^[a.]$", "^[.-a]$"})
    void otherPattern_randomStrings_matchAsTheJdkReferenceDoes(String pattern) {
        assertSameVerdicts(pattern, 5_000);
    }

    private static void assertSameVerdicts(String pattern, int strings) {
        RegularExpression reference;
        try {
            reference = JDKRegularExpressionFactory.getInstance().getRegularExpression(pattern);
        } catch (java.util.regex.PatternSyntaxException e) {
            // The schema would not load, just as with networknt's own factory.
            assertThatThrownBy(() -> SimplePatterns.INSTANCE.getRegularExpression(pattern))
                    .isInstanceOf(java.util.regex.PatternSyntaxException.class);
            return;
        }
        RegularExpression simple = SimplePatterns.INSTANCE.getRegularExpression(pattern);
        String alphabet = alphabet(pattern);
        // Lengths at the pattern's counts, where an off-by-one would show.
        List<Integer> edges = new ArrayList<>(List.of(0, 1, 2));
        java.util.regex.Matcher numbers = java.util.regex.Pattern.compile("[0-9]+").matcher(pattern);
        while (numbers.find() && numbers.group().length() < 4) {
            int n = Integer.parseInt(numbers.group());
            edges.addAll(List.of(n, n + 1, n + 2, n + 3));
        }
        Random random = new Random(pattern.hashCode());
        for (int i = 0; i < strings; i++) {
            StringBuilder s = new StringBuilder();
            int length = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(140);
                case 1 -> edges.get(random.nextInt(edges.size()));
                default -> random.nextInt(12);
            };
            if (random.nextInt(4) == 1) {
                // Only the pattern's own characters: long strings that match, or almost.
                String own = pattern.replaceAll("[^A-Za-z0-9._:/@-]", "") + "az09AZ";
                for (int k = 0; k < length; k++) {
                    s.append(own.charAt(random.nextInt(own.length())));
                }
                String value = s.toString();
                assertThat(simple.matches(value)).as("%s on \"%s\"", pattern, value).isEqualTo(reference.matches(value));
                continue;
            }
            for (int k = 0; k < length; k++) {
                s.append(random.nextInt(30) == 0 ? "\n\u00e9\ud83d\ude00\u0000 ".charAt(random.nextInt(5))
                        : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = s.toString();
            assertThat(simple.matches(value)).as("%s on \"%s\"", pattern, value).isEqualTo(reference.matches(value));
        }
    }

    /** The characters of the pattern and their neighbours, so that random strings often match. */
    private static String alphabet(String pattern) {
        StringBuilder chars = new StringBuilder("aZ09-._:/@$");
        for (char c : pattern.toCharArray()) {
            chars.append(c).append((char) (c + 1)).append((char) Math.max(32, c - 1));
        }
        for (char c = 'a'; c <= 'f'; c++) {
            chars.append(c).append(c).append((char) (c - 'a' + '0'));
        }
        return chars.toString();
    }
}
