package dev.trackrecord.ledger.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * How to open a ledger.
 *
 * @param dataDir          the storage directory (created when missing)
 * @param origin           the log's origin line, used when the directory is new
 * @param clock            source of {@code ts}
 * @param maxQueuedEntries appends waiting beyond this are refused with {@link LedgerBusyException}
 * @param maxBatchEntries  most entries one commit takes
 * @param recordInterval   how long acknowledged batches may wait for EclipseStore to record where
 *                         they are (a crash before that only means reading them back on open)
 * @param checkDisputes    whether appends must keep {@link dev.trackrecord.ledger.entry.DisputeRules};
 *                         false only to reproduce entries another ledger accepted already (a restore,
 *                         which checks them against that ledger's signed checkpoints instead)
 */
public record LedgerOptions(Path dataDir, String origin, Clock clock, int maxQueuedEntries, int maxBatchEntries,
                            Duration recordInterval, boolean checkDisputes) {
    /** Half a second between EclipseStore commits while appends arrive. */
    public static final Duration DEFAULT_RECORD_INTERVAL = Duration.ofMillis(500);

    public LedgerOptions {
        if (maxQueuedEntries < 1) {
            throw new IllegalArgumentException("maxQueuedEntries must be at least 1");
        }
        if (maxBatchEntries < 1) {
            throw new IllegalArgumentException("maxBatchEntries must be at least 1");
        }
        if (recordInterval.isNegative()) {
            throw new IllegalArgumentException("recordInterval must not be negative");
        }
    }

    public LedgerOptions(Path dataDir, String origin, Clock clock, int maxQueuedEntries, int maxBatchEntries) {
        this(dataDir, origin, clock, maxQueuedEntries, maxBatchEntries, DEFAULT_RECORD_INTERVAL, true);
    }

    public static LedgerOptions defaults(Path dataDir, String origin) {
        return new LedgerOptions(dataDir, origin, Clock.systemUTC(), 200_000, 8192);
    }

    public LedgerOptions withClock(Clock c) {
        return new LedgerOptions(dataDir, origin, c, maxQueuedEntries, maxBatchEntries, recordInterval, checkDisputes);
    }

    public LedgerOptions withRecordInterval(Duration interval) {
        return new LedgerOptions(dataDir, origin, clock, maxQueuedEntries, maxBatchEntries, interval, checkDisputes);
    }

    /** These options with {@link #checkDisputes} as given. */
    public LedgerOptions withDisputeChecks(boolean check) {
        return new LedgerOptions(dataDir, origin, clock, maxQueuedEntries, maxBatchEntries, recordInterval, check);
    }
}
