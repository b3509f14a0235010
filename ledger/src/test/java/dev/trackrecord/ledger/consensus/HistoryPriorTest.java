package dev.trackrecord.ledger.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackrecord.ledger.entry.AuditResult;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HistoryPriorTest {
    private static AuditResult audit(AuditResult.Method method, long scoreBp, String skill, OptionalLong items) {
        return new AuditResult(Instant.parse("2026-01-01T00:00:00Z"), "a", "t", method, "qa",
                AuditResult.Verdict.PASS, scoreBp, List.of(skill), List.of(), "0".repeat(64), items);
    }

    @Test
    void of_goldAndConsensus_weightedByItemsAndMethod() {
        Prior p = HistoryPrior.of(List.of(
                audit(AuditResult.Method.GOLD, 9000, "ner", OptionalLong.of(20)),
                audit(AuditResult.Method.CONSENSUS, 5000, "ner", OptionalLong.of(10))), "ner").orElseThrow();
        assertThat(p.alphaCorrect()).isCloseTo(0.3 * 20 * 0.9 + 0.15 * 10 * 0.5, within(1e-12));
        assertThat(p.alphaWrong()).isCloseTo(0.3 * 20 * 0.1 + 0.15 * 10 * 0.5, within(1e-12));
    }

    @Test
    void of_otherSkillsReviewsAndModels_countNothing() {
        assertThat(HistoryPrior.of(List.of(
                audit(AuditResult.Method.GOLD, 9000, "pos", OptionalLong.of(20)),
                audit(AuditResult.Method.REVIEW, 9000, "ner", OptionalLong.of(20)),
                audit(AuditResult.Method.MODEL, 9000, "ner", OptionalLong.empty())), "ner")).isEmpty();
    }

    @Test
    void of_itemsAbsent_countsOne() {
        Prior p = HistoryPrior.of(List.of(audit(AuditResult.Method.GOLD, 10000, "ner", OptionalLong.empty())), "ner")
                .orElseThrow();
        assertThat(p.weight()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void of_longHistory_isCappedKeepingItsShare() {
        Prior p = HistoryPrior.of(List.of(audit(AuditResult.Method.GOLD, 8000, "ner", OptionalLong.of(100_000))), "ner")
                .orElseThrow();
        assertThat(p.weight()).isCloseTo(HistoryPrior.MAX_LABELS, within(1e-9));
        assertThat(p.alphaCorrect() / p.weight()).isCloseTo(0.8, within(1e-12));
    }
}
