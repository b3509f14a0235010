package dev.trackrecord.ledger.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    /** The marketplace docs/reputation.md reports on ({@code ./trackrecord evaluate} with its defaults). */
    static final Marketplace.Options REPORTED =
            new Marketplace.Options(3000, 100_000, 42, Instant.parse("2026-11-28T00:00:00Z"));

    /** About 35 s on two cores, so it runs in the slow step. */
    @Test
    @Tag("slow")
    void lowerBoundRanking_beatsApprovalRateAndWilson_atTenAndFifty() throws Exception {
        List<Evaluation.Row> rows = Evaluation.run(Marketplace.generate(REPORTED));
        assertThat(rows).hasSize(12);
        assertThat(Evaluation.oursBeatsBoth(rows)).as(Evaluation.table(rows)).isTrue();
    }

    @Test
    void wilsonLower_matchesClosedForm() {
        // 9 of 10 at z = 1.645: (0.9 + z²/20 - z·sqrt(0.009 + z²/400)) / (1 + z²/10).
        assertThat(Evaluation.wilsonLower(new long[]{9, 10})).isCloseTo(0.6523, within(1e-4));
        assertThat(Evaluation.wilsonLower(new long[]{1, 1})).isCloseTo(0.2699, within(1e-4));
        assertThat(Evaluation.wilsonLower(new long[]{0, 5})).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void evaluate_smallMarket_givesEveryCaseAndFiguresInRange() throws Exception {
        List<Evaluation.Row> rows = Evaluation.run(Marketplace.generate(
                new Marketplace.Options(300, 4000, 7, Instant.parse("2026-11-28T00:00:00Z"))));
        assertThat(rows).hasSize(12);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.precision()).isBetween(0.0, 1.0);
            assertThat(r.ndcg()).isBetween(0.0, 1.0);
            assertThat(r.skills()).isEqualTo(Marketplace.SKILLS.size());
        });
    }
}
