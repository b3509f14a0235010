package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SubmissionValidatorTest {
    private static final Instant NOW = Instant.parse("2026-11-28T21:30:00Z");
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(Clock.fixed(NOW, ZoneOffset.UTC));
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] PREV = new byte[32];

    private static ObjectNode example(String name) throws Exception {
        return (ObjectNode) CanonicalJson.parse(Examples.read("valid/" + name + ".json"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> rejectedPaths(ThrowingCall call) {
        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, call::run);
        assertThat(e).as("rejected").isNotNull();
        return e.violations().stream().map(Violation::path).toList();
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void validate_auditResult_buildsTypedBodyAndCanonicalBytes() throws Exception {
        ObjectNode json = example("audit.result-consensus-with-items");

        Submission s = VALIDATOR.validate(json);

        assertThat(s.kind()).isEqualTo(EntryKind.AUDIT_RESULT);
        assertThat(s.contractor()).isEqualTo("c-7f3a9e");
        assertThat(s.eventId()).isEqualTo("consensus/run-42/c-7f3a9e");
        assertThat(s.body()).isEqualTo(new AuditResult(Instant.parse("2026-03-16T00:00:00Z"), "consensus-run-42",
                "batch-2026-03-15", AuditResult.Method.CONSENSUS, "dawid-skene:v1", AuditResult.Verdict.PARTIAL, 8125,
                List.of("sentiment"), List.of("label-confusion", "skipped-item"),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OptionalLong.of(240)));
        assertThat(new String(s.bodyBytes(), StandardCharsets.UTF_8)).startsWith("{\"audit_id\":\"consensus-run-42\",\"auditor\":");
        assertThat(s.bodyBytes()).isEqualTo(CanonicalJson.canonicalize(json.get("body")));
    }

    @Test
    void validate_taskOutcomeWithoutDueAt_hasEmptyDueAt() throws Exception {
        TaskOutcome body = (TaskOutcome) VALIDATOR.validate(example("task.outcome")).body();

        assertThat(body.dueAt()).isEmpty();
        assertThat(body.skills()).containsExactly("ner", "medical");
        assertThat(body.outcome()).isEqualTo(TaskOutcome.Outcome.ACCEPTED);
        assertThat(body.valueMinor()).isEqualTo(350);
    }

    @Test
    void validate_policyPublished_readsParamsInNameOrder() throws Exception {
        PolicyPublished body = (PolicyPublished) VALIDATOR.validate(example("policy.published")).body();

        assertThat(body.params().keySet())
                .containsExactly("half_life_days", "prior_alpha_bp", "prior_beta_bp", "value_weight_cap_minor");
        assertThat(body.param("half_life_days")).hasValue(90);
        assertThat(body.param("absent")).isEmpty();
    }

    @Test
    void validate_bodyWithThreeErrors_reportsAllThree() throws Exception {
        ObjectNode json = example("task.outcome");
        ObjectNode body = (ObjectNode) json.get("body");
        body.put("duration_s", -1);
        body.put("currency", "dollars");
        body.remove("project_id");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.validate(json));

        assertThat(e.violations()).extracting(Violation::path)
                .containsExactlyInAnyOrder("$.body.duration_s", "$.body.currency", "$.body.project_id");
        assertThat(e.getMessage()).startsWith("rejected, 3 violations:").contains("$.body.project_id: required");
    }

    @Test
    void validate_errorsInEnvelopeAndBody_reportsEvery() throws Exception {
        ObjectNode json = example("payout");
        json.put("contractor", "Jane Doe");
        json.put("source", "me");
        ((ObjectNode) json.get("body")).put("currency", "usd");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json)))
                .containsExactlyInAnyOrder("$.contractor", "$.source", "$.body.currency");
    }

    @Test
    void validate_severalRulesAtOnePath_reportsOneViolationNamingEachRule() throws Exception {
        ObjectNode json = example("payout");
        json.put("event_id", "");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.validate(json));

        assertThat(e.violations()).hasSize(1);
        assertThat(e.violations().getFirst().rule()).contains("at least 1 characters").contains("; ");
    }

    @Test
    void parse_float_isRefusedWithPath() {
        byte[] json = utf8(new String(Examples.read("valid/audit.result.json"), StandardCharsets.UTF_8)
                .replace("\"score_bp\": 9650", "\"score_bp\": 9650.0"));

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.parse(json));

        assertThat(e.violations()).containsExactly(new Violation("$.body.score_bp",
                "floating-point numbers are not allowed; use integers (minor units, basis points, seconds)"));
    }

    @Test
    void parse_floatsAndSchemaErrors_areReportedTogether() {
        byte[] json = utf8(new String(Examples.read("valid/task.outcome.json"), StandardCharsets.UTF_8)
                .replace("\"duration_s\": 742", "\"duration_s\": 7.42e2")
                .replace("\"value_minor\": 350", "\"value_minor\": 3.5")
                .replace("\"outcome\": \"accepted\"", "\"outcome\": \"ok\""));

        assertThat(rejectedPaths(() -> VALIDATOR.parse(json)))
                .containsExactlyInAnyOrder("$.body.duration_s", "$.body.value_minor", "$.body.outcome");
    }

    @Test
    void validate_jacksonTreeWithIntegralFloat_isRefused() throws Exception {
        ObjectNode json = example("audit.result");
        ((ObjectNode) json.get("body")).put("score_bp", 9650.0);

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json))).containsExactly("$.body.score_bp");
    }

    @Test
    void parse_malformedJson_isRefusedAtRoot() {
        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class,
                () -> VALIDATOR.parse(utf8("{\"kind\":\"payout\",")));

        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$");
            assertThat(v.rule()).startsWith("malformed JSON");
        });
    }

    @Test
    void parse_invalidUtf8_isRefused() {
        byte[] json = utf8("{\"kind\":\"payout\",\"contractor\":\"c-1X\",\"event_id\":\"e\",\"body\":{}}");
        json[30] = (byte) 0xC3; // a lead byte followed by '"', not a continuation byte

        assertThat(rejectedPaths(() -> VALIDATOR.parse(json))).containsExactly("$");
    }

    @Test
    void parse_duplicateKey_isRefused() {
        byte[] json = utf8("{\"kind\":\"payout\",\"kind\":\"payout\",\"contractor\":\"c\",\"event_id\":\"e\",\"body\":{}}");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.parse(json));

        assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.rule()).contains("Duplicate field 'kind'"));
    }

    @Test
    void validate_unpairedSurrogateInFreeText_isRefusedWithPath() throws Exception {
        ObjectNode json = example("dispute.opened");
        ((ObjectNode) json.get("body")).put("reason", "bad \uD800 text");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json))).containsExactly("$.body.reason");
    }

    @Test
    void validate_occurredAtWithinClockSkew_isAccepted() throws Exception {
        ObjectNode json = example("task.outcome");
        ((ObjectNode) json.get("body")).put("occurred_at", NOW.plus(Duration.ofMinutes(5)).toString());

        assertThat(VALIDATOR.validate(json).body().occurredAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void validate_occurredAtBeyondClockSkew_isRefused() throws Exception {
        ObjectNode json = example("task.outcome");
        ((ObjectNode) json.get("body")).put("occurred_at", "2026-11-28T21:35:00.001Z");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.validate(json));

        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.occurred_at");
            assertThat(v.rule()).contains("future");
        });
    }

    @Test
    void validate_futureValidUntilAndDueAt_areAccepted() throws Exception {
        ObjectNode credential = example("credential.issued");
        ((ObjectNode) credential.get("body")).put("valid_until", "2030-01-01T00:00:00Z");
        ObjectNode task = example("task.outcome-late-with-due_at");
        ((ObjectNode) task.get("body")).put("due_at", "2027-01-01T00:00:00Z");

        VALIDATOR.validate(credential);
        VALIDATOR.validate(task);
    }

    @Test
    void validate_systemContractorForTaskOutcome_isRefused() throws Exception {
        ObjectNode json = example("task.outcome");
        json.put("contractor", "_system");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.validate(json));

        assertThat(e.violations()).containsExactly(
                new Violation("$.contractor", "_system is only for policy.published entries"));
    }

    @Test
    void validate_schemaErrorsAndRuleBreaches_areReportedTogether() throws Exception {
        ObjectNode json = example("task.outcome");
        json.put("contractor", "_system");
        ObjectNode body = (ObjectNode) json.get("body");
        body.put("currency", "usd");
        body.put("occurred_at", "2027-01-01T00:00:00Z");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json)))
                .containsExactlyInAnyOrder("$.contractor", "$.body.currency", "$.body.occurred_at");
    }

    @Test
    void validate_tooLargeBodyWithSchemaError_reportsBoth() throws Exception {
        byte[] large = Examples.read("invalid/payout-body-too-large.json");
        ObjectNode json = (ObjectNode) CanonicalJson.parse(large);
        ((ObjectNode) json.get("body")).put("status", "lost");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json))).containsExactlyInAnyOrder("$.body", "$.body.status");
    }

    @Test
    void validate_policyPublishedForContractor_isRefused() throws Exception {
        ObjectNode json = example("policy.published");
        json.put("contractor", "c-1");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json))).containsExactly("$.contractor");
    }

    @Test
    void validate_bodyOfExactly16KiB_isAcceptedAndOneByteMoreRefused() throws Exception {
        ObjectNode json = example("payout");
        ObjectNode body = (ObjectNode) json.get("body");
        body.putArray("task_ids");
        int remaining = SubmissionValidator.MAX_BODY_BYTES - CanonicalJson.canonicalize(body).length;
        // n ids of total length t take t + 3n - 1 bytes: quotes around each, commas between.
        int n = (remaining + 130) / 131;
        int total = remaining - 3 * n + 1;
        ArrayNode ids = body.putArray("task_ids");
        for (int i = 0; i < n; i++) {
            String prefix = "t" + i + "-";
            int length = total / n + (i < total % n ? 1 : 0);
            ids.add(prefix + "x".repeat(length - prefix.length()));
        }
        assertThat(CanonicalJson.canonicalize(body)).hasSize(SubmissionValidator.MAX_BODY_BYTES);

        assertThat(VALIDATOR.validate(json).bodyBytes()).hasSize(SubmissionValidator.MAX_BODY_BYTES);

        String last = ids.get(n - 1).textValue();
        assertThat(last.length()).isLessThan(128);
        ids.set(n - 1, last + "x");
        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.validate(json));
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body");
            assertThat(v.rule()).contains("16385 bytes");
        });
    }

    @Test
    void validate_validUntilNotAfterValidFrom_isRefused() throws Exception {
        ObjectNode json = example("credential.issued");
        ((ObjectNode) json.get("body")).put("valid_until", "2026-01-10T00:00:00Z");

        assertThat(rejectedPaths(() -> VALIDATOR.validate(json))).containsExactly("$.body.valid_until");
    }

    @Test
    void validateRequest_single_returnsOne() throws Exception {
        assertThat(VALIDATOR.validateRequest(example("payout"))).hasSize(1);
    }

    @Test
    void validateRequest_batchOf1000_isAcceptedInOrder() throws Exception {
        ObjectNode request = batch(1000);

        List<Submission> submissions = VALIDATOR.validateRequest(request);

        assertThat(submissions).hasSize(1000);
        assertThat(submissions.get(999).eventId()).isEqualTo("e-999");
    }

    @Test
    void validateRequest_batchOf1001_isRefusedAtEntries() throws Exception {
        assertThat(rejectedPaths(() -> VALIDATOR.validateRequest(batch(1001)))).containsExactly("$.entries");
    }

    @Test
    void validateRequest_schemaAndRuleErrorsInDifferentEntries_reportsBoth() throws Exception {
        ObjectNode request = batch(3);
        ((ObjectNode) request.get("entries").get(0).get("body")).put("amount_minor", -1);
        ((ObjectNode) request.get("entries").get(2).get("body")).put("occurred_at", "2030-01-01T00:00:00Z");

        assertThat(rejectedPaths(() -> VALIDATOR.validateRequest(request)))
                .containsExactly("$.entries[0].body.amount_minor", "$.entries[2].body.occurred_at");
    }

    @Test
    void validateRequest_extraMemberBesideEntries_isRefused() throws Exception {
        ObjectNode request = batch(1);
        request.put("atomic", true);

        assertThat(rejectedPaths(() -> VALIDATOR.validateRequest(request))).containsExactly("$.atomic");
    }

    @Test
    void submission_bodyBytes_areCopiedInAndOut() throws Exception {
        Submission s = VALIDATOR.validate(example("payout"));
        byte[] bytes = s.bodyBytes();
        bytes[0] = 'X';

        assertThat(s.bodyBytes()[0]).isEqualTo((byte) '{');
        assertThat(s).isEqualTo(VALIDATOR.validate(example("payout")));
        assertThat(s.hashCode()).isEqualTo(VALIDATOR.validate(example("payout")).hashCode());
    }

    @Test
    void submission_toEntry_carriesKindContractorEventIdAndBody() throws Exception {
        Submission submission = VALIDATOR.parse(Examples.read("valid/payout.json"));

        Entry entry = submission.toEntry(7, Instant.parse("2026-11-28T21:30:00.001Z"), "billing", PREV, 3);

        assertThat(entry.kind()).isEqualTo(EntryKind.PAYOUT);
        assertThat(entry.contractor()).isEqualTo(submission.contractor());
        assertThat(entry.eventId()).isEqualTo(submission.eventId());
        assertThat(entry.bodyBytes()).isEqualTo(submission.bodyBytes());
        assertThat(entry.decodeBody()).isEqualTo(submission.body());
        assertThat(Entry.parse(entry.canonicalBytes())).isEqualTo(entry);
    }

    @Test
    void validate_fromManyThreads_givesSameResults() throws Exception {
        ObjectNode good = example("audit.result");
        ObjectNode bad = example("audit.result");
        ((ObjectNode) bad.get("body")).put("score_bp", 20000);
        Submission expected = VALIDATOR.validate(good);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        if (!VALIDATOR.validate(good).equals(expected)) {
                            return false;
                        }
                        try {
                            VALIDATOR.validate(bad);
                            return false;
                        } catch (EntryRejectedException e) {
                            if (!e.violations().getFirst().path().equals("$.body.score_bp")) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void entryRejectedException_withoutViolations_isRefused() {
        assertThatThrownBy(() -> new EntryRejectedException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void personal_refusedByDefault_acceptedWhenTheCallerSeals() throws Exception {
        byte[] json = Examples.read("valid/contractor.profile.json");

        EntryRejectedException e = catchThrowableOfType(EntryRejectedException.class, () -> VALIDATOR.parse(json));
        Submission s = new SubmissionValidator(SchemaExamplesTest.CLOCK, true).parse(json);

        assertThat(e.violations()).extracting(Violation::path).containsExactly("$.personal");
        assertThat(s.personal()).containsEntry("legal_name", "Ada Example");
        assertThat(new String(s.bodyBytes(), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("Ada");
        assertThat(s.toString()).doesNotContain("Ada").contains("legal_name");
    }

    /** Prints a rough single-thread figure; asserts nothing about speed. */
    @Test
    void throughput_singleThread_isPrinted() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        for (String name : Examples.list("valid")) {
            byte[] input = Examples.read("valid/" + name);
            // Personal data is refused by this (default) validator; those examples are for the service's.
            if (!name.startsWith("append-request") && !new String(input, java.nio.charset.StandardCharsets.UTF_8)
                    .contains("\"personal\"")) {
                inputs.add(input);
            }
        }
        List<JsonNode> trees = new ArrayList<>();
        for (byte[] input : inputs) {
            trees.add(CanonicalJson.parse(input));
        }
        measure(() -> VALIDATOR.parse(inputs.get(counter++ % inputs.size()))); // warm-up
        long parsed = measure(() -> VALIDATOR.parse(inputs.get(counter++ % inputs.size())));
        long validated = measure(() -> VALIDATOR.validate(trees.get(counter++ % trees.size())));
        System.out.printf("SubmissionValidator, one thread: %,d submissions/s from bytes (parse), %,d/s from trees (validate)%n",
                parsed, validated);
    }

    private int counter;

    private static long measure(ThrowingCall call) throws Exception {
        long n = 0;
        long start = System.nanoTime();
        long end = start + 1_000_000_000L;
        long now;
        do {
            for (int i = 0; i < 100; i++) {
                call.run();
            }
            n += 100;
            now = System.nanoTime();
        } while (now < end);
        return n * 1_000_000_000L / (now - start);
    }

    private static ObjectNode batch(int size) throws Exception {
        ObjectNode request = MAPPER.createObjectNode();
        ArrayNode entries = request.putArray("entries");
        for (int i = 0; i < size; i++) {
            ObjectNode entry = example("payout");
            entry.put("event_id", "e-" + i);
            entries.add(entry);
        }
        return request;
    }
}
