package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.store.Fsck;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the real service with SIGKILL while clients append over REST, restarts it, and checks
 * that nothing acknowledged was lost or doubled and nothing unacknowledged is half there.
 *
 * <p>Each round: retry the previous round's unacknowledged requests with their event_ids (an entry
 * that made it to disk must come back with its seq, marked duplicate; one that did not is appended
 * once), then 8 clients with fixed seeds append batches of 1 to 4 entries until the server is
 * killed at a random moment. With the server down: fsck passes, and the log holds every
 * acknowledged entry once at its acknowledged seq and nothing that was never sent.
 *
 * <p>Size: {@code -Dtorture.crash.rounds=50} (default 1), seed {@code -Dtorture.seed}.
 */
@Tag("torture")
class RestCrashTest {
    private static final int ROUNDS = Integer.getInteger("torture.crash.rounds", 1);
    private static final long SEED = Long.getLong("torture.seed", 0x5EEDL);
    private static final int CLIENTS = 8;

    @TempDir
    Path temp;

    /** One append request: its body and the event ids in it. */
    private record Request(String body, List<String> eventIds) {
    }

    @Test
    void sigkillDuringRestAppends_losesNothingAcknowledged_andRetriesGetTheSameSeq() throws Exception {
        Path data = temp.resolve("data");
        SplittableRandom random = new SplittableRandom(SEED);
        Map<String, Long> acked = new ConcurrentHashMap<>();
        Map<String, String> sent = new ConcurrentHashMap<>();
        List<Request> unacked = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String token = null;
        System.out.printf("crash over REST: %d rounds, %d clients, seed %#x%n", ROUNDS, CLIENTS, SEED);
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            ServerProcess server = ServerProcess.start(data);
            long startMillis = (System.nanoTime() - t0) / 1_000_000;
            if (token == null) {
                ECKey key = TokenKeys.load(new DataDirectory(data).tokenIssuerKey());
                token = TokenKeys.mint(key, "trackrecord:" + Settings.DEFAULT_ORIGIN, "crash-ingest",
                        List.of(Role.INGEST), null, Duration.ofHours(2));
            }
            String base = server.base();

            // Retries of what the last kill left unanswered, and a sample of acknowledged resends.
            int retriedPresent = 0;
            for (Request r : unacked) {
                JsonNode answer = appendOk(http, base, token, r.body());
                for (int i = 0; i < r.eventIds().size(); i++) {
                    JsonNode e = answer.get("entries").get(i);
                    String id = r.eventIds().get(i);
                    Long earlier = acked.get(id);
                    if (earlier != null) {
                        assertThat(e.get("seq").asLong()).as("retry of %s", id).isEqualTo(earlier);
                        assertThat(e.get("duplicate").asBoolean()).isTrue();
                        retriedPresent++;
                    } else {
                        assertThat(e.get("duplicate").asBoolean()).as("retry of %s, not in the log", id).isFalse();
                        acked.put(id, e.get("seq").asLong());
                    }
                }
            }
            int retried = unacked.size();
            unacked.clear();
            List<String> sample = new ArrayList<>(acked.keySet());
            Collections.sort(sample);
            for (int i = 0; i < Math.min(10, sample.size()); i++) {
                String id = sample.get(random.nextInt(sample.size()));
                JsonNode e = appendOk(http, base, token, sent.get(id))
                        .get("entries").get(0);
                assertThat(e.get("seq").asLong()).as("resend of acknowledged %s", id).isEqualTo(acked.get(id));
                assertThat(e.get("duplicate").asBoolean()).isTrue();
            }

            // Load, then kill -9 at a random moment.
            AtomicBoolean stop = new AtomicBoolean();
            List<Request> lost = Collections.synchronizedList(new ArrayList<>());
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            Map<String, Long> ackedThisRound = new ConcurrentHashMap<>();
            CountDownLatch firstAck = new CountDownLatch(1);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long clientSeed = random.nextLong();
                String prefix = "r" + round + "-c" + c + "-";
                String t = token;
                clients.add(Thread.ofPlatform().start(() -> runClient(base, t, prefix, clientSeed, stop, sent,
                        ackedThisRound, lost, errors, firstAck)));
            }
            assertThat(firstAck.await(60, TimeUnit.SECONDS)).as("appends flow in round %d", round).isTrue();
            Thread.sleep(200 + random.nextInt(1500));
            server.kill();
            stop.set(true);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(errors).as("answers other than success, 503 or a dropped connection").isEmpty();
            acked.putAll(ackedThisRound);
            unacked.addAll(lost);

            // With the server down: fsck, then every acknowledged entry once at its seq, nothing unsent.
            long f0 = System.nanoTime();
            Fsck.Report report = Fsck.check(data);
            long fsckMillis = (System.nanoTime() - f0) / 1_000_000;
            assertThat(report.problem()).as("fsck after the kill in round %d", round).isEmpty();
            Map<String, Long> inLog = readLog(data);
            for (Map.Entry<String, Long> a : acked.entrySet()) {
                assertThat(inLog.get(a.getKey())).as("acknowledged %s", a.getKey()).isEqualTo(a.getValue());
            }
            int committedUnacked = 0;
            for (String id : inLog.keySet()) {
                if (!id.startsWith("r")) {
                    continue;  // the default policy
                }
                assertThat(sent).as("%s is in the log but was never sent", id).containsKey(id);
                if (!acked.containsKey(id)) {
                    committedUnacked++;
                    acked.put(id, inLog.get(id));  // its retry must get this seq
                }
            }
            System.out.printf("  round %2d: start %5d ms, %2d retried requests (%d entries were in), %6d acked,"
                            + " %3d requests unanswered at the kill (%d entries committed anyway), log %7d, fsck %4d ms%n",
                    round, startMillis, retried, retriedPresent, ackedThisRound.size(), lost.size(),
                    committedUnacked, report.entries(), fsckMillis);
        }
        // A last start: the unanswered ones once more, then a clean stop and fsck.
        ServerProcess server = ServerProcess.start(data);
        for (Request r : unacked) {
            JsonNode answer = appendOk(http, server.base(), token, r.body());
            for (int i = 0; i < r.eventIds().size(); i++) {
                Long earlier = acked.get(r.eventIds().get(i));
                if (earlier != null) {
                    assertThat(answer.get("entries").get(i).get("seq").asLong()).isEqualTo(earlier);
                }
            }
        }
        server.stop();
        Fsck.Report report = Fsck.check(data);
        assertThat(report.problem()).isEmpty();
        assertThat(report.sealed()).as("a clean stop seals the directory").isTrue();
    }

    private static void runClient(String base, String token, String prefix, long seed, AtomicBoolean stop,
                                  Map<String, String> sent, Map<String, Long> acked, List<Request> lost,
                                  List<String> errors, CountDownLatch firstAck) {
        SplittableRandom random = new SplittableRandom(seed);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int n = 0;
        while (!stop.get()) {
            int count = 1 + random.nextInt(4);
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"entries\":[");
            for (int i = 0; i < count; i++) {
                String id = prefix + n++;
                ids.add(id);
                String entry = TestServer.audit("c-" + random.nextInt(40), id, random.nextInt(10001));
                sent.put(id, entry);
                body.append(i == 0 ? "" : ",").append(entry);
            }
            Request request = new Request(body.append("]}").toString(), ids);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/entries"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(request.body())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 201) {
                    JsonNode entries = TestServer.json(r.body()).get("entries");
                    for (int i = 0; i < ids.size(); i++) {
                        acked.put(ids.get(i), entries.get(i).get("seq").asLong());
                    }
                    firstAck.countDown();
                } else if (r.statusCode() == 503) {
                    lost.add(request);
                } else {
                    errors.add(r.statusCode() + " " + r.body());
                    return;
                }
            } catch (IOException e) {
                lost.add(request);  // in flight when the server died, or sent after
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static JsonNode appendOk(HttpClient http, String base, String token, String body)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/entries"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return TestServer.json(r.body());
    }

    /** event_id to seq of every entry in the stopped log. */
    private static Map<String, Long> readLog(Path data) throws Exception {
        Map<String, Long> bySeq = new HashMap<>();
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, Settings.DEFAULT_ORIGIN))) {
            for (long seq = 0; seq < ledger.size(); seq++) {
                Entry e = Entry.parse(ledger.entry(seq).orElseThrow());
                assertThat(bySeq.put(e.eventId(), seq)).as("event_id %s twice", e.eventId()).isNull();
            }
        }
        return bySeq;
    }
}
