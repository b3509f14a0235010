package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger's writer applies {@link dev.trackrecord.ledger.entry.DisputeRules} to every append. */
class LedgerDisputeTest {
    private static final String ORIGIN = "trackrecord.test/disputes";

    @TempDir
    Path dir;

    private Ledger open() {
        return Ledger.open(LedgerOptions.defaults(dir, ORIGIN).withClock(TestEntries.CLOCK));
    }

    private static long append(Ledger ledger, Submission... subs) {
        return ledger.append(List.of(subs), "s").join().getLast().seq();
    }

    /** The violations the ledger refused {@code subs} with, after checking it appended nothing. */
    private static List<Violation> refused(Ledger ledger, Submission... subs) {
        long size = ledger.size();
        Throwable t = catchThrowable(() -> ledger.append(List.of(subs), "s").join());
        assertThat(t).isInstanceOf(CompletionException.class).cause().isInstanceOf(DisputeConflictException.class);
        assertThat(ledger.size()).as("nothing appended").isEqualTo(size);
        return ((DisputeConflictException) t.getCause()).violations();
    }

    @Test
    void openAndResolve_inSeparateAppends_areAppended() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            long dispute = append(ledger, opened("d-1", "c-1", audit));
            long resolution = append(ledger, resolved("r-1", "c-1", dispute, audit, "upheld"));
            assertThat(resolution).isEqualTo(dispute + 1);
            assertThat(ledger.size()).isEqualTo(3);
        }
    }

    @Test
    void openAndResolve_inTheRequestOfTheirTarget_areAppended() {
        try (Ledger ledger = open()) {
            ledger.append(List.of(TestEntries.audit("a-0", "c-0", 9000)), "s").join();
            List<Appended> acks = ledger.append(List.of(TestEntries.audit("a-1", "c-1", 2000),
                    opened("d-1", "c-1", 1), resolved("r-1", "c-1", 2, 1, "rejected")), "s").join();
            assertThat(acks).extracting(Appended::seq).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void disputeOfAnEntryNotInTheLogYet_isRefused() {
        try (Ledger ledger = open()) {
            append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            assertThat(refused(ledger, opened("d-1", "c-1", 1))).singleElement().satisfies(v -> {
                assertThat(v.path()).isEqualTo("$.body.target_seq");
                assertThat(v.rule()).contains("names entry 1, which the log does not hold yet");
            });
        }
    }

    @Test
    void disputeOfAnotherContractorsEntry_isRefused() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-2", 2000));
            assertThat(refused(ledger, opened("d-1", "c-1", audit))).singleElement().satisfies(v -> {
                assertThat(v.path()).isEqualTo("$.body.target_seq");
                assertThat(v.rule()).contains("about contractor c-2");
            });
        }
    }

    @Test
    void resolutionOfAnEntryOfAnotherKind_isRefused() {
        try (Ledger ledger = open()) {
            append(ledger, TestEntries.audit("a-1", "c-1", 2000), TestEntries.audit("a-2", "c-1", 2000));
            assertThat(refused(ledger, resolved("r-1", "c-1", 1, 0, "upheld"))).singleElement().satisfies(v -> {
                assertThat(v.path()).isEqualTo("$.body.dispute_seq");
                assertThat(v.rule()).isEqualTo("entry 1 (audit.result) is not a dispute.opened");
            });
        }
    }

    @Test
    void resolutionOfADisputeNotInTheLogYet_isRefused() {
        try (Ledger ledger = open()) {
            append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            assertThat(refused(ledger, resolved("r-1", "c-1", 5, 0, "upheld")))
                    .extracting(Violation::path).containsExactly("$.body.dispute_seq");
        }
    }

    @Test
    void resolutionOfAnotherResolution_isRefused() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            long dispute = append(ledger, opened("d-1", "c-1", audit));
            long resolution = append(ledger, resolved("r-1", "c-1", dispute, audit, "upheld"));
            assertThat(refused(ledger, resolved("r-2", "c-1", resolution, audit, "rejected"))).singleElement()
                    .satisfies(v -> assertThat(v.rule()).contains("(dispute.resolved) is not a dispute.opened"));
        }
    }

    @Test
    void resolutionWithAnotherTargetThanItsDispute_isRefusedAtTargetSeq() {
        try (Ledger ledger = open()) {
            append(ledger, TestEntries.audit("a-1", "c-1", 2000), TestEntries.audit("a-2", "c-1", 2000));
            long dispute = append(ledger, opened("d-1", "c-1", 1));
            assertThat(refused(ledger, resolved("r-1", "c-1", dispute, 0, "upheld"))).singleElement().satisfies(v -> {
                assertThat(v.path()).isEqualTo("$.body.target_seq");
                assertThat(v.rule()).isEqualTo("must be 1, the target_seq of the dispute at 2");
            });
        }
    }

    @Test
    void secondResolutionOfADispute_isRefused_alsoAfterReopening() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            long dispute = append(ledger, opened("d-1", "c-1", audit));
            append(ledger, resolved("r-1", "c-1", dispute, audit, "upheld"),
                    TestEntries.audit("a-2", "c-1", 9000), TestEntries.audit("a-3", "c-2", 9000));
            assertThat(refused(ledger, resolved("r-2", "c-1", dispute, audit, "rejected"))).singleElement()
                    .satisfies(v -> assertThat(v.rule()).contains("resolved already, by entry 2"));
        }
        // Read back from storage: the resolution is found among the contractor's stored entries.
        try (Ledger ledger = open()) {
            assertThat(refused(ledger, resolved("r-2", "c-1", 1, 0, "rejected"))).singleElement()
                    .satisfies(v -> assertThat(v.rule()).contains("resolved already, by entry 2"));
            // The same resolution resent is an idempotent resend, not a second resolution.
            Appended again = ledger.append(List.of(resolved("r-1", "c-1", 1, 0, "upheld")), "s").join().getFirst();
            assertThat(again.duplicate()).isTrue();
            assertThat(again.seq()).isEqualTo(2);
        }
    }

    @Test
    void twoResolutionsOfOneDispute_inOneRequest_refuseTheRequestNamingTheSecond() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            long dispute = append(ledger, opened("d-1", "c-1", audit));
            List<Violation> violations = refused(ledger, TestEntries.audit("a-2", "c-1", 9000),
                    resolved("r-1", "c-1", dispute, audit, "upheld"),
                    resolved("r-2", "c-1", dispute, audit, "rejected"));
            assertThat(violations).extracting(Violation::path).containsExactly("$.entries[2].body.dispute_seq");
        }
    }

    @Test
    void twoResolutionsOfOneDispute_inRequestsSequencedTogether_appendOnlyTheFirst() {
        try (Ledger ledger = open()) {
            long audit = append(ledger, TestEntries.audit("a-1", "c-1", 2000));
            // Not waited for in between: the writer usually takes all three in one batch.
            CompletableFuture<List<Appended>> open = ledger.append(List.of(opened("d-1", "c-1", audit)), "s");
            CompletableFuture<List<Appended>> first =
                    ledger.append(List.of(resolved("r-1", "c-1", 1, 0, "upheld")), "s");
            CompletableFuture<List<Appended>> second =
                    ledger.append(List.of(resolved("r-2", "c-1", 1, 0, "rejected")), "s");
            assertThat(open.join().getFirst().seq()).isEqualTo(1);
            assertThat(first.join().getFirst().seq()).isEqualTo(2);
            assertThat(catchThrowable(second::join)).cause().isInstanceOf(DisputeConflictException.class)
                    .hasMessageContaining("resolved already, by entry 2");
            assertThat(ledger.size()).isEqualTo(3);
        }
    }

    @Test
    void withoutDisputeChecks_aRestoreReproducesWhatAnEarlierLedgerAccepted() {
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, ORIGIN).withClock(TestEntries.CLOCK)
                .withDisputeChecks(false))) {
            append(ledger, TestEntries.audit("a-1", "c-1", 2000), TestEntries.audit("a-2", "c-1", 2000));
            assertThat(append(ledger, resolved("r-1", "c-1", 1, 0, "upheld"))).isEqualTo(2);
        }
    }

    static Submission opened(String eventId, String contractor, long target) {
        return TestEntries.parse("""
                {"kind":"dispute.opened","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-11-02T10:00:00Z","target_seq":%d,"reason_code":"wrong_audit","reason":"r"}}"""
                .formatted(contractor, eventId, target));
    }

    static Submission resolved(String eventId, String contractor, long dispute, long target, String resolution) {
        return TestEntries.parse("""
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-11-03T10:00:00Z","dispute_seq":%d,"target_seq":%d,"resolution":"%s",
                "reason_code":"checked"}}""".formatted(contractor, eventId, dispute, target, resolution));
    }
}
