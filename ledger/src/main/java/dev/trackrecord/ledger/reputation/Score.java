package dev.trackrecord.ledger.reputation;

/**
 * A score with its uncertainty: the posterior mean, the band [lower, upper] holding the policy's
 * {@code band_bp} of the posterior mass, and the effective sample size (the decayed, value- and
 * method-weighted number of observations behind it). All in [0, 1] except {@code nEff} >= 0.
 */
public record Score(double score, double lower, double upper, double nEff) {
}
