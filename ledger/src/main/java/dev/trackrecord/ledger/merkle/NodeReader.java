package dev.trackrecord.ledger.merkle;

/**
 * Reads stored hashes of complete subtrees of one append-only Merkle tree.
 *
 * <p>Node {@code (level, index)} is the root of the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes. Such a node never
 * changes once the tree holds all of its leaves, which is why storage can keep the nodes of
 * each level in append-only tiles and why proofs for any earlier tree size can be built from
 * the same nodes. Hashes of incomplete subtrees on the right edge of a tree are never
 * stored: {@link Proofs} computes them from complete nodes when a proof needs them.
 *
 * <p>Proofs ask for O(log n) nodes each.
 */
@FunctionalInterface
public interface NodeReader {

    /**
     * Returns the 32-byte hash of the complete subtree at {@code level} and {@code index}.
     * Requires {@code level >= 0}, {@code index >= 0} and {@code (index+1)·2^level} at most
     * the number of leaves stored.
     * The returned array must not be modified afterwards, neither by the reader nor by the
     * caller. Storage failures are reported as unchecked exceptions.
     */
    byte[] node(int level, long index);
}
