package dev.trackrecord.ledger.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConsensusIntervalTest {
    @Test
    void interval_narrowsWithMoreItems() {
        double[] lo = new double[2];
        double[] hi = new double[2];
        Consensus.interval(0.9, 10, 0.95, lo, hi, 0);
        Consensus.interval(0.9, 1000, 0.95, lo, hi, 1);
        assertThat(lo[0]).isLessThan(0.9);
        assertThat(hi[0]).isGreaterThan(0.9);
        assertThat(hi[1] - lo[1]).isLessThan((hi[0] - lo[0]) / 5);
        assertThat(lo[1]).isCloseTo(0.88, within(0.01));
    }
}
