package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example files under schemas/examples/, against the validator and the schemas. */
class SchemaExamplesTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T21:30:00Z"), ZoneOffset.UTC);
    // Accepting personal data, as the service's REST append does (the examples include some).
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(CLOCK, true);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Stream<String> validExamples() {
        return Examples.list("valid").stream();
    }

    static Stream<String> invalidExamples() {
        return Examples.list("invalid").stream().filter(name -> !name.equals("expected-paths.json"));
    }

    static Stream<String> entryExamples() {
        return Examples.list("entries").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validExamples")
    void validExample_isAccepted(String name) throws Exception {
        byte[] json = Examples.read("valid/" + name);

        List<Submission> submissions = VALIDATOR.parseRequest(json);

        assertThat(submissions).isNotEmpty();
        for (Submission submission : submissions) {
            assertThat(submission.body().kind()).isEqualTo(submission.kind());
            assertThat(submission.bodyBytes()).isEqualTo(CanonicalJson.canonicalize(
                    CanonicalJson.parse(json).has("entries") ? bodyOf(submission, json) : CanonicalJson.parse(json).get("body")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidExamples")
    void invalidExample_isRejectedAtExpectedPaths(String name) throws Exception {
        byte[] json = Examples.read("invalid/" + name);
        List<String> expected = expectedPaths().get(name);
        assertThat(expected).as("expected-paths.json entry for " + name).isNotNull();

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.parseRequest(json));

        assertThat(e).as(name + " must be rejected").isNotNull();
        assertThat(e.violations()).extracting(Violation::path).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void expectedPaths_namesOnlyExistingInvalidExamples() throws Exception {
        assertThat(expectedPaths().keySet()).containsExactlyInAnyOrderElementsOf(invalidExamples().toList());
    }

    @Test
    void validExamples_coverEveryKind() throws Exception {
        Set<EntryKind> kinds = EnumSet.noneOf(EntryKind.class);
        for (String name : validExamples().toList()) {
            for (Submission s : VALIDATOR.parseRequest(Examples.read("valid/" + name))) {
                kinds.add(s.kind());
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder(EntryKind.values());
    }

    @Test
    void invalidExamples_coverEveryKind() {
        Set<String> prefixes = new LinkedHashSet<>();
        invalidExamples().forEach(name -> prefixes.add(name.substring(0, name.indexOf('-'))));
        for (EntryKind kind : EntryKind.values()) {
            assertThat(prefixes).as("an invalid example for " + kind).contains(kind.wire());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entryExamples")
    void entryExample_matchesEntrySchemaAndParsesAsCanonical(String name) throws Exception {
        byte[] line = stripNewline(Examples.read("entries/" + name));
        Violations violations = new Violations();

        Schemas.validate(Schemas.get().entry, CanonicalJson.parse(line), "$", violations, Set.of());
        Entry entry = Entry.parse(line);

        assertThat(violations.list()).isEmpty();
        assertThat(entry.canonicalBytes()).isEqualTo(line);
    }

    @Test
    void entrySchema_rejectsEnvelopeWithBadFields_reportingEach() throws Exception {
        String line = new String(stripNewline(Examples.read("entries/audit.result.json")), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"v\":1", "\"v\":2")
                .replace(".123Z", "Z")
                .replace("\"cprev\":17", "\"cprev\":-2");
        Violations violations = new Violations();

        Schemas.validate(Schemas.get().entry, MAPPER.readTree(line), "$", violations, Set.of());

        assertThat(violations.list()).extracting(Violation::path).containsExactlyInAnyOrder("$.v", "$.ts", "$.cprev");
    }

    private static JsonNode bodyOf(Submission submission, byte[] request) throws Exception {
        for (JsonNode entry : CanonicalJson.parse(request).get("entries")) {
            if (entry.get("event_id").textValue().equals(submission.eventId())) {
                return entry.get("body");
            }
        }
        throw new AssertionError("no entry " + submission.eventId());
    }

    private static byte[] stripNewline(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
            n--;
        }
        return java.util.Arrays.copyOf(bytes, n);
    }

    private static Map<String, List<String>> expectedPaths() throws IOException {
        JsonNode node = MAPPER.readTree(Examples.read("invalid/expected-paths.json"));
        Map<String, List<String>> map = new java.util.TreeMap<>();
        node.fields().forEachRemaining(field -> {
            List<String> paths = new ArrayList<>();
            if (field.getValue().isArray()) {
                field.getValue().forEach(p -> paths.add(p.textValue()));
            } else {
                paths.add(field.getValue().textValue());
            }
            map.put(field.getKey(), paths);
        });
        return map;
    }
}
