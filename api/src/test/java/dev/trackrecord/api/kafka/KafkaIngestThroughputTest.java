package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.Settings;
import dev.trackrecord.api.TrackRecordServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ingest throughput through Kafka on one node: {@value #MESSAGES} one-entry messages are put
 * on {@code ledger.events} first, then a node starts and the time until all are durable in its
 * ledger is measured (offsets committed per poll). Run with
 * {@code mvn -Pslow -pl api test -Dtest=KafkaIngestThroughputTest}; the rate is printed.
 */
@Tag("slow")
class KafkaIngestThroughputTest {
    private static final int MESSAGES = Integer.getInteger("kafka.bench.messages", 100_000);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void ingest_throughputOnOneNode() throws Exception {
        Path dataDir = Files.createTempDirectory("trackrecord-kafka-bench");
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap()))) {
                Topics.createMissing(admin, 4);
            }
            long produceStart = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(BROKER.bootstrap())) {
                for (int i = 0; i < MESSAGES; i++) {
                    String contractor = "c-" + (i % 1000);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, bytes(contractor),
                            bytes(audit(contractor, "bench-" + i, i % 10_001))));
                }
                producer.flush();
            }
            double produceSeconds = (System.nanoTime() - produceStart) / 1e9;

            long start = System.nanoTime();
            try (TrackRecordServer server = TrackRecordServer.start(new Settings(dataDir, "127.0.0.1", 0,
                    Settings.DEFAULT_ORIGIN, Duration.ofSeconds(2), 4L * 1024 * 1024).withKafka(BROKER.bootstrap()))) {
                assertThat(await(Duration.ofMinutes(1), () -> server.ledger().size() > 0)).isTrue();
                long first = System.nanoTime();
                long firstSize = server.ledger().size();
                boolean done = await(Duration.ofMinutes(10), () -> server.ledger().size() >= MESSAGES + 1);
                long end = System.nanoTime();
                double seconds = (end - start) / 1e9;
                double steady = (end - first) / 1e9;
                assertThat(done).isTrue();
                assertThat(server.ledger().size()).as("the messages and the default policy entry").isEqualTo(MESSAGES + 1);
                System.out.printf("kafka ingest: %d messages produced in %.1f s; ingested in %.1f s with node start "
                                + "= %.0f entries/s; %.0f entries/s from the first append (%d processors)%n",
                        MESSAGES, produceSeconds, seconds, MESSAGES / seconds, (MESSAGES - firstSize) / steady,
                        Runtime.getRuntime().availableProcessors());
            }
        } finally {
            KafkaBroker.deleteTree(dataDir);
        }
    }
}
