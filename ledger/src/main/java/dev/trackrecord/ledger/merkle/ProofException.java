package dev.trackrecord.ledger.merkle;

import java.util.HexFormat;

/**
 * A Merkle proof did not verify. Each subclass names one way it can fail and carries the
 * evidence, so a verifier can say exactly what was wrong.
 *
 * <p>Checked, like {@link java.security.SignatureException}: a proof that does not verify is
 * an expected outcome for anyone checking data they received, not a programming error.
 */
public abstract sealed class ProofException extends Exception {

    private static final long serialVersionUID = 1L;
    private static final HexFormat HEX = HexFormat.of();

    private ProofException(String message) {
        super(message);
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** The proof leads to a different root than the one it was checked against. */
    public static final class RootMismatch extends ProofException {
        private static final long serialVersionUID = 1L;
        private final String rootName;
        private final byte[] expectedRoot;
        private final byte[] calculatedRoot;

        RootMismatch(String rootName, byte[] expectedRoot, byte[] calculatedRoot) {
            super("calculated " + rootName + " " + hex(calculatedRoot) + " does not match expected "
                    + rootName + " " + hex(expectedRoot));
            this.rootName = rootName;
            this.expectedRoot = expectedRoot.clone();
            this.calculatedRoot = calculatedRoot.clone();
        }

        /** Which root: {@code root}, or {@code root1} or {@code root2} of a consistency proof. */
        public String rootName() {
            return rootName;
        }

        /** The root the caller trusts, e.g. from a signed checkpoint. */
        public byte[] expectedRoot() {
            return expectedRoot.clone();
        }

        /** The root the proof leads to. */
        public byte[] calculatedRoot() {
            return calculatedRoot.clone();
        }
    }

    /** The proof has more or fewer hashes than the tree sizes and index call for. */
    public static final class WrongProofLength extends ProofException {
        private static final long serialVersionUID = 1L;
        private final int expected;
        private final int actual;

        WrongProofLength(String proofName, int expected, int actual) {
            super(proofName + " has " + actual + " hashes, want " + expected);
            this.expected = expected;
            this.actual = actual;
        }

        /** Number of hashes the proof must have. */
        public int expected() {
            return expected;
        }

        /** Number of hashes it has. */
        public int actual() {
            return actual;
        }
    }

    /** A leaf hash or proof hash is not 32 bytes long. */
    public static final class WrongHashLength extends ProofException {
        private static final long serialVersionUID = 1L;
        private final String hashName;
        private final int actual;

        WrongHashLength(String hashName, int actual) {
            super(hashName + " has " + actual + " bytes, want " + Rfc9162.HASH_SIZE);
            this.hashName = hashName;
            this.actual = actual;
        }

        /** Which hash: {@code leaf hash}, or {@code proof[i]} with its 0-based position. */
        public String hashName() {
            return hashName;
        }

        /** Its length in bytes. */
        public int actual() {
            return actual;
        }
    }

    /** A leaf index outside the tree; requires {@code 0 <= index < size}. */
    public static final class IndexOutOfRange extends ProofException {
        private static final long serialVersionUID = 1L;
        private final long index;
        private final long treeSize;

        IndexOutOfRange(long index, long treeSize) {
            super("leaf index " + index + " is not in a tree of size " + treeSize
                    + " (requires 0 <= index < size)");
            this.index = index;
            this.treeSize = treeSize;
        }

        /** The leaf index of the proof. */
        public long index() {
            return index;
        }

        /** The tree size of the proof. */
        public long treeSize() {
            return treeSize;
        }
    }

    /**
     * A consistency proof between sizes that admit none: requires {@code 0 < size1 <= size2}. From
     * the empty tree there is nothing to prove, since every tree extends it.
     */
    public static final class InvalidSizes extends ProofException {
        private static final long serialVersionUID = 1L;
        private final long size1;
        private final long size2;

        InvalidSizes(long size1, long size2) {
            super("no consistency proof from size1 " + size1 + " to size2 " + size2
                    + " (requires 0 < size1 <= size2)");
            this.size1 = size1;
            this.size2 = size2;
        }

        /** The earlier tree size. */
        public long size1() {
            return size1;
        }

        /** The later tree size. */
        public long size2() {
            return size2;
        }
    }
}
