package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.ServerProcess;
import dev.trackrecord.api.Settings;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code trackrecord serve --kafka B --shards 4} processes; clients append over HTTP to both;
 * node b is killed with SIGKILL mid-load and its clients move to a. Afterwards every acknowledged
 * entry is in a's shards exactly once, and every shard b held is, in b's data directory, a
 * prefix of a's copy with the same root. In the slow step: it starts three JVMs.
 */
@Tag("slow")
class ShardedProcessTest {
    private static final int SHARDS = 4;
    private static final int MESSAGES = Integer.getInteger("sharded.messages", 2000);
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ECKey issuerKey;

    @Test
    void nodeKilledMidLoad_everyAcknowledgedEntryOnce_andRootsEqual() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Process a = serve("a", portA);
        Process b = null;
        try {
            assertThat(await(WAIT, () -> Files.exists(temp.resolve("a/keys/token-issuer.jwk"))
                    && held(portA).size() == SHARDS)).as("a holds every shard").isTrue();
            ShardedServerTest.copyTree(temp.resolve("a/keys"), temp.resolve("b/keys"));
            issuerKey = TokenKeys.load(new DataDirectory(temp.resolve("a")).tokenIssuerKey());
            b = serve("b", portB);
            assertThat(await(WAIT, () -> held(portA).size() == 2 && held(portB).size() == 2))
                    .as("two shards each").isTrue();
            List<String> heldByB = held(portB);

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger resent = new AtomicInteger();
            int[] ports = {portA, portB};
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int mine = t;
                clients.add(Thread.ofPlatform().start(() -> {
                    int i;
                    int port = ports[mine % 2];
                    while ((i = next.getAndIncrement()) < MESSAGES) {
                        String contractor = "p-" + (i % 100);
                        long deadline = System.nanoTime() + WAIT.toNanos();
                        while (System.nanoTime() < deadline) {
                            int status = append(port, audit(contractor, "proc-" + i, i % 10_001));
                            if (status / 100 == 2) {
                                acknowledged.add("proc-" + i);
                                break;
                            }
                            resent.incrementAndGet();
                            if (status < 0) {
                                port = portA; // b is gone: a client moves to the node that answers
                            }
                            sleep(100);
                        }
                    }
                }));
            }
            assertThat(await(WAIT, () -> acknowledged.size() >= MESSAGES / 4)).isTrue();
            b.destroyForcibly().waitFor(); // SIGKILL mid-load
            int atKill = acknowledged.size();
            for (Thread c : clients) {
                c.join(WAIT.toMillis() * 2);
            }
            assertThat(acknowledged).as("every append acknowledged in the end").hasSize(MESSAGES);
            assertThat(await(WAIT, () -> held(portA).size() == SHARDS)).isTrue();
            System.out.printf("b killed after %d of %d acknowledged; %d appends resent; b held shards %s%n",
                    atKill, MESSAGES, resent.get(), heldByB);
        } finally {
            if (b != null) {
                b.destroyForcibly().waitFor();
            }
            a.destroy(); // SIGTERM: the shutdown hook leaves the group and closes the ledgers
            if (!a.waitFor(30, TimeUnit.SECONDS)) {
                a.destroyForcibly().waitFor();
            }
        }

        Set<String> acknowledgedIds = new HashSet<>();
        for (int i = 0; i < MESSAGES; i++) {
            acknowledgedIds.add("proc-" + i);
        }
        List<String> ids = new ArrayList<>();
        int sharedShards = 0;
        for (int n = 0; n < SHARDS; n++) {
            String origin = Settings.DEFAULT_ORIGIN + "/shard-" + n;
            try (Ledger onA = Ledger.open(LedgerOptions.defaults(temp.resolve("a/shard-" + n), origin))) {
                for (long seq = 0; seq < onA.size(); seq++) {
                    JsonNode e = KafkaIngestTest.json(onA.entry(seq).orElseThrow());
                    if (e.path("event_id").asText().startsWith("proc-")) {
                        ids.add(e.path("event_id").asText());
                    }
                }
                Path bDir = temp.resolve("b/shard-" + n);
                if (Files.exists(bDir)) {
                    try (Ledger onB = Ledger.open(LedgerOptions.defaults(bDir, origin))) {
                        long size = Math.min(onA.size(), onB.size());
                        assertThat(onB.root(size)).as("shard " + n + " at " + size + " on both nodes")
                                .isEqualTo(onA.root(size));
                        if (onB.size() > 1) {
                            sharedShards++;
                        }
                    }
                }
            }
        }
        assertThat(new HashSet<>(ids)).as("no entry twice").hasSize(ids.size());
        assertThat(new HashSet<>(ids)).isEqualTo(acknowledgedIds);
        assertThat(sharedShards).as("shards b had applied entries to before it died").isPositive();
    }

    private Process serve(String node, int port) throws IOException {
        return ServerProcess.Launch.of(temp.resolve(node), "--kafka", BROKER.bootstrap(), "--shards",
                        Integer.toString(SHARDS), "--node-id", node).onPort(port).withHeap("512m")
                .command().redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve(node + ".log").toFile())).start();
    }

    /** The shards a node says it holds in /observe/health, empty when it does not answer. */
    private List<String> held(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode check : KafkaIngestTest.json(r.body().getBytes()).path("checks")) {
                if (check.path("name").asText().equals("shards")) {
                    String held = check.path("data").path("held").asText("[]");
                    held = held.substring(1, held.length() - 1).strip();
                    return held.isEmpty() ? List.of() : List.of(held.split(",\\s*"));
                }
            }
            return List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The status of an append, -1 when the node does not answer. */
    private int append(int port, String body) {
        String token = TokenKeys.mint(issuerKey, "trackrecord:" + Settings.DEFAULT_ORIGIN, "test-load",
                List.of(Role.INGEST), null, Duration.ofMinutes(5));
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/entries"))
                    .timeout(Duration.ofSeconds(40))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
