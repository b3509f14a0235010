package dev.trackrecord.api.kafka;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.store.EventConflictException;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One node of the sharded mode (DESIGN.md "Modes"): partition {@code n} of
 * {@code ledger.sequence} is shard {@code n}, and this node keeps one ledger per shard it has
 * consumed (origin {@code <origin>/shard-<n>}, directory {@code <data>/shard-<n>}).
 *
 * <p>Every node that applies a partition derives the same entries, hashes and root from it:
 * records are applied in partition order, one append at a time, and an entry's {@code ts} and
 * the "not in the future" check of validation come from the record's timestamp (the topic uses
 * LogAppendTime; the ledger keeps ts non-decreasing), never from the node's clock. Where a node
 * stands in a shard is its own: the offset after the last applied record is kept beside the
 * shard's ledger, and on assignment the node resumes there, so a node taking over a shard from
 * a dead one replays it into its own copy. Consumer group offsets are committed only for
 * monitoring. Resuming a little behind is harmless: a re-applied record is a resend (same
 * event_id) and appends nothing.
 *
 * <p>Not yet served over HTTP; see docs/operations.md.
 */
public final class ShardedNode implements AutoCloseable {
    /** The sequencing topic: one partition per shard, keyed by contractor. */
    public static final String SEQUENCE = "ledger.sequence";
    static final String SOURCE = "kafka:" + SEQUENCE;
    private static final Logger LOG = Logger.getLogger(ShardedNode.class.getName());
    private static final String GROUP = "trackrecord-shards";

    private final Path dataDir;
    private final String origin;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile List<Integer> assigned = List.of();

    /** A ledger of one shard, with where this node stands in its partition. */
    private static final class Shard {
        final Ledger ledger;
        final RecordClock clock;
        final SubmissionValidator validator;
        final Path offsetFile;
        volatile long nextOffset;

        Shard(Ledger ledger, RecordClock clock, Path offsetFile, long nextOffset) {
            this.ledger = ledger;
            this.clock = clock;
            this.validator = new SubmissionValidator(clock);
            this.offsetFile = offsetFile;
            this.nextOffset = nextOffset;
        }
    }

    /** A clock that reads the timestamp of the record being applied. */
    private static final class RecordClock extends Clock {
        private volatile long millis;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a record clock is always UTC");
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private ShardedNode(String bootstrap, String nodeId, Path dataDir, String origin) {
        this.dataDir = dataDir;
        this.origin = origin;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "trackrecord-" + nodeId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaBridge.producerConfig(bootstrap));
        this.thread = Thread.ofPlatform().name("shards-" + nodeId).daemon(true).unstarted(this::run);
    }

    /**
     * Creates {@code ledger.sequence} with {@code shards} partitions (LogAppendTime, kept forever)
     * and the dead-letter topic when missing, and starts consuming as member {@code nodeId}.
     */
    public static ShardedNode start(String bootstrap, String nodeId, Path dataDir, String origin, int shards) {
        createTopics(bootstrap, shards);
        ShardedNode node = new ShardedNode(bootstrap, nodeId, dataDir, origin);
        node.thread.start();
        return node;
    }

    static void createTopics(String bootstrap, int shards) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var topics = List.of(
                    new NewTopic(SEQUENCE, Optional.of(shards), Optional.empty()).configs(Map.of(
                            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                            TopicConfig.RETENTION_MS_CONFIG, "-1")),
                    new NewTopic(Topics.EVENTS_DLQ, Optional.empty(), Optional.empty()));
            for (Future<Void> f : admin.createTopics(topics).values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create " + SEQUENCE + ": " + e.getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + SEQUENCE, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not create " + SEQUENCE + " within 30 s", e);
        }
    }

    /** The ledger of shard {@code n}, if this node has consumed that shard. */
    public Optional<Ledger> ledger(int n) {
        return Optional.ofNullable(shards.get(n)).map(s -> s.ledger);
    }

    /** The shards whose partitions this node is assigned now. */
    public List<Integer> assignedShards() {
        return List.copyOf(assigned);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(SEQUENCE), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned = List.of();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    List<Integer> now = new ArrayList<>();
                    for (TopicPartition tp : consumer.assignment()) {
                        Shard shard = shards.computeIfAbsent(tp.partition(), ShardedNode.this::open);
                        consumer.seek(tp, shard.nextOffset);
                        now.add(tp.partition());
                    }
                    assigned = List.copyOf(now);
                }
            });
            while (!stopping) {
                var records = consumer.poll(Duration.ofMillis(200));
                try {
                    for (TopicPartition tp : records.partitions()) {
                        Shard shard = shards.get(tp.partition());
                        for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                            if (stopping) {
                                return;
                            }
                            if (record.offset() >= shard.nextOffset) {
                                apply(shard, record);
                                shard.nextOffset = record.offset() + 1;
                            }
                        }
                        saveOffset(shard);
                    }
                    producer.flush();
                    consumer.commitAsync();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Storage or broker trouble: go back to where each shard stands and try again.
                    LOG.log(Level.WARNING, "could not apply records of " + SEQUENCE + "; retrying", e);
                    for (TopicPartition tp : consumer.assignment()) {
                        consumer.seek(tp, shards.get(tp.partition()).nextOffset);
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                LOG.log(Level.SEVERE, "sharded consumer stopped", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "sharded consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Applies one record: appends its entries with the record's time, or dead-letters it. */
    private void apply(Shard shard, ConsumerRecord<byte[], byte[]> record) {
        shard.clock.millis = record.timestamp();
        String reason;
        try {
            if (record.value() == null) {
                reason = "$: the message has no value";
            } else {
                List<Submission> submissions = shard.validator.parseRequest(record.value());
                shard.ledger.append(submissions, SOURCE).join();
                return;
            }
        } catch (EntryRejectedException e) {
            reason = e.getMessage();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof EventConflictException conflict)) {
                throw e;
            }
            reason = conflict.getMessage();
        }
        var out = new ProducerRecord<>(Topics.EVENTS_DLQ, null, record.key(), record.value());
        out.headers().add(Topics.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        producer.send(out);
    }

    private Shard open(int n) {
        Path dir = dataDir.resolve("shard-" + n);
        RecordClock clock = new RecordClock(); // the ledger's ts and validation's "now" alike
        Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, Shards.origin(origin, n))
                .withClock(clock));
        Path offsetFile = dir.resolve("sequence-offset");
        long next = 0;
        try {
            if (Files.exists(offsetFile)) {
                next = Long.parseLong(Files.readString(offsetFile).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Shard(ledger, clock, offsetFile, next);
    }

    /**
     * Records where this node stands in a shard. Written after the entries are durable and
     * without fsync: after a power loss it may be behind, never ahead, and behind only means
     * some records are applied again as resends.
     */
    private static void saveOffset(Shard shard) {
        try {
            Path tmp = shard.offsetFile.resolveSibling("sequence-offset.tmp");
            Files.writeString(tmp, Long.toString(shard.nextOffset));
            Files.move(tmp, shard.offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record the offset of " + shard.ledger.origin(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(30));
        producer.close(Duration.ofSeconds(10));
        for (Shard s : shards.values()) {
            s.ledger.close();
        }
    }
}
