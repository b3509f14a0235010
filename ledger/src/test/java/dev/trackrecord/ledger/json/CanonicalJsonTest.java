package dev.trackrecord.ledger.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    /** RFC 8785 reference data without floating-point numbers must canonicalize byte for byte. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"arrays", "french", "unicode", "weird"})
    void canonicalize_rfc8785Vector_matchesReferenceOutput(String name) throws Exception {
        byte[] input = resource("input/" + name + ".json");
        byte[] expected = resource("output/" + name + ".json");
        byte[] expectedFromHex = HexFormat.of().parseHex(
                new String(resource("outhex/" + name + ".txt"), StandardCharsets.US_ASCII).replaceAll("\\s+", ""));

        byte[] actual = CanonicalJson.canonicalize(input);

        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8).strip());
        assertThat(actual).isEqualTo(expectedFromHex);
    }

    @Test
    void canonicalize_structuresWithIntegerInsteadOfFloat_matchesReferenceOutput() throws Exception {
        String input = new String(resource("input/structures.json"), StandardCharsets.UTF_8).replace("56.0", "56");

        byte[] actual = CanonicalJson.canonicalize(input.getBytes(StandardCharsets.UTF_8));

        assertThat(actual).isEqualTo(HexFormat.of().parseHex(
                new String(resource("outhex/structures.txt"), StandardCharsets.US_ASCII).replaceAll("\\s+", "")));
    }

    @Test
    void canonicalize_structuresVectorWithFloat_isRefusedNamingThePath() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(resource("input/structures.json")))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("$['1']['\n']")
                .hasMessageContaining("floating-point numbers are not allowed");
    }

    @Test
    void canonicalize_valuesVectorWithFloats_isRefusedAtFirstNumber() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(resource("input/values.json")))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("$.numbers[0]");
    }

    @Test
    void canonicalize_valuesVectorStringsAndLiterals_matchReference() throws Exception {
        // The string and literal members of values.json, with its numbers left out.
        String input = "{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
                + " \"literals\": [null, true, false]}";

        String actual = new String(CanonicalJson.canonicalize(input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

        assertThat(actual).isEqualTo("{\"literals\":[null,true,false],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void canonicalize_keysOrderedByUtf16CodeUnitsNotCodePoints() throws Exception {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 by UTF-16 code unit, after it by code point.
        String input = "{\"\\ufb33\":1,\"\\ud83d\\ude00\":2}";

        String actual = new String(CanonicalJson.canonicalize(input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

        assertThat(actual).isEqualTo("{\"\uD83D\uDE00\":2,\"\uFB33\":1}");
    }

    @Test
    void canonicalize_exponentFormInteger_isRefusedAsFloat() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"a\":1e3}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.a: floating-point");
    }

    @Test
    void canonicalize_integerBeyondSafeRange_isRefused() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"a\":9007199254740992}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.a: integer out of range");
        assertThatThrownBy(() -> CanonicalJson.canonicalize("[123456789012345678901234567890]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$[0]: integer out of range");
    }

    @Test
    void canonicalize_largestSafeIntegersAndNegatives_areKept() throws Exception {
        String input = "[9007199254740991,-9007199254740991,0,-0,-1]";

        String actual = new String(CanonicalJson.canonicalize(input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

        assertThat(actual).isEqualTo("[9007199254740991,-9007199254740991,0,0,-1]");
    }

    @Test
    void parse_duplicateKey_isRefused() {
        assertThatThrownBy(() -> CanonicalJson.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void parse_unpairedSurrogateEscape_isRefused() {
        assertThatThrownBy(() -> CanonicalJson.parse("{\"a\":\"x\\ud800\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.a: string holds an unpaired UTF-16 surrogate at index 1");
    }

    @Test
    void parse_invalidUtf8_isRefused() {
        byte[] input = {'"', (byte) 0xC3, (byte) 0x28, '"'};

        assertThatThrownBy(() -> CanonicalJson.parse(input))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("must be UTF-8 JSON text");
    }

    @Test
    void parse_trailingGarbage_isRefused() {
        assertThatThrownBy(() -> CanonicalJson.parse("{} {}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void parse_nestingDeeperThanLimit_isRefused() {
        String deep = "[".repeat(40) + "]".repeat(40);

        assertThatThrownBy(() -> CanonicalJson.parse(deep.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("malformed JSON")
                .hasMessageContaining("nesting depth");
    }

    @Test
    void parse_emptyInput_isRefused() {
        assertThatThrownBy(() -> CanonicalJson.parse(new byte[0])).hasMessageContaining("$: empty document");
    }

    @Test
    void writer_escapesControlCharactersInLowercaseHex() {
        String actual = new String(new CanonicalWriter().string("\u0001\u001f\t\u007f\u2028").toByteArray(), StandardCharsets.UTF_8);

        assertThat(actual).isEqualTo("\"\\u0001\\u001f\\t\u007f\u2028\"");
    }

    @Test
    void parse_utf16OrUtf32Text_isRefused() {
        String json = "{\"a\":\"b\"}";
        for (var charset : java.util.List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                java.nio.charset.Charset.forName("UTF-32BE"))) {
            assertThatThrownBy(() -> CanonicalJson.parse(json.getBytes(charset)))
                    .as(charset.name()).hasMessageContaining("must be UTF-8");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c0af", "eda080", "ff", "80", "e282", "f4908080", "f888808080", "c328"})
    void parse_illFormedUtf8InAString_isRefused(String hex) {
        byte[] bad = HexFormat.of().parseHex(hex);
        byte[] json = new byte[bad.length + 8];
        System.arraycopy("{\"a\":\"".getBytes(StandardCharsets.US_ASCII), 0, json, 0, 6);
        System.arraycopy(bad, 0, json, 6, bad.length);
        json[json.length - 2] = '"';
        json[json.length - 1] = '}';
        assertThatThrownBy(() -> CanonicalJson.parse(json)).hasMessageContaining("ill-formed UTF-8");
    }

    @Test
    void invalidUtf8At_acceptsWellFormedTextOfEveryLength() {
        String text = "a\u00e9\u0800\uffff\ud83d\udca9\udbff\udfff";
        assertThat(CanonicalJson.invalidUtf8At(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(CanonicalJson.invalidUtf8At(new byte[] {'a', (byte) 0xc3})).isEqualTo(1);
    }

    @Test
    void invalidUtf8At_randomBytes_agreesWithByteAtATimeReference() {
        java.util.Random random = new java.util.Random(8785);
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int j = 0; j < bytes.length; j++) {
                // Mostly ASCII, as request bodies are, so that the eight-byte steps are taken.
                bytes[j] = (byte) (random.nextInt(6) == 0 ? 0x80 + random.nextInt(0x80) : random.nextInt(0x80));
            }
            assertThat(CanonicalJson.invalidUtf8At(bytes)).as(HexFormat.of().formatHex(bytes))
                    .isEqualTo(invalidUtf8AtReference(bytes));
        }
    }

    @Test
    void check_valueAtFaultDeepInside_isNamedByItsPath() {
        com.fasterxml.jackson.databind.node.ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        node.putObject("a").putArray("b").add(1).addObject().put("k\ud800".translateEscapes(), 2);

        assertThatThrownBy(() -> CanonicalJson.check(node, "$.body"))
                .isInstanceOfSatisfying(InvalidJsonException.class, e -> {
                    assertThat(e.path()).isEqualTo("$.body.a.b[1]['k\ud800']".translateEscapes());
                    assertThat(e.rule()).isEqualTo("key holds an unpaired UTF-16 surrogate at index 1");
                });
    }

    @Test
    void writerString_randomStrings_matchRfc8785Reference() {
        java.util.Random random = new java.util.Random(3222);
        String alphabet = "aZ09 ~-_\"\\/\b\f\n\r\t\u0000\u001f\u007f\u0080\u00e9\u07ff\u0800\u65e5\uffff";
        CanonicalWriter out = new CanonicalWriter(16);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(random.nextInt(8) == 0 ? 200 : 12); k > 0; k--) {
                if (random.nextInt(12) == 0) {
                    s.append("\ud83d\ude00");
                } else {
                    s.append(alphabet.charAt(random.nextInt(random.nextInt(3) == 0 ? alphabet.length() : 8)));
                }
            }
            StringBuilder expected = new StringBuilder("\"");
            s.chars().forEach(c -> expected.append(switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c);
            }));
            out.reset();
            out.raw((byte) '[').string(s.toString());

            assertThat(java.util.Arrays.copyOfRange(out.buffer(), 1, out.size()))
                    .isEqualTo(expected.append('"').toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** RFC 3629 section 4, one byte at a time: the form invalidUtf8At had before it skipped ASCII in words. */
    private static int invalidUtf8AtReference(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                need = 1;
            } else if (b >= 0xe0 && b <= 0xef) {
                need = 2;
                lo = b == 0xe0 ? 0xa0 : 0x80;
                hi = b == 0xed ? 0x9f : 0xbf;
            } else if (b >= 0xf0 && b <= 0xf4) {
                need = 3;
                lo = b == 0xf0 ? 0x90 : 0x80;
                hi = b == 0xf4 ? 0x8f : 0xbf;
            } else {
                return i;
            }
            if (i + need >= bytes.length || (bytes[i + 1] & 0xff) < lo || (bytes[i + 1] & 0xff) > hi) {
                return i;
            }
            for (int k = 2; k <= need; k++) {
                if ((bytes[i + k] & 0xc0) != 0x80) {
                    return i;
                }
            }
            i += need + 1;
        }
        return -1;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("/vectors/jcs/" + name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return in.readAllBytes();
        }
    }
}
