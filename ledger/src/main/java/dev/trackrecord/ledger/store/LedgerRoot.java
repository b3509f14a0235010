package dev.trackrecord.ledger.store;

/**
 * The EclipseStore root of a ledger's data directory. Everything persisted hangs off it; the
 * in-memory indexes ({@link EventIndex}, {@link ContractorIndex}) are rebuilt from it on open.
 */
final class LedgerRoot {
    /** 2: chunk records carry a frame with a checksum, so unrecorded batches can be read back. */
    static final int FORMAT = 2;

    int format = FORMAT;
    final String origin;
    /** Number of entries committed. */
    long size;
    /** {@code ts} of the last entry, epoch milliseconds; {@code ts} never decreases. */
    long lastTsMillis;
    /** Segment-log position after the last committed byte; later bytes were never acknowledged. */
    long segmentEnd;
    final BlockList<Chunk> chunks = new BlockList<>();
    /** Contractor ids by ordinal, in order of first appearance. */
    final BlockList<String> contractors = new BlockList<>();
    final TreeTiles tree = new TreeTiles();
    final BlockList<StoredCheckpoint> checkpoints = new BlockList<>();

    LedgerRoot(String origin) {
        this.origin = origin;
    }
}
