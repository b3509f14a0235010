package dev.trackrecord.ledger.merkle;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Builds roots, inclusion proofs and consistency proofs of RFC 9162 §2.1 from the stored
 * complete nodes of a tree.
 *
 * <p>Instead of recursing over leaves as the RFC's definitions do, each proof is read off the
 * binary positions of the leaf index and tree size: the proof hashes are siblings along one
 * path, every one a complete node except at most one on the right edge of the tree. That
 * "ephemeral" node is hashed here from the O(log n) complete nodes covering it. A proof
 * therefore asks the {@link NodeReader} for O(log n) nodes and never for an incomplete one,
 * and the same stored nodes serve proofs for every earlier tree size. The output is exactly
 * RFC 9162's PATH and PROOF.
 *
 * <p>The returned lists are unmodifiable and may hold the reader's own arrays.
 */
public final class Proofs {

    private Proofs() {
    }

    /**
     * Returns MTH(D[treeSize]), the root of the first {@code treeSize} leaves (RFC 9162
     * §2.1.1); SHA-256 of the empty string for size 0. Requires treeSize >= 0 and the reader
     * to hold at least {@code treeSize} leaves.
     */
    public static byte[] root(long treeSize, NodeReader reader) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size must not be negative, got " + treeSize);
        }
        Objects.requireNonNull(reader, "reader");
        if (treeSize == 0) {
            return Rfc9162.emptyRoot();
        }
        return rangeHash(Rfc9162.sha256(), reader, 0, treeSize);
    }

    /**
     * Returns the inclusion proof PATH(index, D[treeSize]) of RFC 9162 §2.1.3.1: sibling hashes
     * from the leaf up to the root. Requires {@code 0 <= index < treeSize} and the reader to
     * hold at least {@code treeSize} leaves.
     */
    public static List<byte[]> inclusionProof(long index, long treeSize, NodeReader reader) {
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("leaf index " + index + " is not in a tree of size "
                    + treeSize + " (requires 0 <= index < size)");
        }
        Objects.requireNonNull(reader, "reader");
        byte[][] proof = new byte[ProofShape.inclusionLength(index, treeSize)][];
        int n = appendPath(proof, 0, reader, 0, index, treeSize);
        assert n == proof.length;
        return Collections.unmodifiableList(Arrays.asList(proof));
    }

    /**
     * Returns the consistency proof PROOF(size1, D[size2]) of RFC 9162 §2.1.4.1, empty when
     * the sizes are equal. Requires {@code 0 < size1 <= size2} and the reader to hold at least
     * {@code size2} leaves.
     */
    public static List<byte[]> consistencyProof(long size1, long size2, NodeReader reader) {
        if (size1 <= 0 || size1 > size2) {
            throw new IllegalArgumentException("no consistency proof from size1 " + size1
                    + " to size2 " + size2 + " (requires 0 < size1 <= size2)");
        }
        Objects.requireNonNull(reader, "reader");
        if (size1 == size2) {
            return List.of();
        }
        byte[][] proof = new byte[ProofShape.consistencyLength(size1, size2)][];
        // The last leaf of the size1 tree sits in a complete subtree of 2^shift leaves that
        // both trees share. Its root starts the proof (SUBPROOF's MTH(D[m]) when b is false),
        // unless that subtree is the whole size1 tree, whose root the verifier already has.
        int shift = Long.numberOfTrailingZeros(size1);
        long node = (size1 - 1) >>> shift;
        int n = 0;
        if (node != 0) {
            proof[n++] = reader.node(shift, node);
        }
        // The rest is that subtree's inclusion path in the size2 tree.
        n = appendPath(proof, n, reader, shift, node, size2);
        assert n == proof.length;
        return Collections.unmodifiableList(Arrays.asList(proof));
    }

    /**
     * Writes into {@code out}, from position {@code n}, the inclusion path in a tree of
     * {@code treeSize} leaves of the complete node at {@code level} and {@code index}, and
     * returns the position after it.
     */
    private static int appendPath(byte[][] out, int n, NodeReader reader, int level, long index,
            long treeSize) {
        MessageDigest md = Rfc9162.sha256();
        long last = (treeSize - 1) >>> level;
        // Below the level where the paths to this node and to the tree's last leaf meet,
        // siblings lie left or right. Only the highest right one can be incomplete.
        int inner = ProofShape.innerLength(index, last);
        for (int i = 0; i < inner; i++) {
            out[n++] = subtreeHash(md, reader, level + i, (index >>> i) ^ 1, treeSize);
        }
        // Above it the node is on the right border: RFC 9162's tree lifts a node with no right
        // sibling a level unchanged, so only left siblings (set bits) appear in the path.
        for (int i = inner; (index >>> i) != 0; i++) {
            if ((index >>> i & 1) == 1) {
                out[n++] = reader.node(level + i, (index >>> i) ^ 1);
            }
        }
        return n;
    }

    /** The RFC 9162 hash of the subtree at (level, index), cut off at treeSize leaves. */
    private static byte[] subtreeHash(MessageDigest md, NodeReader reader, int level, long index,
            long treeSize) {
        if (index + 1 <= treeSize >>> level) {
            return reader.node(level, index);
        }
        return rangeHash(md, reader, index << level, treeSize);
    }

    /**
     * MTH of leaves [begin, end), where begin is a multiple of the largest power of two below
     * end - begin. MTH splits off that power of two as a complete left subtree and recurses on
     * the rest, so the hash is the complete subtrees for the set bits of end - begin, largest
     * first, hashed together from the right.
     */
    private static byte[] rangeHash(MessageDigest md, NodeReader reader, long begin, long end) {
        long count = end - begin;
        byte[] acc = null;
        for (int level = 0; (count >>> level) != 0; level++) {
            if ((count >>> level & 1) == 1) {
                long start = begin + (count >>> level + 1 << level + 1);
                byte[] node = reader.node(level, start >>> level);
                acc = acc == null ? node : Rfc9162.nodeHash(md, node, acc);
            }
        }
        return acc;
    }
}
