package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import java.time.Duration;
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
 * the log ahead of its index with the batch on its way. Reading that batch back would mean reading
 * and parsing every entry again, where the handed-over one is decoded already, so on an idle poll
 * the follower reads back only what it knows it will not be handed: entries below
 * {@link Ledger#handedOver} that are not in its queue. A batch that arrives past the index's end
 * has the entries before it read back first.
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

    private ReputationFollower(Ledger ledger, ReputationIndex index) {
        this.ledger = ledger;
        this.index = index;
        // A batch that finds the queue full is dropped; the idle poll then reads it back.
        ledger.onAppended((firstSeq, entries, ordinals) -> batches.offer(new Batch(firstSeq, entries, ordinals)));
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
        while (!Thread.currentThread().isInterrupted()) {
            Batch b;
            try {
                b = batches.poll(2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (b != null) {
                if (!applied(b)) {
                    // The entries before it were never handed over, or were dropped: read those back.
                    catchUpTo(b.firstSeq());
                    applied(b);
                }
                continue;
            }
            // Nothing to apply: rank the contractors changed meanwhile, so top-k queries need not.
            try {
                index.flushRankingsIfDue();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "reputation index could not rank the contractors changed", e);
            }
            long size = ledger.size();
            // Read in this order: a batch handed over by the time handedOver() says so is in the
            // queue, since the poll above found nothing and only this thread takes from it.
            if (index.appliedSize() < size && ledger.handedOver() >= size && batches.isEmpty()) {
                catchUpTo(size);
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

    /** Stops following, waiting up to a second for the entries being applied. */
    @Override
    public void close() {
        ledger.onAppended(null);
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
