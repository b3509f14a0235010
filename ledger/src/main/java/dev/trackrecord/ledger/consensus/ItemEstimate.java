package dev.trackrecord.ledger.consensus;

/**
 * The aggregated label of one item.
 *
 * @param label     the class with the highest posterior (the lowest class index on a tie)
 * @param posterior its posterior probability; 1 for gold items
 * @param labels    how many contractors labelled the item
 * @param gold      whether the item was clamped to a gold answer
 */
public record ItemEstimate(String item, String label, double posterior, int labels, boolean gold) {
}
