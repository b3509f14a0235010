package dev.trackrecord.api.kafka;

import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.store.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An embedded node's connection to Kafka: creates the topics when missing, consumes
 * {@code ledger.events} into the ledger and publishes changes and checkpoints.
 * {@link #close()} stops consuming first, then publishing.
 */
public final class KafkaBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaBridge.class.getName());

    private final KafkaIngest ingest;
    private final Thread ingestThread;
    private final CheckpointPublisher checkpoints;
    private final Producer<byte[], byte[]> producer;

    /**
     * How a node uses Kafka.
     *
     * @param bootstrap       the brokers, {@code host:port[,host:port...]}
     * @param groupId         the consumer group of the ingest; nodes with one group share the work
     * @param source          the {@code source} recorded in entries appended from Kafka
     * @param eventPartitions partitions of {@code ledger.events} when this node creates it
     * @param instanceId      the static group member id ({@code group.instance.id}), blank for none:
     *                        a node restarted under the same id gets its partitions back at once
     *                        instead of after the session timeout
     */
    public record Options(String bootstrap, String groupId, String source, int eventPartitions, String instanceId) {
        public Options {
            if (bootstrap.isBlank()) {
                throw new IllegalArgumentException("the Kafka bootstrap servers must not be blank");
            }
            if (eventPartitions < 1) {
                throw new IllegalArgumentException("ledger.events needs at least one partition, was " + eventPartitions);
            }
        }

        /** Group {@code trackrecord-ingest}, source {@code kafka:ledger.events}, 4 partitions. */
        public static Options defaults(String bootstrap) {
            return new Options(bootstrap, "trackrecord-ingest", "kafka:" + Topics.EVENTS, 4, "");
        }

        public Options withInstanceId(String id) {
            return new Options(bootstrap, groupId, source, eventPartitions, id);
        }
    }

    private KafkaBridge(KafkaIngest ingest, Thread ingestThread, CheckpointPublisher checkpoints,
                        Producer<byte[], byte[]> producer) {
        this.ingest = ingest;
        this.ingestThread = ingestThread;
        this.checkpoints = checkpoints;
        this.producer = producer;
    }

    /**
     * Creates the missing topics and starts consuming and publishing.
     *
     * @throws IllegalStateException if the topics cannot be created (no broker reachable)
     */
    public static KafkaBridge start(Options options, Ledger ledger, ReputationIndex reputation,
                                    Duration checkpointPoll) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Topics.createMissing(admin, options.eventPartitions());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Kafka topics", e);
        }
        Producer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(options.bootstrap()));
        var consumer = new KafkaConsumer<byte[], byte[]>(consumerConfig(options));
        var ingest = new KafkaIngest(consumer, producer, ledger, new SubmissionValidator(Clock.systemUTC()),
                new KafkaChangePublisher(producer, ledger.origin(), reputation), options.source());
        Thread thread = Thread.ofPlatform().name("kafka-ingest").daemon(true).unstarted(ingest);
        thread.setUncaughtExceptionHandler((t, e) -> LOG.log(Level.SEVERE, "Kafka ingest stopped", e));
        thread.start();
        var checkpoints = new CheckpointPublisher(ledger, producer, checkpointPoll);
        return new KafkaBridge(ingest, thread, checkpoints, producer);
    }

    /** An idempotent producer that waits for every in-sync replica (acks=all). */
    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private static Properties consumerConfig(Options options) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        if (!options.instanceId().isBlank()) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, options.instanceId());
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** Messages of {@code ledger.events} appended (new or resent) since start, for tests and metrics. */
    public long appendedMessages() {
        return ingest.appendedMessages();
    }

    /** Messages sent to {@code ledger.events.dlq} since start. */
    public long deadLetteredMessages() {
        return ingest.deadLetteredMessages();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            ingest.stop();
            ingestThread.join(Duration.ofSeconds(30));
            checkpoints.close();
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
