package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.reputation.Policy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link DisputeRules} against a log held in a list, with no ledger. */
class DisputeRulesTest {
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(
            Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));

    /** The log: entry n at index n. */
    private final List<Submission> log = new ArrayList<>();
    private final DisputeRules.History history = new DisputeRules.History() {
        @Override
        public DisputeRules.Logged entry(long seq) {
            Submission s = log.get((int) seq);
            return new DisputeRules.Logged(s.kind(), s.contractor(), s.body());
        }

        @Override
        public OptionalLong resolutionOf(long disputeSeq, String contractor) {
            for (int seq = 0; seq < log.size(); seq++) {
                if (log.get(seq).body() instanceof DisputeResolved r && r.disputeSeq() == disputeSeq
                        && log.get(seq).contractor().equals(contractor)) {
                    return OptionalLong.of(seq);
                }
            }
            return OptionalLong.empty();
        }
    };

    @BeforeEach
    void logWithAPolicyAndTwoContractors() {
        log.add(parse(Policy.defaultPolicyEntry()));                                          // 0
        log.add(audit("c-1", "a-1"));                                                         // 1
        log.add(audit("c-2", "a-2"));                                                         // 2
        log.add(opened("c-1", "d-1", 1));                                                     // 3
    }

    private List<Violation> check(Submission s) {
        return DisputeRules.check(s, log.size(), history, "$");
    }

    @Test
    void opened_ownEarlierEntry_passes() {
        assertThat(check(opened("c-1", "d-2", 1))).isEmpty();
    }

    @Test
    void opened_entryNotInTheLogYet_isRefusedAtTargetSeq() {
        assertThat(check(opened("c-1", "d-2", 4))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.target_seq");
            assertThat(v.rule()).contains("entry 4").contains("does not hold yet").contains("this entry would be 4");
        });
        assertThat(check(opened("c-1", "d-2", 99))).extracting(Violation::path).containsExactly("$.body.target_seq");
    }

    @Test
    void opened_anotherContractorsEntry_isRefused() {
        assertThat(check(opened("c-1", "d-2", 2))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.target_seq");
            assertThat(v.rule()).contains("entry 2 (audit.result) is about contractor c-2")
                    .contains("its own contractor's");
        });
    }

    @Test
    void opened_aPolicyEntry_isRefused() {
        assertThat(check(opened("c-1", "d-2", 0))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.target_seq");
            assertThat(v.rule()).contains("(policy.published) is about contractor _system");
        });
    }

    @Test
    void opened_aDisputeEntry_isRefused() {
        log.add(resolved("c-1", "r-1", 3, 1, "rejected")); // 4
        assertThat(check(opened("c-1", "d-2", 3))).singleElement().satisfies(v ->
                assertThat(v.rule()).contains("entry 3 (dispute.opened) is itself a dispute; dispute the entry"));
        assertThat(check(opened("c-1", "d-2", 4))).singleElement().satisfies(v ->
                assertThat(v.rule()).contains("entry 4 (dispute.resolved) is itself a dispute"));
    }

    @Test
    void resolved_openDispute_passes() {
        assertThat(check(resolved("c-1", "r-1", 3, 1, "upheld"))).isEmpty();
    }

    @Test
    void resolved_disputeNotInTheLogYet_isRefusedAtDisputeSeq() {
        assertThat(check(resolved("c-1", "r-1", 7, 1, "upheld"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.dispute_seq");
            assertThat(v.rule()).contains("entry 7").contains("does not hold yet");
        });
    }

    @Test
    void resolved_entryOfAnotherKind_isRefused() {
        assertThat(check(resolved("c-1", "r-1", 2, 1, "upheld"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.dispute_seq");
            assertThat(v.rule()).isEqualTo("entry 2 (audit.result) is not a dispute.opened");
        });
    }

    @Test
    void resolved_anotherResolution_isRefused() {
        log.add(resolved("c-1", "r-1", 3, 1, "upheld")); // 4
        assertThat(check(resolved("c-1", "r-2", 4, 1, "rejected"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.dispute_seq");
            assertThat(v.rule()).isEqualTo("entry 4 (dispute.resolved) is not a dispute.opened");
        });
    }

    @Test
    void resolved_anotherContractorsDispute_isRefused() {
        assertThat(check(resolved("c-2", "r-1", 3, 1, "upheld"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.dispute_seq");
            assertThat(v.rule()).contains("dispute of contractor c-1").contains("not c-2");
        });
    }

    @Test
    void resolved_targetOtherThanTheDisputes_isRefusedAtTargetSeq() {
        assertThat(check(resolved("c-1", "r-1", 3, 2, "upheld"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.target_seq");
            assertThat(v.rule()).isEqualTo("must be 1, the target_seq of the dispute at 3");
        });
    }

    @Test
    void resolved_disputeResolvedAlready_isRefusedNamingTheResolution() {
        log.add(resolved("c-1", "r-1", 3, 1, "upheld")); // 4
        assertThat(check(resolved("c-1", "r-2", 3, 1, "rejected"))).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$.body.dispute_seq");
            assertThat(v.rule()).contains("resolved already, by entry 4").contains("open a new dispute of entry 1");
        });
    }

    @Test
    void newDisputeOfAnEntryResolvedBefore_canBeOpenedAndResolved() {
        log.add(resolved("c-1", "r-1", 3, 1, "upheld")); // 4
        Submission again = opened("c-1", "d-2", 1);
        assertThat(check(again)).isEmpty();
        log.add(again); // 5
        assertThat(check(resolved("c-1", "r-2", 5, 1, "rejected"))).isEmpty();
    }

    @Test
    void otherKinds_areNotChecked() {
        assertThat(check(audit("c-9", "a-9"))).isEmpty();
    }

    @Test
    void path_inABatch_namesTheEntry() {
        assertThat(DisputeRules.check(opened("c-1", "d-2", 2), log.size(), history, "$.entries[3]"))
                .extracting(Violation::path).containsExactly("$.entries[3].body.target_seq");
    }

    static Submission audit(String contractor, String eventId) {
        return parse("""
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-11-01T10:00:00Z","audit_id":"x-%s","task_id":"t-%s","method":"gold",
                "auditor":"qa","verdict":"pass","score_bp":9000,"error_tags":[],
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"""
                .formatted(contractor, eventId, eventId, eventId));
    }

    static Submission opened(String contractor, String eventId, long target) {
        return parse("""
                {"kind":"dispute.opened","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-11-02T10:00:00Z","target_seq":%d,"reason_code":"wrong_audit","reason":"r"}}"""
                .formatted(contractor, eventId, target));
    }

    static Submission resolved(String contractor, String eventId, long dispute, long target, String resolution) {
        return parse("""
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-11-03T10:00:00Z","dispute_seq":%d,"target_seq":%d,"resolution":"%s",
                "reason_code":"checked"}}""".formatted(contractor, eventId, dispute, target, resolution));
    }

    private static Submission parse(String json) {
        try {
            return VALIDATOR.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (EntryRejectedException e) {
            throw new AssertionError("test submission is invalid: " + e.getMessage(), e);
        }
    }
}
