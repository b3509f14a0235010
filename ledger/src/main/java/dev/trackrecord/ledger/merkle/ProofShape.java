package dev.trackrecord.ledger.merkle;

/**
 * Lengths of RFC 9162 proofs, from sizes and index alone. Proof generation sizes its output
 * with them and verification rejects a proof of the wrong length before hashing anything.
 */
final class ProofShape {

    private ProofShape() {
    }

    /**
     * Number of path levels below the point where the paths to node {@code index} and to the
     * last node {@code last} of the same level meet.
     */
    static int innerLength(long index, long last) {
        return Long.SIZE - Long.numberOfLeadingZeros(index ^ last);
    }

    /** Length of PATH(index, D[treeSize]). Requires {@code 0 <= index < treeSize}. */
    static int inclusionLength(long index, long treeSize) {
        int inner = innerLength(index, treeSize - 1);
        return inner + Long.bitCount(index >>> inner);
    }

    /** Length of PROOF(size1, D[size2]). Requires {@code 0 < size1 < size2}. */
    static int consistencyLength(long size1, long size2) {
        int shift = Long.numberOfTrailingZeros(size1);
        long node = (size1 - 1) >>> shift;
        long last = (size2 - 1) >>> shift;
        int inner = innerLength(node, last);
        int length = inner + Long.bitCount(node >>> inner);
        return node == 0 ? length : length + 1;
    }
}
