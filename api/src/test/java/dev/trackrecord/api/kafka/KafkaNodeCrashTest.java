package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.ServerProcess;
import dev.trackrecord.api.Settings;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node ({@code trackrecord serve --kafka}, in its own JVM) is killed with SIGKILL while it
 * ingests and started again: messages it appended but had not committed are delivered again,
 * and the event_id idempotency keeps each entry once. In the slow step: it starts two JVMs.
 */
@Tag("slow")
class KafkaNodeCrashTest {
    private static final int MESSAGES = 5000;

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @TempDir
    Path temp;

    @Test
    void nodeKilledDuringIngest_restartAppendsEveryMessageOnce() throws Exception {
        Path data = temp.resolve("data");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap()))) {
            Topics.createMissing(admin, 4);
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(BROKER.bootstrap())) {
                for (int i = 0; i < MESSAGES; i++) {
                    String contractor = "c-" + (i % 50);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, bytes(contractor),
                            bytes(audit(contractor, "crash-" + i, i % 10_001))));
                }
                producer.flush();
            }

            long t0 = System.nanoTime();
            Process first = serve(data, "first.log");
            try {
                assertThat(await(Duration.ofSeconds(60), () -> committed(admin) >= MESSAGES / 5))
                        .as("the node committed some offsets").isTrue();
            } finally {
                first.destroyForcibly().waitFor();
            }
            long committedAtKill = committed(admin);
            System.out.printf("killed after %d ms with %d committed%n", (System.nanoTime() - t0) / 1_000_000,
                    committedAtKill);
            t0 = System.nanoTime();
            assertThat(committedAtKill).as("killed mid-load").isLessThan(MESSAGES);

            Process second = serve(data, "second.log");
            try {
                assertThat(await(Duration.ofSeconds(60), () -> committed(admin) == MESSAGES))
                        .as("the restarted node committed every offset").isTrue();
                System.out.printf("restarted node done after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            } finally {
                second.destroy(); // SIGTERM: the shutdown hook closes the ledger
                if (!second.waitFor(30, TimeUnit.SECONDS)) {
                    second.destroyForcibly().waitFor();
                }
            }
        }

        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, Settings.DEFAULT_ORIGIN))) {
            List<String> ids = new ArrayList<>();
            for (long seq = 0; seq < ledger.size(); seq++) {
                ids.add(KafkaIngestTest.json(ledger.entry(seq).orElseThrow()).path("event_id").asText());
            }
            assertThat(new HashSet<>(ids)).as("no entry twice").hasSize(ids.size());
            // Besides the messages, a new log holds the default policy as its first entry.
            assertThat(ids.get(0)).startsWith("policy-");
            assertThat(ids.stream().filter(id -> id.startsWith("crash-"))).hasSize(MESSAGES);
            assertThat(ids).hasSize(MESSAGES + 1);
        }
    }

    private Process serve(Path data, String log) throws IOException {
        return ServerProcess.Launch.of(data, "--kafka", BROKER.bootstrap(), "--node-id", "node-1").withHeap("512m")
                .command().redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve(log).toFile())).start();
    }

    private static long committed(Admin admin) {
        try {
            return admin.listConsumerGroupOffsets("trackrecord-ingest").partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
