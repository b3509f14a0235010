package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A thread that keeps a {@link ReputationIndex} up with a {@link Ledger}. It applies each durable
 * batch from the submissions the ledger hands over ({@link Ledger#onAppended}), whose bodies are
 * decoded already, and reads the log back only for what it was not handed: entries appended
 * before it started, read back on open, or dropped while it was behind.
 *
 * <p>The ledger publishes a batch a moment before it hands it over, so an idle follower can see
 * the log ahead of its index with the batch on its way. Reading that batch back means reading
 * and parsing every entry again, where the handed-over one is decoded already; the follower reads
 * back only a gap it saw on two idle polls in a row, or one it knows of: a batch it dropped, or
 * one that arrives past the index's end.
 */
public final class ReputationFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReputationFollower.class.getName());
    /** Batches waiting at most; when the follower falls behind, more are dropped and read from the log. */
    private static final int QUEUE = 4096;

    private record Batch(long firstSeq, List<Submission> entries, int[] contractorOrdinals) {
    }

    private final Ledger ledger;
    private final ReputationIndex index;
    private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    /** Set when a batch found the queue full: its entries must be read back. */
    private volatile boolean dropped;

    private ReputationFollower(Ledger ledger, ReputationIndex index) {
        this.ledger = ledger;
        this.index = index;
        ledger.onAppended((firstSeq, entries, ordinals) -> {
            if (!batches.offer(new Batch(firstSeq, entries, ordinals))) {
                dropped = true;
            }
        });
        this.thread = Thread.ofPlatform().daemon(true).name("reputation-follower").unstarted(this::run);
    }

    /** Starts following; close to stop. */
    public static ReputationFollower start(Ledger ledger, ReputationIndex index) {
        ReputationFollower f = new ReputationFollower(ledger, index);
        f.thread.start();
        return f;
    }

    /** Applies what the log holds beyond the index, reading it back; any thread may call it. */
    public void catchUp() {
        catchUpTo(Long.MAX_VALUE);
    }

    private void catchUpTo(long end) {
        try {
            index.catchUpTo(end);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reputation index could not apply entries from seq " + index.appliedSize(), e);
        }
    }

    private void run() {
        // The log's size on the last idle poll that found it ahead of the index; -1 if none.
        long seenAhead = -1;
        while (!Thread.currentThread().isInterrupted()) {
            Batch b;
            try {
                b = batches.poll(2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (b != null) {
                seenAhead = -1;
                if (!applied(b)) {
                    // The entries before it were never handed over, or were dropped: read those back.
                    dropped = false;
                    catchUpTo(b.firstSeq());
                    applied(b);
                }
                continue;
            }
            long size = ledger.size();
            if (index.appliedSize() >= size) {
                seenAhead = -1;
            } else if (dropped) {
                dropped = false;
                seenAhead = -1;
                catchUpTo(size);
            } else if (seenAhead > index.appliedSize()) {
                // Published a whole poll ago and still not handed over: it will not be.
                catchUpTo(seenAhead);
                seenAhead = -1;
            } else {
                seenAhead = size;
            }
        }
    }

    private boolean applied(Batch b) {
        try {
            return index.applyAppended(b.firstSeq(), b.entries(), b.contractorOrdinals());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reputation index could not apply the batch from seq " + b.firstSeq(), e);
            return false;
        }
    }

    @Override
    public void close() {
        ledger.onAppended(null);
        thread.interrupt();
    }
}
