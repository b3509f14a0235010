package dev.trackrecord.ledger.consensus;

import java.util.Map;
import java.util.Objects;

/**
 * How to estimate.
 *
 * @param method         the estimator
 * @param maxIterations  EM stops after this many iterations even if not converged
 * @param tolerance      EM stops when the log-likelihood changes by less than
 *                       {@code tolerance * |log-likelihood|} in one iteration
 * @param smoothing      Dirichlet pseudo-count added to every cell of every confusion row and
 *                       to every class prior
 * @param credibleMass   the mass of the central credible interval reported per contractor
 * @param priors         history priors by contractor id; contractors without one get none
 */
public record ConsensusOptions(Method method, int maxIterations, double tolerance, double smoothing,
                               double credibleMass, Map<String, Prior> priors) {

    public static final int DEFAULT_MAX_ITERATIONS = 100;
    public static final double DEFAULT_TOLERANCE = 1e-7;
    public static final double DEFAULT_SMOOTHING = 0.01;
    public static final double DEFAULT_CREDIBLE_MASS = 0.95;

    public ConsensusOptions {
        Objects.requireNonNull(method, "method");
        if (maxIterations < 1) {
            throw new IllegalArgumentException("max iterations must be at least 1, got " + maxIterations);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
        }
        if (!(smoothing > 0) || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be positive and finite, got " + smoothing);
        }
        if (!(credibleMass > 0 && credibleMass < 1)) {
            throw new IllegalArgumentException("credible mass must be between 0 and 1, got " + credibleMass);
        }
        priors = Map.copyOf(priors);
    }

    /** The defaults for this method, without history priors. */
    public static ConsensusOptions defaults(Method method) {
        return new ConsensusOptions(method, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, DEFAULT_SMOOTHING,
                DEFAULT_CREDIBLE_MASS, Map.of());
    }

    /** Dawid-Skene with the defaults. */
    public static ConsensusOptions dawidSkene() {
        return defaults(Method.DAWID_SKENE);
    }

    public ConsensusOptions withMethod(Method method) {
        return new ConsensusOptions(method, maxIterations, tolerance, smoothing, credibleMass, priors);
    }

    public ConsensusOptions withPriors(Map<String, Prior> priors) {
        return new ConsensusOptions(method, maxIterations, tolerance, smoothing, credibleMass, priors);
    }

    public ConsensusOptions withMaxIterations(int maxIterations) {
        return new ConsensusOptions(method, maxIterations, tolerance, smoothing, credibleMass, priors);
    }

    public ConsensusOptions withSmoothing(double smoothing) {
        return new ConsensusOptions(method, maxIterations, tolerance, smoothing, credibleMass, priors);
    }
}
