package dev.trackrecord.ledger.merkle;

import java.util.Arrays;

/**
 * A whole Merkle tree in memory: every complete node, level by level, each level one
 * growable byte array of 32-byte hashes (about 64 bytes per leaf in all). For tests and
 * small tools; the ledger itself keeps its nodes in storage tiles.
 *
 * <p>Because complete nodes never change, this tree serves proofs and roots for every size up
 * to its current one. Holds at most {@link #MAX_SIZE} leaves. Not thread-safe.
 */
public final class MemoryTree implements NodeReader {

    /** The most leaves one tree can hold: level 0 is a single Java array. */
    public static final long MAX_SIZE = (Integer.MAX_VALUE - 8) / Rfc9162.HASH_SIZE;

    private static final int INITIAL_CAPACITY = 16 * Rfc9162.HASH_SIZE;

    private final CompactRange range = CompactRange.empty();
    private byte[][] levels = new byte[1][];
    private final NodeWriter store = this::store;

    /** Creates an empty tree. */
    public MemoryTree() {
    }

    /** Number of leaves. */
    public long size() {
        return range.size();
    }

    /** Appends a leaf by its 32-byte leaf hash (see {@link Rfc9162#leafHash}). */
    public void append(byte[] leafHash) {
        if (range.size() >= MAX_SIZE) {
            throw new IllegalStateException("a MemoryTree holds at most " + MAX_SIZE + " leaves");
        }
        range.append(leafHash, store);
    }

    /** Returns the root of the whole tree, in O(log n). */
    public byte[] root() {
        return range.root();
    }

    /**
     * Returns a copy of the hash of a complete node. Requires {@code level >= 0},
     * {@code index >= 0} and {@code (index+1)·2^level <= size()}.
     */
    @Override
    public byte[] node(int level, long index) {
        if (level < 0 || level >= Long.SIZE - 1 || index < 0 || index >= size() >>> level) {
            throw new IllegalArgumentException("no complete node (" + level + ", " + index
                    + ") in a tree of " + size() + " leaves");
        }
        int from = Math.toIntExact(index * Rfc9162.HASH_SIZE);
        return Arrays.copyOfRange(levels[level], from, from + Rfc9162.HASH_SIZE);
    }

    private void store(int level, long index, byte[] hash) {
        if (level >= levels.length) {
            levels = Arrays.copyOf(levels, level + 1);
        }
        byte[] nodes = levels[level];
        int at = (int) (index * Rfc9162.HASH_SIZE);
        if (nodes == null) {
            nodes = new byte[INITIAL_CAPACITY];
        } else if (at + Rfc9162.HASH_SIZE > nodes.length) {
            long grown = Math.max((long) nodes.length * 2, at + Rfc9162.HASH_SIZE);
            nodes = Arrays.copyOf(nodes, (int) Math.min(grown, MAX_SIZE * Rfc9162.HASH_SIZE));
        }
        levels[level] = nodes;
        System.arraycopy(hash, 0, nodes, at, Rfc9162.HASH_SIZE);
    }

    @Override
    public String toString() {
        return "MemoryTree[size=" + size() + "]";
    }
}
