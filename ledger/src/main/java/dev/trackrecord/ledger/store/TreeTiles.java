package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.merkle.NodeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.eclipse.serializer.persistence.types.Storer;

/**
 * The complete nodes of the Merkle tree, level by level, in tiles of {@value #TILE} hashes
 * (the C2SP tlog-tiles width). A full tile never changes: its bytes go to the segment log and
 * EclipseStore keeps only its position; tiles are read back on first use and then kept. The one
 * partial tile of each level is not stored at all: it holds fewer than 256 nodes, all derived
 * from the last leaves and the full tiles below, so {@link #rebuildPartials} recomputes it on
 * open. A commit therefore stores tree data only when a tile fills up.
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
    private transient SegmentLog segments;

    /** One level of the tree. */
    static final class Level {
        /** Segment positions of the full tiles. */
        private final BlockList<Long> full = new BlockList<>();
        /** Full tiles visible to readers; written after the tile is added to {@link #full}. */
        private volatile long fullCount;
        /** Hashes after the full tiles; capacity doubles up to one tile. Rebuilt on open. */
        private transient volatile byte[] partial;
        private transient int partialCount;
        private transient boolean dirty;
        /** Full tiles read back so far, by tile index. */
        private transient volatile byte[][] cache;

        byte[] node(long index, SegmentLog segments) {
            byte[] p = partial;
            long tile = index >>> TILE_BITS;
            int offset = (int) (index & (TILE - 1)) * HASH;
            byte[] tileBytes = tile < fullCount ? fullTile((int) tile, segments) : p;
            return Arrays.copyOfRange(tileBytes, offset, offset + HASH);
        }

        private byte[] fullTile(int tile, SegmentLog segments) {
            byte[][] c = cache;
            if (c != null && tile < c.length && c[tile] != null) {
                return c[tile];
            }
            byte[] bytes = segments.read(full.get(tile), TILE * HASH);
            remember(tile, bytes);
            return bytes;
        }

        private synchronized void remember(int tile, byte[] bytes) {
            byte[][] c = cache;
            if (c == null || tile >= c.length) {
                c = c == null ? new byte[Math.max(16, tile + 1)][] : Arrays.copyOf(c, Math.max(c.length * 2, tile + 1));
            }
            c[tile] = bytes;
            cache = c;
        }

        long size() {
            return fullCount * TILE + partialCount;
        }


        void append(byte[] hash, SegmentLog segments) {
            byte[] p = partial;
            if (p == null) {
                p = new byte[2 * HASH];
            }
            int need = (partialCount + 1) * HASH;
            if (need > p.length) {
                p = Arrays.copyOf(p, Math.min(TILE * HASH, p.length * 2));
            }
            System.arraycopy(hash, 0, p, partialCount * HASH, HASH);
            partialCount++;
            if (partialCount == TILE) {
                long position;
                try {
                    position = segments.append(p, 0, p.length);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write a tree tile", e);
                }
                full.add(position);
                remember((int) fullCount, p);
                fullCount = full.size();
                partialCount = 0;
                partial = new byte[2 * HASH];
                dirty = true;
            } else {
                partial = p;
            }
        }

        void flush(Storer storer) {
            if (dirty) {
                full.flush(storer);
                storer.store(this);
                dirty = false;
            }
        }
    }

    /** Connects the tiles to the segment log they were written to; called on open. */
    void attach(SegmentLog log) {
        this.segments = log;
    }

    @Override
    public byte[] node(int level, long index) {
        return levels[level].node(index, segments);
    }

    /**
     * Recomputes the partial tile of every level for a tree of {@code size} leaves, from the
     * stored full tiles and the leaf hashes {@code leaf} gives for the last leaves.
     */
    void rebuildPartials(long size, java.util.function.LongFunction<byte[]> leaf) {
        for (int level = 0; level < MAX_LEVELS; level++) {
            long nodes = size >>> level;
            Level l = levels[level];
            if (l == null) {
                if (nodes == 0) {
                    break;
                }
                l = new Level();
                levels[level] = l;
                levelsChanged = true;
            }
            long inFull = l.fullCount * TILE;
            if (nodes < inFull || nodes - inFull >= TILE) {
                throw new LedgerCorruptException("tree level " + level + " has " + l.fullCount
                        + " full tiles, which does not fit a log of " + size + " entries");
            }
            int count = (int) (nodes - inFull);
            byte[] p = new byte[Math.max(2, Integer.highestOneBit(Math.max(1, count)) * 2) * HASH];
            for (int i = 0; i < count; i++) {
                long index = inFull + i;
                byte[] hash = level == 0 ? leaf.apply(index)
                        : dev.trackrecord.ledger.merkle.Rfc9162.nodeHash(node(level - 1, 2 * index),
                        node(level - 1, 2 * index + 1));
                System.arraycopy(hash, 0, p, i * HASH, HASH);
            }
            l.partial = p;
            l.partialCount = count;
        }
    }

    /** Gives the segment position of every stored full tile (fsck checks the segments hold nothing else). */
    void forEachFullTile(java.util.function.LongConsumer position) {
        for (Level l : levels) {
            if (l != null) {
                for (long i = 0; i < l.full.size(); i++) {
                    position.accept(l.full.get(i));
                }
            }
        }
    }

    /** Bytes of one full tile in the segment log. */
    static int tileBytes() {
        return TILE * HASH;
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
        l.append(hash, segments);
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
