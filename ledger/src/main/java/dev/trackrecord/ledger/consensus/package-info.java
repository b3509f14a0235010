/**
 * Consensus audits: estimate each contractor's accuracy from overlapping labels, and the
 * true label of each item, with Dawid-Skene EM (full confusion matrices), one-coin
 * Dawid-Skene and majority vote as baselines. Gold answers anchor items to their truth;
 * priors from a contractor's history keep a small batch from judging them alone.
 *
 * <p>The code here is pure: {@link dev.trackrecord.ledger.consensus.LabelBatch} takes
 * labels and returns an interned, item-ordered batch; {@link
 * dev.trackrecord.ledger.consensus.Consensus#estimate} takes a batch and returns the
 * estimates. Reading files is in {@code consensus.format}; the model is described in
 * {@code docs/consensus.md}.
 */
package dev.trackrecord.ledger.consensus;
