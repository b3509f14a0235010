package dev.trackrecord.ledger.merkle;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The right border (frontier) of a Merkle tree of {@code size} leaves: for each set bit
 * {@code level} of {@code size}, the hash of the complete subtree of 2^level leaves at that
 * place, largest on the left. These at most 64 hashes are all an append needs, so the
 * writer can extend the tree and compute its root in O(log n) without reading storage.
 *
 * <p>Not thread-safe: it belongs to the single writer.
 */
public final class CompactRange {

    /**
     * nodes[level] is the border subtree of 2^level leaves, non-null exactly when bit
     * {@code level} of {@code size} is set.
     */
    private final byte[][] nodes = new byte[Long.SIZE][];
    private long size;

    private CompactRange() {
    }

    /** Returns the range of the empty tree. */
    public static CompactRange empty() {
        return new CompactRange();
    }

    /**
     * Returns the range of the first {@code size} leaves of the tree {@code reader} holds, to
     * resume appending after a restart. Reads one node per set bit of {@code size}.
     * Requires size >= 0 and the reader to hold at least {@code size} leaves.
     */
    public static CompactRange fromNodes(long size, NodeReader reader) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
        Objects.requireNonNull(reader, "reader");
        CompactRange range = new CompactRange();
        for (int level = 0; level < Long.SIZE - 1; level++) {
            if ((size >>> level & 1) == 1) {
                // The border subtree at this level is the last complete one: leaves
                // [(size >>> level) - 1, size >>> level) counted in units of 2^level.
                byte[] hash = reader.node(level, (size >>> level) - 1);
                Rfc9162.requireHash(hash, "node(" + level + ", " + ((size >>> level) - 1) + ")");
                range.nodes[level] = hash;
            }
        }
        range.size = size;
        return range;
    }

    /** Number of leaves in the tree. */
    public long size() {
        return size;
    }

    /**
     * Appends one leaf and hands every node that becomes complete to {@code writer}: the leaf
     * itself at level 0, then one parent per level the append closes. Requires a 32-byte
     * leaf hash.
     */
    public void append(byte[] leafHash, NodeWriter writer) {
        Rfc9162.requireHash(leafHash, "leaf hash");
        Objects.requireNonNull(writer, "writer");
        if (size == Long.MAX_VALUE) {
            throw new IllegalStateException("tree is full");
        }
        MessageDigest md = Rfc9162.sha256();
        long index = size;
        byte[] hash = leafHash;
        int level = 0;
        writer.node(0, index, hash);
        // Like incrementing a binary counter: each set low bit is a left sibling to merge with.
        while ((size >>> level & 1) == 1) {
            hash = Rfc9162.nodeHash(md, nodes[level], hash);
            nodes[level] = null;
            level++;
            index >>>= 1;
            writer.node(level, index, hash);
        }
        nodes[level] = hash;
        size++;
    }

    /**
     * Returns the root of the tree, MTH(D[size]) of RFC 9162 §2.1.1: the border subtrees
     * hashed together from the right, since each split of MTH puts the largest power of two
     * on the left. The empty tree's root is SHA-256 of the empty string.
     */
    public byte[] root() {
        if (size == 0) {
            return Rfc9162.emptyRoot();
        }
        MessageDigest md = Rfc9162.sha256();
        byte[] acc = null;
        for (int level = 0; level < Long.SIZE; level++) {
            byte[] node = nodes[level];
            if (node != null) {
                acc = acc == null ? node : Rfc9162.nodeHash(md, node, acc);
            }
        }
        return acc;
    }

    @Override
    public String toString() {
        return "CompactRange[size=" + size + "]";
    }
}
