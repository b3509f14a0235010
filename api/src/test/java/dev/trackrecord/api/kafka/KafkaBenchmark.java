package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.bytes;

import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.Settings;
import dev.trackrecord.api.ShardedServer;
import dev.trackrecord.api.TrackRecordServer;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Figures for docs/BENCHMARKS.md ("Kafka"): ingest through {@code ledger.events} on one node, and
 * REST appends in the sharded mode (4 shards) with one node and with two, single entries and
 * batches of 100, each on a fresh broker. Everything (broker JVM, nodes, clients) shares this
 * machine. Prints a table; asserts nothing about speed.
 *
 * <pre>mvn -B -o -pl schemas,ledger,api test -Pslow -Dtest=KafkaBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Options: {@code -Dbench.ingest=20000} messages, {@code -Dbench.seconds=15} per append run,
 * {@code -Dbench.clients=32} concurrent HTTP clients.
 */
@Tag("slow")
class KafkaBenchmark {
    private static final int INGEST = Integer.getInteger("bench.ingest", 20_000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 32);
    private static final int SHARDS = 4;

    private final List<String> rows = new ArrayList<>();

    @Test
    void kafkaFigures() throws Exception {
        ingestOnOneNode();
        for (int batch : new int[] {1, 100}) {
            for (int nodes : new int[] {1, 2}) {
                shardedAppends(nodes, batch);
            }
        }
        System.out.printf("%n| run | entries/s | p50 | p99 | resent (503) |%n|---|---:|---:|---:|---:|%n");
        rows.forEach(System.out::println);
        System.out.printf("(%d processors, load average %.1f at the end)%n",
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private void ingestOnOneNode() throws Exception {
        KafkaBroker broker = new KafkaBroker();
        broker.beforeAll(null);
        Path data = Files.createTempDirectory("bench-ingest");
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
                Topics.createMissing(admin, 4);
            }
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(broker.bootstrap())) {
                for (int i = 0; i < INGEST; i++) {
                    String c = "c-" + (i % 1000);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, bytes(c), bytes(audit(c, "ingest-" + i, i % 10_001))));
                }
                producer.flush();
            }
            try (TrackRecordServer server = TrackRecordServer.start(new Settings(data, "127.0.0.1", 0,
                    Settings.DEFAULT_ORIGIN, Duration.ofSeconds(2), 4L * 1024 * 1024).withKafka(broker.bootstrap()))) {
                await(Duration.ofMinutes(1), () -> server.ledger().size() > 1);
                long first = System.nanoTime();
                long firstSize = server.ledger().size();
                await(Duration.ofMinutes(10), () -> server.ledger().size() >= INGEST + 1);
                double seconds = (System.nanoTime() - first) / 1e9;
                rows.add("| ingest from ledger.events, 1 node, %d one-entry messages | %.0f | | | |"
                        .formatted(INGEST, (server.ledger().size() - firstSize) / seconds));
            }
        } finally {
            broker.afterAll(null);
            KafkaBroker.deleteTree(data);
        }
    }

    private void shardedAppends(int nodes, int batch) throws Exception {
        KafkaBroker broker = new KafkaBroker();
        broker.beforeAll(null);
        Path temp = Files.createTempDirectory("bench-sharded");
        List<ShardedServer> servers = new ArrayList<>();
        try {
            for (int n = 0; n < nodes; n++) {
                if (n > 0) {
                    ShardedServerTest.copyTree(temp.resolve("n0/keys"), temp.resolve("n" + n + "/keys"));
                }
                servers.add(ShardedServer.start(new Settings(temp.resolve("n" + n), "127.0.0.1", 0,
                        Settings.DEFAULT_ORIGIN, Duration.ofSeconds(2), 8L * 1024 * 1024, broker.bootstrap(), "n" + n)
                        .withShards(SHARDS)));
            }
            await(Duration.ofMinutes(1), () -> servers.stream().allMatch(s -> s.node().assignedShards().size()
                    == SHARDS / nodes));
            ECKey key = TokenKeys.load(new DataDirectory(temp.resolve("n0")).tokenIssuerKey());
            String token = TokenKeys.mint(key, "trackrecord:" + Settings.DEFAULT_ORIGIN, "bench", List.of(Role.INGEST),
                    null, Duration.ofHours(1));
            HttpClient http = HttpClient.newHttpClient();
            AtomicInteger next = new AtomicInteger();
            AtomicLong resent = new AtomicLong();
            long warmUpEnd = System.nanoTime() + 3_000_000_000L;
            long end = warmUpEnd + SECONDS * 1_000_000_000L;
            long[][] latencies = new long[CLIENTS][];
            int[] counts = new int[CLIENTS];
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int me = t;
                latencies[me] = new long[1 << 16];
                clients.add(Thread.ofVirtual().start(() -> {
                    URI uri = URI.create("http://127.0.0.1:" + servers.get(me % nodes).port() + "/v1/entries");
                    while (System.nanoTime() < end) {
                        StringBuilder body = new StringBuilder("{\"entries\":[");
                        for (int j = 0; j < batch; j++) {
                            int i = next.getAndIncrement();
                            String c = "c-" + (i % 1000);
                            body.append(j == 0 ? "" : ",").append(audit(c, "bench-" + i, i % 10_001));
                        }
                        body.append("]}");
                        long start = System.nanoTime();
                        try {
                            int status = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode();
                            if (status / 100 != 2) {
                                resent.incrementAndGet();
                                continue;
                            }
                        } catch (Exception e) {
                            resent.incrementAndGet();
                            continue;
                        }
                        long done = System.nanoTime();
                        if (start >= warmUpEnd && done <= end && counts[me] < latencies[me].length) {
                            latencies[me][counts[me]++] = done - start;
                        }
                    }
                }));
            }
            for (Thread c : clients) {
                c.join();
            }
            long requests = Arrays.stream(counts).sum();
            long[] all = new long[(int) requests];
            int at = 0;
            for (int t = 0; t < CLIENTS; t++) {
                System.arraycopy(latencies[t], 0, all, at, counts[t]);
                at += counts[t];
            }
            Arrays.sort(all);
            rows.add("| REST appends, %d node%s, 4 shards, %s, %d clients | %.0f | %.1f ms | %.1f ms | %d |".formatted(
                    nodes, nodes == 1 ? "" : "s", batch == 1 ? "single entries" : "batches of " + batch, CLIENTS,
                    requests * batch / (double) SECONDS, all.length == 0 ? 0 : all[all.length / 2] / 1e6,
                    all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6, resent.get()));
            System.out.println(rows.getLast());
        } finally {
            for (ShardedServer s : servers) {
                s.close();
            }
            broker.afterAll(null);
            KafkaBroker.deleteTree(temp);
        }
    }
}
