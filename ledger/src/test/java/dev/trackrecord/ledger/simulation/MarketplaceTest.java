package dev.trackrecord.ledger.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.AuditResult;
import dev.trackrecord.ledger.entry.DisputeOpened;
import dev.trackrecord.ledger.entry.DisputeResolved;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.reputation.Policy;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MarketplaceTest {
    private static final Marketplace.Options SMALL =
            new Marketplace.Options(200, 3000, 11, Instant.parse("2026-11-28T00:00:00Z"));

    private static MemoryLog fed(Marketplace m, int batch) throws Exception {
        MemoryLog log = new MemoryLog();
        m.feed(log, batch);
        return log;
    }

    @Test
    void generate_sameOptions_sameEntriesAndTruth() throws Exception {
        Marketplace a = Marketplace.generate(SMALL);
        Marketplace b = Marketplace.generate(SMALL);
        MemoryLog la = fed(a, 1000);
        MemoryLog lb = fed(b, 7);
        assertThat(la.size()).isEqualTo(lb.size());
        for (long seq = 0; seq < la.size(); seq++) {
            assertThat(la.entry(seq).canonicalBytes()).isEqualTo(lb.entry(seq).canonicalBytes());
        }
        assertThat(a.truth().toJson()).isEqualTo(b.truth().toJson());
        assertThat(Marketplace.generate(new Marketplace.Options(200, 3000, 12, SMALL.end())).truth().toJson())
                .isNotEqualTo(a.truth().toJson());
    }

    @Test
    void generate_makesAboutTheAskedEntries_policyFirst_everyKind() throws Exception {
        Marketplace m = Marketplace.generate(SMALL);
        MemoryLog log = fed(m, 500);
        assertThat(log.size()).isBetween(2700L, 3000L);
        assertThat(new String(log.entry(0).canonicalBytes())).contains(Policy.DEFAULT_ID);
        Set<EntryKind> kinds = EnumSet.noneOf(EntryKind.class);
        for (long seq = 0; seq < log.size(); seq++) {
            Entry e = log.entry(seq);
            kinds.add(e.kind());
            assertThat(e.decodeBody().occurredAt()).isBefore(SMALL.end());
        }
        // Every kind but the privacy ones: a profile needs a vault to seal it, and erasure and
        // shredding records are the service's own, not marketplace events.
        assertThat(kinds).isEqualTo(EnumSet.complementOf(EnumSet.of(EntryKind.CONTRACTOR_PROFILE,
                EntryKind.CONTRACTOR_ERASED, EntryKind.PERSONAL_SHREDDED)));
    }

    @Test
    void disputes_nameAnEarlierAuditOfTheSameContractor_andTheirOpening() throws Exception {
        MemoryLog log = fed(Marketplace.generate(SMALL), 100);
        int resolved = 0;
        for (long seq = 0; seq < log.size(); seq++) {
            Entry e = log.entry(seq);
            if (e.kind() == EntryKind.DISPUTE_OPENED) {
                Entry target = log.entry(((DisputeOpened) e.decodeBody()).targetSeq());
                assertThat(target.kind()).isEqualTo(EntryKind.AUDIT_RESULT);
                assertThat(target.contractor()).isEqualTo(e.contractor());
            } else if (e.kind() == EntryKind.DISPUTE_RESOLVED) {
                DisputeResolved d = (DisputeResolved) e.decodeBody();
                assertThat(log.entry(d.disputeSeq()).kind()).isEqualTo(EntryKind.DISPUTE_OPENED);
                assertThat(((DisputeOpened) log.entry(d.disputeSeq()).decodeBody()).targetSeq()).isEqualTo(d.targetSeq());
                assertThat(log.entry(d.targetSeq()).decodeBody()).isInstanceOf(AuditResult.class);
                assertThat(d.targetSeq()).isLessThan(seq);
                resolved++;
            }
        }
        assertThat(resolved).isPositive();
    }

    @Test
    void truth_countsWhatTheLogHolds_andHasEveryType() throws Exception {
        Marketplace m = Marketplace.generate(SMALL);
        MemoryLog log = fed(m, 1000);
        long tasks = 0;
        for (long seq = 0; seq < log.size(); seq++) {
            tasks += log.entry(seq).kind() == EntryKind.TASK_OUTCOME ? 1 : 0;
        }
        assertThat(m.truth().contractors().stream().flatMap(c -> c.skills().values().stream())
                .mapToLong(Truth.Skill::tasks).sum()).isEqualTo(tasks);
        assertThat(m.truth().contractors()).extracting(Truth.Contractor::type).contains(Truth.Type.values());
        assertThat(m.truth().contractors()).anyMatch(Truth.Contractor::suspended);
        assertThat(m.truth().toCsv().lines().count())
                .isEqualTo(1 + m.truth().contractors().stream().mapToLong(c -> c.skills().size()).sum());
    }
}
