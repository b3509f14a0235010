package dev.trackrecord.api.kafka;

import dev.trackrecord.ledger.store.Ledger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts each new signed checkpoint (the note text) on {@code ledger.checkpoints}, keyed by origin.
 * It watches the ledger's newest checkpoint rather than hooking the signer, so two checkpoints
 * signed within one {@code interval} publish only the newer; both are consistent, so a reader
 * loses nothing it can verify. After a restart the newest one is published again.
 */
final class CheckpointPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CheckpointPublisher.class.getName());

    private final Ledger ledger;
    private final Producer<byte[], byte[]> producer;
    private final ScheduledExecutorService timer;
    private volatile long publishedSize = -1;

    CheckpointPublisher(Ledger ledger, Producer<byte[], byte[]> producer, Duration interval) {
        this.ledger = ledger;
        this.producer = producer;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("kafka-checkpoints").unstarted(r));
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            long size = ledger.latestCheckpointSize();
            if (size <= publishedSize) {
                return;
            }
            var note = ledger.latestCheckpoint();
            if (note.isEmpty()) {
                return;
            }
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, ledger.origin().getBytes(StandardCharsets.UTF_8),
                    note.get().getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                        if (e != null) {
                            LOG.log(Level.WARNING, "could not publish the checkpoint of size " + size, e);
                            publishedSize = -1; // try again on the next tick
                        }
                    });
            publishedSize = size;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not publish a checkpoint", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
