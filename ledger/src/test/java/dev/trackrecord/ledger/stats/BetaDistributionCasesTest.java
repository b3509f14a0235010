package dev.trackrecord.ledger.stats;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BetaDistributionCasesTest {

    @Test
    void cdf_uniform_isIdentity() {
        assertThat(Beta.regularizedIncompleteBeta(0.3, 1, 1)).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void cdf_knownValues() {
        // Beta(2, 3): I_x = 1 - (1-x)^3 (1 + 3x)... computed as 6x^2 - 8x^3 + 3x^4.
        double x = 0.4;
        assertThat(Beta.regularizedIncompleteBeta(x, 2, 3)).isCloseTo(6 * x * x - 8 * x * x * x + 3 * x * x * x * x, within(1e-12));
        assertThat(Beta.regularizedIncompleteBeta(0.5, 50, 50)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void quantile_invertsCdf() {
        for (double[] ab : new double[][] {{1, 1}, {2, 5}, {91, 11}, {4001, 1001}}) {
            for (double p : new double[] {0.025, 0.5, 0.975}) {
                double q = Beta.quantile(p, ab[0], ab[1]);
                assertThat(Beta.regularizedIncompleteBeta(q, ab[0], ab[1])).isCloseTo(p, within(1e-9));
            }
        }
    }

    @Test
    void logGamma_factorials() {
        assertThat(Beta.logGamma(10)).isCloseTo(Math.log(362880), within(1e-10));
        assertThat(Beta.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
    }
}
