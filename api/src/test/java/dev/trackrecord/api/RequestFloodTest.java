package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.store.Fsck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients at once send request bodies of the largest accepted size (4 MiB) and a few larger,
 * to the real service in a 256 MiB heap: it answers 201, 503 with Retry-After (bodies being read
 * or the append queue at their limit) or 413, never runs out of memory, and is healthy afterwards.
 * The peak heap it reports is printed.
 *
 * <p>Size: {@code -Dtorture.flood.clients=200} (default 20).
 */
@Tag("torture")
class RequestFloodTest {
    private static final int CLIENTS = Integer.getInteger("torture.flood.clients", 20);
    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final Pattern USED_HEAP = Pattern.compile("(?m)^memory_usedHeap(?:_bytes)?(?:\\{[^}]*})? ([0-9.eE+]+)");

    @TempDir
    Path temp;

    @Test
    void flood_ofMaxSizeBodies_answers201Or503Or413_andTheHeapStaysBounded() throws Exception {
        Path data = temp.resolve("data");
        ServerProcess server = ServerProcess.start(data);
        try {
            ECKey key = TokenKeys.load(new DataDirectory(data).tokenIssuerKey());
            String token = TokenKeys.mint(key, "trackrecord:" + Settings.DEFAULT_ORIGIN, "flood",
                    List.of(Role.INGEST), null, Duration.ofMinutes(30));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            AtomicLong peakHeap = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread sampler = Thread.ofPlatform().daemon(true).start(() -> {
                while (!done.get()) {
                    usedHeap(http, server.base()).ifPresent(h -> peakHeap.accumulateAndGet(h, Math::max));
                    sleep(100);
                }
            });

            Map<Integer, AtomicInteger> statuses = new TreeMap<>();
            Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
            List<String> unexpected = new ArrayList<>();
            AtomicInteger appended = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> clients = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofVirtual().start(() -> {
                    boolean tooLarge = client % 10 == 9;
                    byte[] body = body("flood-" + client, tooLarge ? MAX_BODY + 1 : MAX_BODY);
                    try {
                        go.await();
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/v1/entries"))
                                .timeout(Duration.ofMinutes(5))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        counts.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        boolean ok = switch (r.statusCode()) {
                            case 201 -> !tooLarge;
                            case 503 -> r.headers().firstValue("Retry-After").isPresent();
                            case 413 -> tooLarge;
                            default -> false;
                        };
                        if (r.statusCode() == 201) {
                            appended.addAndGet(100);
                        }
                        if (!ok) {
                            synchronized (unexpected) {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        }
                    } catch (Exception e) {
                        synchronized (unexpected) {
                            unexpected.add(e.toString());
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread t : clients) {
                t.join();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            done.set(true);
            sampler.join();
            statuses.putAll(counts);

            assertThat(server.process.isAlive()).as("the server survived:\n" + server.output()).isTrue();
            assertThat(server.output()).doesNotContain("OutOfMemoryError");
            assertThat(unexpected).as("answers other than 201, 503 with Retry-After, or 413 for the oversized")
                    .isEmpty();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.base()
                    + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            System.out.printf("flood: %d clients, %d MiB of bodies in %d ms: %s; peak used heap %d MiB of 256 MiB%n",
                    CLIENTS, (long) CLIENTS * MAX_BODY >> 20, millis, statuses, peakHeap.get() >> 20);
            assertThat(peakHeap.get()).as("the sampler read the heap from /observe/metrics").isPositive();
            server.stop();
            Fsck.Report report = Fsck.check(data);
            assertThat(report.problem()).isEmpty();
            assertThat(report.entries()).as("the default policy and every acknowledged entry")
                    .isEqualTo(1 + appended.get());
        } finally {
            if (server.process.isAlive()) {
                server.kill();
            }
        }
    }

    /** A valid append of 100 entries padded with JSON whitespace to exactly {@code size} bytes. */
    private static byte[] body(String prefix, int size) {
        StringBuilder json = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 100; i++) {
            json.append(i == 0 ? "" : ",").append(TestServer.audit("c-" + (i % 20), prefix + "-" + i, 5000));
        }
        json.append("]}");
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) ' ');
        System.arraycopy(head, 0, out, 0, head.length);
        return out;
    }

    private static java.util.OptionalLong usedHeap(HttpClient http, String base) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/observe/metrics"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = USED_HEAP.matcher(r.body());
            return m.find() ? java.util.OptionalLong.of((long) Double.parseDouble(m.group(1)))
                    : java.util.OptionalLong.empty();
        } catch (Exception e) {
            return java.util.OptionalLong.empty();
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
