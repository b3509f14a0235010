package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.merkle.NodeReader;
import java.util.Arrays;
import org.eclipse.serializer.persistence.types.Storer;
import org.eclipse.serializer.reference.Lazy;

/**
 * The complete nodes of the Merkle tree, level by level, in tiles of {@value #TILE} hashes
 * (the C2SP tlog-tiles width). A full tile never changes and sits behind a {@link Lazy}
 * reference, so a reopened log loads only the tiles its proofs touch; the one partial tile of
 * each level grows in place and is re-stored by each commit that changed it.
 *
 * <p>About 2 hashes (64 bytes) per leaf in all, loaded on demand.
 */
final class TreeTiles implements NodeReader {
    static final int TILE_BITS = 8;
    static final int TILE = 1 << TILE_BITS;
    static final int HASH = 32;
    private static final int MAX_LEVELS = 64;

    private final Level[] levels = new Level[MAX_LEVELS];
    private transient boolean levelsChanged;

    /** One level of the tree. */
    static final class Level {
        private final BlockList<Lazy<byte[]>> full = new BlockList<>();
        /** Full tiles visible to readers; written after the tile is added to {@link #full}. */
        private volatile long fullCount;
        /** Hashes after the full tiles; capacity doubles up to one tile. */
        private volatile byte[] partial = new byte[2 * HASH];
        private int partialCount;
        private transient boolean dirty;

        byte[] node(long index) {
            byte[] p = partial;
            long tile = index >>> TILE_BITS;
            int offset = (int) (index & (TILE - 1)) * HASH;
            byte[] tileBytes = tile < fullCount ? full.get(tile).get() : p;
            return Arrays.copyOfRange(tileBytes, offset, offset + HASH);
        }

        long size() {
            return fullCount * TILE + partialCount;
        }

        void append(byte[] hash) {
            byte[] p = partial;
            int need = (partialCount + 1) * HASH;
            if (need > p.length) {
                p = Arrays.copyOf(p, Math.min(TILE * HASH, p.length * 2));
            }
            System.arraycopy(hash, 0, p, partialCount * HASH, HASH);
            partialCount++;
            if (partialCount == TILE) {
                // A copy: the partial array may already be stored with fewer hashes, and a lazy
                // storer does not store an object again just because it is newly referenced.
                full.add(Lazy.Reference(p.clone()));
                fullCount = full.size();
                partialCount = 0;
                partial = new byte[2 * HASH];
            } else {
                partial = p;
            }
            dirty = true;
        }

        void flush(Storer storer) {
            if (dirty) {
                full.flush(storer);
                storer.store(partial);
                storer.store(this);
                dirty = false;
            }
        }
    }

    @Override
    public byte[] node(int level, long index) {
        return levels[level].node(index);
    }

    /** Number of complete nodes stored at {@code level}. */
    long levelSize(int level) {
        Level l = levels[level];
        return l == null ? 0 : l.size();
    }

    /** Takes a newly completed node; the nodes of a level arrive in index order. */
    void put(int level, long index, byte[] hash) {
        Level l = levels[level];
        if (l == null) {
            l = new Level();
            levels[level] = l;
            levelsChanged = true;
        }
        if (index != l.size()) {
            throw new IllegalStateException("node (" + level + ", " + index + ") out of order; level holds " + l.size());
        }
        l.append(hash);
    }

    /** Registers every level changed since the last flush with {@code storer}. */
    void flush(Storer storer) {
        for (Level l : levels) {
            if (l != null) {
                l.flush(storer);
            }
        }
        if (levelsChanged) {
            storer.store(levels);
            levelsChanged = false;
        }
    }
}
