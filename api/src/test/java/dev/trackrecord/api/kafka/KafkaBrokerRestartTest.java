package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.Settings;
import dev.trackrecord.api.TrackRecordServer;
import dev.trackrecord.ledger.store.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker crashes and comes back while messages are produced and ingested. In the slow step (about 40 s). */
@Tag("slow")
class KafkaBrokerRestartTest {
    private static final int MESSAGES = 3000;

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void brokerKilledDuringIngest_everyAcknowledgedEntryAppendedOnce() throws Exception {
        Path dataDir = Files.createTempDirectory("trackrecord-kafka-restart");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        try (TrackRecordServer server = TrackRecordServer.start(new Settings(dataDir, "127.0.0.1", 0,
                Settings.DEFAULT_ORIGIN, Duration.ofMillis(500), 4L * 1024 * 1024).withKafka(BROKER.bootstrap()));
             KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(BROKER.bootstrap())) {
            Ledger ledger = server.ledger();
            long base = ledger.size(); // the default policy entry the service publishes at first start
            Thread load = Thread.ofPlatform().name("test-load").start(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    String contractor = "c-" + (i % 50);
                    String eventId = "restart-" + i;
                    producer.send(new ProducerRecord<>(Topics.EVENTS, bytes(contractor),
                            bytes(audit(contractor, eventId, i % 10_001))), (metadata, e) -> {
                                if (e == null) {
                                    acknowledged.add(eventId);
                                } else {
                                    failed.incrementAndGet();
                                }
                            });
                    if (i % 50 == 49) {
                        sleep(20); // spread the load over the restart
                    }
                }
                producer.flush();
            });

            assertThat(await(Duration.ofSeconds(30), () -> ledger.size() >= base + 300)).as("ingest started").isTrue();
            BROKER.kill();
            long sizeWhileDown = ledger.size();
            Thread.sleep(500);
            BROKER.start();
            load.join(Duration.ofSeconds(120));

            assertThat(failed.get()).as("sends that failed").isZero();
            assertThat(acknowledged).hasSize(MESSAGES);
            assertThat(sizeWhileDown).as("the broker went down mid-load").isLessThan(base + MESSAGES);
            boolean all = await(Duration.ofSeconds(60), () -> ledger.size() >= base + MESSAGES);
            List<String> ids = new ArrayList<>();
            for (long seq = 0; seq < ledger.size(); seq++) {
                ids.add(KafkaIngestTest.json(ledger.entry(seq).orElseThrow()).path("event_id").asText());
            }
            assertThat(new HashSet<>(ids)).as("no entry twice").hasSize(ids.size());
            assertThat(ids).as("every acknowledged message appended").containsAll(acknowledged);
            assertThat(all).isTrue();
            assertThat(ledger.size()).isEqualTo(base + MESSAGES);
        } finally {
            KafkaBroker.deleteTree(dataDir);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
