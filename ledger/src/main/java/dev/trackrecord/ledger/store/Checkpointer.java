package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteSigner;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Signs a C2SP checkpoint of the ledger every few seconds while entries arrive, and on demand,
 * and has the ledger keep each one so consistency proofs between any two can be served.
 */
public final class Checkpointer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Checkpointer.class.getName());

    private final Ledger ledger;
    private final NoteSigner signer;
    private final ScheduledExecutorService timer;

    public Checkpointer(Ledger ledger, NoteSigner signer, Duration interval) {
        if (!signer.name().equals(ledger.origin())) {
            throw new IllegalArgumentException("checkpoint key '" + signer.name() + "' does not match the log origin '"
                    + ledger.origin() + "'");
        }
        this.ledger = ledger;
        this.signer = signer;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("checkpointer").unstarted(r));
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            checkpointNow();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not issue a checkpoint", e);
        }
    }

    /**
     * Signs the current tree unless the newest checkpoint already covers it, and returns the
     * newest signed note. Always issues one for an empty log, so there is always a checkpoint.
     */
    public synchronized String checkpointNow() {
        long size = ledger.size();
        if (ledger.latestCheckpointSize() == size) {
            return ledger.latestCheckpoint().orElseThrow();
        }
        String note = new Checkpoint(ledger.origin(), size, ledger.root(size)).sign(signer);
        ledger.addCheckpoint(size, note).join();
        return note;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
