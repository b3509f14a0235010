package dev.trackrecord.ledger.store;

import java.nio.file.Path;
import java.time.Clock;

/**
 * How to open a ledger.
 *
 * @param dataDir          the storage directory (created when missing)
 * @param origin           the log's origin line, used when the directory is new
 * @param clock            source of {@code ts}
 * @param maxQueuedEntries appends waiting beyond this are refused with {@link LedgerBusyException}
 * @param maxBatchEntries  most entries one commit takes
 */
public record LedgerOptions(Path dataDir, String origin, Clock clock, int maxQueuedEntries, int maxBatchEntries) {
    public LedgerOptions {
        if (maxQueuedEntries < 1) {
            throw new IllegalArgumentException("maxQueuedEntries must be at least 1");
        }
        if (maxBatchEntries < 1) {
            throw new IllegalArgumentException("maxBatchEntries must be at least 1");
        }
    }

    public static LedgerOptions defaults(Path dataDir, String origin) {
        return new LedgerOptions(dataDir, origin, Clock.systemUTC(), 200_000, 8192);
    }

    public LedgerOptions withClock(Clock c) {
        return new LedgerOptions(dataDir, origin, c, maxQueuedEntries, maxBatchEntries);
    }
}
