package dev.trackrecord.ledger.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BetaTest {

    @Test
    void logGamma_knownValues() {
        assertThat(Beta.logGamma(1)).isCloseTo(0, within(1e-14));
        assertThat(Beta.logGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-14));
        assertThat(Beta.logGamma(10)).isCloseTo(Math.log(362_880), within(1e-12));
        assertThat(Beta.logGamma(0.1)).isCloseTo(2.252712651734206, within(1e-13));
        // ln Γ(1e6) by Stirling with two correction terms
        double x = 1e6;
        double stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
        assertThat(Beta.logGamma(x)).isCloseTo(stirling, within(1e-6));
    }

    @Test
    void incompleteBeta_integerParameters_matchesTheBinomialTail() {
        // I_x(a, b) = P(Binomial(a + b - 1, x) >= a) for integer a, b
        int[][] params = {{1, 1}, {2, 3}, {5, 5}, {10, 2}, {30, 70}, {1, 40}};
        for (int[] ab : params) {
            for (double x : new double[]{0.01, 0.2, 0.5, 0.77, 0.99}) {
                int a = ab[0];
                int n = ab[0] + ab[1] - 1;
                double tail = 0;
                for (int k = a; k <= n; k++) {
                    tail += Math.exp(logChoose(n, k) + k * Math.log(x) + (n - k) * Math.log1p(-x));
                }
                assertThat(Beta.regularizedIncompleteBeta(x, ab[0], ab[1]))
                        .as("I_%s(%d, %d)", x, ab[0], ab[1]).isCloseTo(tail, within(1e-12));
            }
        }
    }

    @Test
    void quantile_closedForms() {
        for (double p : new double[]{1e-6, 0.025, 0.05, 0.3, 0.5, 0.95, 0.975, 1 - 1e-6}) {
            assertThat(Beta.quantile(p, 1, 1)).isCloseTo(p, within(1e-12));
            assertThat(Beta.quantile(p, 3, 1)).isCloseTo(Math.pow(p, 1.0 / 3), within(1e-10));
            assertThat(Beta.quantile(p, 1, 4)).isCloseTo(1 - Math.pow(1 - p, 0.25), within(1e-10));
            double arcsine = Math.pow(Math.sin(Math.PI * p / 2), 2);
            assertThat(Beta.quantile(p, 0.5, 0.5)).isCloseTo(arcsine, within(1e-10));
        }
    }

    @Test
    void quantile_betaTwoTwo_solvesTheCubic() {
        // Beta(2,2): CDF 3x^2 - 2x^3
        double q = Beta.quantile(0.1, 2, 2);
        assertThat(3 * q * q - 2 * q * q * q).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void quantile_roundTrips_overWideParameters() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            double a = Math.pow(10, random.nextDouble(-1, 5));
            double b = Math.pow(10, random.nextDouble(-1, 5));
            double p = random.nextDouble(1e-6, 1 - 1e-6);
            double x = Beta.quantile(p, a, b);
            assertThat(x).isBetween(0.0, 1.0);
            // Either the CDF matches, or the true quantile lies between x and a neighbouring double
            // (Beta(30000, 0.15) puts mass within 1e-16 of 1, where doubles cannot resolve it).
            double cdfError = Math.abs(Beta.regularizedIncompleteBeta(x, a, b) - p);
            boolean bracketed = Beta.regularizedIncompleteBeta(Math.nextDown(Math.nextDown(x)), a, b) <= p + 1e-9
                    && Beta.regularizedIncompleteBeta(Math.nextUp(Math.nextUp(x)), a, b) >= p - 1e-9;
            assertThat(cdfError <= 1e-9 || bracketed)
                    .as("a=%s b=%s p=%s x=%s error=%s", a, b, p, x, cdfError).isTrue();
        }
    }

    /**
     * Scores already served carry these lower and upper bounds: a rescore of an old export must
     * print the same digits, so a faster quantile must land on the same doubles, not merely within
     * the tolerance. Bits as computed when the quantile was first made faster (2026-11-29).
     */
    @Test
    void quantile_landsOnTheSameDoublesAsScoresAlreadyServed() {
        double[][] cases = {
                {0.05, 2.5, 1.5, Double.longBitsToDouble(0x3fce25fabe8b9e5fL)},
                {0.05, 30.2, 7.9, Double.longBitsToDouble(0x3fe5afb6d6d741ceL)},
                {0.95, 30.2, 7.9, Double.longBitsToDouble(0x3fec7a7d8e9b8154L)},
                {0.05, 412.7, 88.3, Double.longBitsToDouble(0x3fe97120c8b26516L)},
                {0.025, 0.7, 0.4, Double.longBitsToDouble(0x3f8ea1373f7a4798L)},
                {0.5, 3.0, 3.0, Double.longBitsToDouble(0x3fdffffffffffffcL)},
                {0.05, 12000.5, 310.25, Double.longBitsToDouble(0x3fef1e29946419a8L)},
                {0.999, 1.2, 80.0, Double.longBitsToDouble(0x3fb6a4e64e331c77L)},
        };
        for (double[] c : cases) {
            assertThat(Beta.quantile(c[0], c[1], c[2])).as("quantile(%s, %s, %s)", c[0], c[1], c[2]).isEqualTo(c[3]);
        }
    }

    /**
     * A band of a score with millions of effective observations (a + b about 1.2e7): the quantile
     * must be the double it was before ln x was computed once per step (b27c4ba), whose CDF is
     * within the documented 1e-10 of p. Skipping the final check of the CDF is only sound while the
     * CDF's rounding error is far below the slack it leaves; at this size the computed CDF moves by
     * more than that between two points 1e-13 apart, and the point returned unchecked missed p.
     */
    @Test
    void quantile_ofAHeavilyObservedScore_isTheDoubleItWasBefore_withinTheTolerance() {
        double[][] cases = {
                {0.95, 8104961.571069837, 4319066.699685816, Double.longBitsToDouble(0x3fe4e1f7e5a1f594L)},
                {0.05, 7321204.321679418, 4185519.468575346, Double.longBitsToDouble(0x3fe45a4912afb868L)},
        };
        for (double[] c : cases) {
            double q = Beta.quantile(c[0], c[1], c[2]);
            assertThat(Math.abs(Beta.regularizedIncompleteBeta(q, c[1], c[2]) - c[0]))
                    .as("|CDF - p| at quantile(%s, %s, %s) = %s", c[0], c[1], c[2], q).isLessThan(1e-10);
            assertThat(q).as("quantile(%s, %s, %s)", c[0], c[1], c[2]).isEqualTo(c[3]);
        }
    }

    @Test
    void quantile_isMonotoneInP() {
        double last = 0;
        for (int i = 1; i < 1000; i++) {
            double q = Beta.quantile(i / 1000.0, 7.3, 2.1);
            assertThat(q).isGreaterThan(last);
            last = q;
        }
    }

    private static double logChoose(int n, int k) {
        return Beta.logGamma(n + 1.0) - Beta.logGamma(k + 1.0) - Beta.logGamma(n - k + 1.0);
    }
}
