package dev.trackrecord.ledger.consensus;

/**
 * A contractor's accuracy prior from history, as pseudo-counts of correct and wrong labels
 * (a Beta prior on a single accuracy). In Dawid-Skene it adds {@code alphaCorrect} to the
 * diagonal of every confusion row and spreads {@code alphaWrong} evenly over the other
 * cells of the row. Earlier audits that found 45 of 50 labels correct give
 * {@code Prior(45, 5)}; scale both down to trust history less.
 */
public record Prior(double alphaCorrect, double alphaWrong) {

    public Prior {
        if (!(alphaCorrect >= 0) || !(alphaWrong >= 0) || Double.isInfinite(alphaCorrect)
                || Double.isInfinite(alphaWrong)) {
            throw new IllegalArgumentException(
                    "prior pseudo-counts must be finite and not negative, got " + alphaCorrect + ", " + alphaWrong);
        }
    }

    /** The prior of a contractor found correct {@code correct} times out of {@code correct + wrong}. */
    public static Prior ofCounts(double correct, double wrong) {
        return new Prior(correct, wrong);
    }

    /** How many labels the prior is worth. */
    public double weight() {
        return alphaCorrect + alphaWrong;
    }
}
