package dev.trackrecord.ledger.consensus;

/**
 * The estimated accuracy of one contractor in this batch.
 *
 * @param accuracy the probability that the contractor's label is right on a random item:
 *                 the diagonal of their confusion matrix weighted by the class priors
 * @param lower    lower end of the central credible interval (see {@code docs/consensus.md})
 * @param upper    upper end of that interval
 * @param items    how many items the contractor labelled in the batch
 */
public record ContractorEstimate(String contractor, double accuracy, double lower, double upper, int items) {

    /** The accuracy in basis points, as {@code audit.result} carries it. */
    public long accuracyBp() {
        return Math.round(accuracy * 10_000);
    }
}
