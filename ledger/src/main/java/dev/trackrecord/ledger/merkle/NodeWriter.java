package dev.trackrecord.ledger.merkle;

/**
 * Receives each node of the tree the moment it becomes complete, so storage can put it in
 * its tiles; the counterpart of {@link NodeReader}.
 */
@FunctionalInterface
public interface NodeWriter {

    /**
     * Takes the 32-byte hash of the complete subtree at {@code level} and {@code index}
     * (see {@link NodeReader#node}). Nodes arrive in the order they complete: a leaf at level
     * 0, then the parents it completes, lowest first. The array must not be modified.
     */
    void node(int level, long index, byte[] hash);
}
