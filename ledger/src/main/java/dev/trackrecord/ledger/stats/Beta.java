package dev.trackrecord.ledger.stats;

/**
 * The Beta distribution's regularized incomplete beta function and its inverse, in plain double
 * arithmetic: enough for the uncertainty band of a score.
 *
 * <p>{@link #regularizedIncompleteBeta} uses the continued fraction of Numerical Recipes (3rd ed.,
 * §6.4) evaluated with the modified Lentz method, switching to the symmetry
 * {@code I_x(a,b) = 1 - I_{1-x}(b,a)} where the fraction converges slowly. {@link #quantile}
 * starts from the NR §6.14 initial guess and refines it with Halley steps on {@code I_x(a,b) - p},
 * then falls back to bisection if the steps did not reach the tolerance, so it always returns a
 * point whose CDF is within 1e-10 of {@code p}, or the double nearest the quantile where
 * doubles cannot resolve it (mass packed within 1e-16 of 0 or 1). Ranking evaluates a quantile
 * per re-ranked contractor and skill, so it evaluates ln x and ln(1 - x) once per step and skips
 * re-checking a point the last step has certainly left within the tolerance.
 */
public final class Beta {
    private static final double EPS = 1e-15;
    private static final double FPMIN = Double.MIN_NORMAL / EPS;
    private static final double[] LANCZOS = {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};

    private Beta() {
    }

    /** ln Γ(x) for x > 0, Lanczos approximation (g = 7, n = 9), relative error about 1e-15. */
    public static double logGamma(double x) {
        if (x < 0.5) {
            // Reflection: Γ(x) Γ(1-x) = π / sin(πx)
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double sum = LANCZOS[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            sum += LANCZOS[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** I_x(a, b), the Beta(a, b) CDF at x. Requires a > 0, b > 0. */
    public static double regularizedIncompleteBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        return regularizedIncompleteBeta(x, a, b, logGamma(a + b) - logGamma(a) - logGamma(b));
    }

    /**
     * I_x(a, b) with {@code logNorm} = ln Γ(a+b) - ln Γ(a) - ln Γ(b) computed by the caller, once
     * for every x it tries: the same double as {@link #regularizedIncompleteBeta(double, double, double)}.
     */
    private static double regularizedIncompleteBeta(double x, double a, double b, double logNorm) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        return regularizedIncompleteBeta(x, a, b, logNorm, Math.log(x), Math.log1p(-x));
    }

    /** I_x(a, b) for 0 < x < 1, with ln x and ln(1 - x) computed by the caller, which needs them too. */
    private static double regularizedIncompleteBeta(double x, double a, double b, double logNorm,
                                                    double logX, double log1mX) {
        double front = Math.exp(logNorm + a * logX + b * log1mX);
        if (x < (a + 1) / (a + b + 2)) {
            return front * continuedFraction(x, a, b) / a;
        }
        return 1 - front * continuedFraction(1 - x, b, a) / b;
    }

    // NR §6.4 betacf, modified Lentz.
    private static double continuedFraction(double x, double a, double b) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < FPMIN) {
            d = FPMIN;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < FPMIN) {
                d = FPMIN;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < FPMIN) {
                c = FPMIN;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < FPMIN) {
                d = FPMIN;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < FPMIN) {
                c = FPMIN;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) {
                break;
            }
        }
        return h;
    }

    /** The p-quantile of Beta(a, b): the x with I_x(a, b) = p. Requires 0 <= p <= 1, a > 0, b > 0. */
    public static double quantile(double p, double a, double b) {
        if (!(a > 0) || !(b > 0)) {
            throw new IllegalArgumentException("Beta parameters must be positive, were " + a + ", " + b);
        }
        if (p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return 1;
        }
        double x = initialGuess(p, a, b);
        double a1 = a - 1;
        double b1 = b - 1;
        double logNorm = logGamma(a + b) - logGamma(a) - logGamma(b);
        for (int j = 0; j < 20; j++) {
            if (x <= 0 || x >= 1) {
                break;
            }
            double logX = Math.log(x);
            double log1mX = Math.log1p(-x);
            double err = regularizedIncompleteBeta(x, a, b, logNorm, logX, log1mX) - p;
            double density = Math.exp(a1 * logX + b1 * log1mX + logNorm);
            double u = err / density;
            double step = u / (1 - 0.5 * Math.min(1, u * (a1 / x - b1 / (1 - x))));
            x -= step;
            if (x <= 0) {
                x = 0.5 * (x + step);
            }
            if (x >= 1) {
                x = 0.5 * (x + step + 1);
            }
            if (Math.abs(step) < 1e-13 * Math.min(x, 1 - x) && j > 0) {
                if (certainlyWithinTolerance(err, density, step, a, b)) {
                    return x;
                }
                break;
            }
        }
        if (x > 0 && x < 1 && Math.abs(regularizedIncompleteBeta(x, a, b, logNorm) - p) < 1e-10) {
            return x;
        }
        return bisect(p, a, b);
    }

    /**
     * Whether the CDF at the point a last step of {@code step} reached is within 1e-10 of p for
     * certain, when the CDF was {@code err} from p before the step and the density {@code density}
     * there. The CDF moves by at most the step times the largest density across it, and over a
     * step of 1e-13 of the point that is within a factor of 2 of the density at its start; so
     * |err| and |step| × density both under 2.5e-11 keep the true CDF within 7.5e-11 of p. The
     * check it replaces compares the computed CDF, though, whose rounding grows with a + b (the
     * exponent sums terms as large as (a + b) ln 2, each rounded to a relative 1e-16): between two
     * points 1e-13 apart it reached 9e-11 at a + b = 1e6 and 9e-10 at 1e7, more than the 2.5e-11
     * left, so from about 1.5e6 on the point returned unchecked missed p and was not the double
     * the check found. Below 1e5 it stayed under 1e-11, and checking again, a whole evaluation,
     * would return the same point.
     */
    private static boolean certainlyWithinTolerance(double err, double density, double step, double a, double b) {
        return a + b < 1e5 && Math.abs(err) < 2.5e-11 && Math.abs(step) * density < 2.5e-11;
    }

    // NR §6.14 invbetai starting point.
    private static double initialGuess(double p, double a, double b) {
        if (a >= 1 && b >= 1) {
            double pp = p < 0.5 ? p : 1 - p;
            double t = Math.sqrt(-2 * Math.log(pp));
            double x = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
            if (p < 0.5) {
                x = -x;
            }
            double al = (x * x - 3) / 6;
            double h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
            double w = (x * Math.sqrt(al + h) / h) - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5.0 / 6 - 2 / (3 * h));
            return a / (a + b * Math.exp(2 * w));
        }
        double lna = Math.log(a / (a + b));
        double lnb = Math.log(b / (a + b));
        double t = Math.exp(a * lna) / a;
        double u = Math.exp(b * lnb) / b;
        double w = t + u;
        return p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b);
    }

    private static double bisect(double p, double a, double b) {
        double logNorm = logGamma(a + b) - logGamma(a) - logGamma(b);
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 2_000; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (regularizedIncompleteBeta(mid, a, b, logNorm) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}
