package dev.trackrecord.api.kafka;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.LogConflictException;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerBusyException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Appends the entries consumed from {@code ledger.events}: each message is one append request
 * (one entry or {@code {"entries":[...]}}) and, like a {@code POST /v1/entries}, is appended
 * whole or not at all.
 *
 * <p>Delivery is at least once and the log's event_id idempotency makes it effectively once:
 * offsets are committed only after every message of a poll is either durable in the ledger or
 * acknowledged on the dead-letter topic. A message that cannot be appended (bad JSON, a schema
 * violation, an event_id reused with a different entry) goes to {@code ledger.events.dlq} with
 * the reason and its origin in headers and is skipped, so it never stalls its partition. Any
 * other failure (storage, broker) rewinds to the last committed offsets and retries.
 */
final class KafkaIngest implements Runnable {
    private static final Logger LOG = Logger.getLogger(KafkaIngest.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Ledger ledger;
    private final SubmissionValidator validator;
    private final ChangePublisher changes;
    private final String source;
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean stopping;

    KafkaIngest(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, Ledger ledger,
                SubmissionValidator validator, ChangePublisher changes, String source) {
        this.consumer = consumer;
        this.producer = producer;
        this.ledger = ledger;
        this.validator = validator;
        this.changes = changes;
        this.source = source;
    }

    /** Messages whose entries are durable in the ledger (new or resent). */
    long appendedMessages() {
        return appended.get();
    }

    /** Messages sent to the dead-letter topic. */
    long deadLetteredMessages() {
        return deadLettered.get();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.EVENTS));
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    apply(records);
                    consumer.commitSync(nextOffsets(records));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    LOG.log(Level.WARNING, "could not apply " + records.count()
                            + " messages of " + Topics.EVENTS + "; retrying from the last committed offsets", e);
                    rewind(records);
                    Thread.sleep(RETRY_PAUSE);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops polling; {@link #run()} returns after the poll in progress. */
    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Appends every valid message of {@code records}, dead-letters the rest, waits for both. */
    private void apply(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<Pending> pending = new ArrayList<>(records.count());
        List<CompletableFuture<?>> dlq = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            List<Submission> submissions;
            try {
                if (record.value() == null) {
                    dlq.add(deadLetter(record, "$: the message has no value; expected an entry or {\"entries\":[...]}"));
                    continue;
                }
                submissions = validator.parseRequest(record.value());
            } catch (EntryRejectedException e) {
                dlq.add(deadLetter(record, e.getMessage()));
                continue;
            }
            pending.add(new Pending(record, submissions, appendWhenRoom(submissions, pending)));
        }

        Map<String, Long> latestSeqs = new HashMap<>();
        for (Pending p : pending) {
            List<Appended> results;
            try {
                results = p.result().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof LogConflictException conflict) {
                    dlq.add(deadLetter(p.record(), conflict.getMessage()));
                    continue;
                }
                throw e;
            }
            appended.incrementAndGet();
            for (int i = 0; i < results.size(); i++) {
                latestSeqs.merge(p.submissions().get(i).contractor(), results.get(i).seq(), Math::max);
            }
        }
        if (!latestSeqs.isEmpty()) {
            changes.changed(latestSeqs);
            changes.flush();
        }
        for (CompletableFuture<?> f : dlq) {
            f.join(); // the dead letter must be on the broker before its offset is committed
        }
    }

    /** Appends, waiting for earlier appends of this poll while the ledger's queue is full. */
    private CompletableFuture<List<Appended>> appendWhenRoom(List<Submission> submissions, List<Pending> earlier)
            throws InterruptedException {
        while (true) {
            try {
                return ledger.append(submissions, source);
            } catch (LedgerBusyException e) {
                if (!earlier.isEmpty()) {
                    earlier.getLast().result().exceptionally(t -> null).join();
                } else {
                    Thread.sleep(10);
                }
            }
        }
    }

    private CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        var out = new ProducerRecord<>(Topics.EVENTS_DLQ, null, record.key(), record.value());
        out.headers().add(Topics.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.PARTITION_HEADER,
                Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(out, (metadata, e) -> {
            if (e == null) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(e);
            }
        });
        deadLettered.incrementAndGet();
        return sent;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.getLast().offset() + 1));
        }
        return offsets;
    }

    /** Seeks each partition of {@code records} back to its first record, to consume them again. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        var assigned = consumer.assignment();
        for (TopicPartition tp : records.partitions()) {
            if (assigned.contains(tp)) { // a partition lost to a rebalance restarts at its committed offset
                consumer.seek(tp, records.records(tp).getFirst().offset());
            }
        }
    }

    private record Pending(ConsumerRecord<byte[], byte[]> record, List<Submission> submissions,
                           CompletableFuture<List<Appended>> result) {
    }
}
