package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.readAll;
import static dev.trackrecord.api.kafka.KafkaTestClients.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.Settings;
import dev.trackrecord.api.ShardedServer;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.AdmissionRules;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes of the sharded mode over four shards, in this JVM with their own data directories,
 * served over HTTP: appends through Kafka answered once applied, reads forwarded to the shard's
 * node, per-shard checkpoints; then node a leaves mid-load and b takes over its shards, and records
 * of admission rules b does not implement halt the shards they are on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardedServerTest {
    static final int SHARDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    private static Path temp;
    private static ShardedServer a;
    private static ShardedServer b;
    private static ECKey issuerKey;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("trackrecord-sharded");
        a = ShardedServer.start(settings("a"));
        // Every node of a cluster shares the keys of the first.
        copyTree(temp.resolve("a/keys"), temp.resolve("b/keys"));
        b = ShardedServer.start(settings("b"));
        issuerKey = TokenKeys.load(new DataDirectory(temp.resolve("a")).tokenIssuerKey());
        assertThat(await(WAIT, () -> a.node().assignedShards().size() == SHARDS / 2
                && b.node().assignedShards().size() == SHARDS / 2
                && knowsTheOther(a, b) && knowsTheOther(b, a)))
                .as("each node holds two shards and knows where the other two are").isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        KafkaBroker.deleteTree(temp);
    }

    static Settings settings(String node) {
        return new Settings(temp.resolve(node), "127.0.0.1", 0, Settings.DEFAULT_ORIGIN, Duration.ofMillis(300),
                4L * 1024 * 1024, BROKER.bootstrap(), node).withShards(SHARDS);
    }

    private static boolean knowsTheOther(ShardedServer self, ShardedServer other) {
        for (int n : other.node().assignedShards()) {
            if (!self.node().ownerUrl(n).equals(java.util.Optional.of(other.url()))) {
                return false;
            }
        }
        return true;
    }

    /** A contractor whose shard {@code server} holds. */
    private static String contractorOn(ShardedServer server, String prefix) {
        for (int i = 0; ; i++) {
            String c = prefix + i;
            if (server.node().assignedShards().contains(Shards.shardOf(c, SHARDS))) {
                return c;
            }
        }
    }

    @Test
    @Order(1)
    void append_splitsByShard_answersOnceApplied_andReadsReachTheShardsNode() throws Exception {
        String onA = contractorOn(a, "ca-");
        String onB = contractorOn(b, "cb-");
        String batch = "{\"entries\":[" + audit(onA, "split-a", 9000) + "," + audit(onB, "split-b", 4000) + "]}";

        HttpResponse<String> first = post(a, "/v1/entries", Role.INGEST, batch);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode entries = KafkaIngestTest.json(first.body().getBytes()).path("entries");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).path("shard").asInt()).isEqualTo(Shards.shardOf(onA, SHARDS));
        assertThat(entries.get(1).path("shard").asInt()).isEqualTo(Shards.shardOf(onB, SHARDS));
        assertThat(entries.get(0).path("duplicate").asBoolean()).isFalse();
        // Acknowledged means applied: b's shard holds the entry at the answered seq right away.
        long seqB = entries.get(1).path("seq").asLong();
        assertThat(b.node().ledger(Shards.shardOf(onB, SHARDS)).orElseThrow().entry(seqB)).isPresent();

        HttpResponse<String> resent = post(b, "/v1/entries", Role.INGEST, batch);
        assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
        JsonNode again = KafkaIngestTest.json(resent.body().getBytes()).path("entries");
        assertThat(again.get(0).path("seq").asLong()).isEqualTo(entries.get(0).path("seq").asLong());
        assertThat(again.get(1).path("seq").asLong()).isEqualTo(seqB);
        assertThat(again.get(0).path("duplicate").asBoolean()).isTrue();

        HttpResponse<String> history = get(a, "/v1/contractors/" + onB + "/entries", Role.COMPLIANCE);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(history.headers().firstValue("TrackRecord-Node")).hasValue("b");
        assertThat(history.body()).contains("split-b").doesNotContain("split-a");
        assertThat(history.body()).contains("\"source\":\"test-ingest\"");

        HttpResponse<String> score = get(a, "/v1/contractors/" + onB + "/reputation", Role.MARKETPLACE);
        assertThat(score.statusCode()).as(score.body()).isEqualTo(200);
        assertThat(score.headers().firstValue("TrackRecord-Node")).hasValue("b");
        assertThat(KafkaIngestTest.json(score.body().getBytes()).path("contractor").asText()).isEqualTo(onB);

        HttpResponse<String> conflict = post(a, "/v1/entries", Role.INGEST, audit(onB, "split-b", 1234));
        assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
        assertThat(conflict.body()).contains("split-b");

        HttpResponse<String> invalid = post(a, "/v1/entries", Role.INGEST, audit(onB, "bad-score", 20_000));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("score_bp");

        assertThat(post(a, "/v1/entries", Role.MARKETPLACE, audit(onA, "no-role", 1)).statusCode()).isEqualTo(403);
        assertThat(get(a, "/v1/reputation/top?skill=ner", Role.MARKETPLACE).statusCode()).isEqualTo(501);
    }

    @Test
    @Order(1)
    void aRefusedDisputeInABatch_isNamedByItsPlaceInTheWholeRequest_onEitherNode() throws Exception {
        String onA = contractorOn(a, "pa-");
        String onB = contractorOn(b, "pb-");
        // Entry 2 of the request is entry 1 of the part for onB's shard, and resolves no dispute.
        String resolution = """
                {"kind":"dispute.resolved","contractor":"%s","event_id":"place-resolution","body":{\
                "occurred_at":"2026-03-16T10:00:00Z","dispute_seq":1,"target_seq":0,"resolution":"upheld",\
                "reason_code":"audit-corrected"}}""".formatted(onB);
        String batch = "{\"entries\":[" + audit(onA, "place-a", 9000) + "," + audit(onB, "place-b", 8000) + ","
                + resolution + "]}";

        for (ShardedServer node : List.of(a, b)) {
            HttpResponse<String> refused = post(node, "/v1/entries", Role.INGEST, batch);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            JsonNode problem = KafkaIngestTest.json(refused.body().getBytes());
            assertThat(problem.path("type").asText()).endsWith("dispute-conflict");
            assertThat(problem.path("errors").get(0).path("path").asText())
                    .as("through node " + node.nodeId()).isEqualTo("$.entries[2].body.dispute_seq");
            assertThat(problem.path("detail").asText()).startsWith("$.entries[2].body.dispute_seq:");
        }
    }

    @Test
    @Order(2)
    void checkpoints_arePerShard_signedUnderTheShardsOrigin() throws Exception {
        String onB = contractorOn(b, "cp-");
        int n = Shards.shardOf(onB, SHARDS);
        assertThat(post(a, "/v1/entries", Role.INGEST, audit(onB, "cp-1", 7000)).statusCode()).isEqualTo(201);
        long size = b.node().ledger(n).orElseThrow().size();

        HttpResponse<String> key = get(a, "/v1/checkpoints/key?shard=" + n, Role.MARKETPLACE);
        assertThat(key.statusCode()).isEqualTo(200);
        NoteVerifier verifier = NoteVerifier.parse(key.body().strip());
        assertThat(verifier.name()).isEqualTo(Settings.DEFAULT_ORIGIN + "/shard-" + n);
        assertThat(await(WAIT, () -> {
            HttpResponse<String> latest = get(a, "/v1/checkpoints/latest?shard=" + n, Role.MARKETPLACE);
            try {
                return latest.statusCode() == 200
                        && Checkpoint.open(latest.body().getBytes(), verifier).treeSize() >= size;
            } catch (Exception e) {
                return false;
            }
        })).as("a signed checkpoint of shard " + n + " covering size " + size).isTrue();

        HttpResponse<String> noShard = get(a, "/v1/checkpoints/latest", Role.MARKETPLACE);
        assertThat(noShard.statusCode()).isEqualTo(400);
        assertThat(noShard.body()).contains("shard");
        assertThat(get(a, "/v1/checkpoints/latest?shard=" + SHARDS, Role.MARKETPLACE).statusCode()).isEqualTo(400);

        // A _system entry goes to every shard, the part for b's shards through b.
        String policy = dev.trackrecord.ledger.reputation.Policy.defaultPolicyEntry()
                .replace("\"event_id\":\"policy-", "\"event_id\":\"policy-again-");
        HttpResponse<String> published = post(a, "/v1/entries", Role.ADMIN, policy);
        assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
        JsonNode items = KafkaIngestTest.json(published.body().getBytes()).path("entries");
        assertThat(items).hasSize(SHARDS);
        for (int s = 0; s < SHARDS; s++) {
            assertThat(items.get(s).path("shard").asInt()).isEqualTo(s);
            HttpResponse<String> entry = get(b, "/v1/entries/" + items.get(s).path("seq").asLong() + "?shard=" + s,
                    Role.COMPLIANCE);
            assertThat(entry.body()).contains("policy-again-");
        }

        // Every shard begins with the default policy, the same entry on every shard.
        for (int s = 0; s < SHARDS; s++) {
            HttpResponse<String> zero = get(a, "/v1/entries/0?shard=" + s, Role.COMPLIANCE);
            assertThat(zero.statusCode()).as(zero.body()).isEqualTo(200);
            assertThat(zero.body()).contains("\"kind\":\"policy.published\"");
        }
    }

    @Test
    @Order(3)
    void reputationChanges_carryTheNewScore() throws Exception {
        String onA = contractorOn(a, "rc-");
        assertThat(post(b, "/v1/entries", Role.INGEST, audit(onA, "rc-1", 9500)).statusCode()).isEqualTo(201);
        boolean seen = await(WAIT, () -> readAll(BROKER.bootstrap(), Topics.REPUTATION_CHANGES, Integer.MAX_VALUE,
                Duration.ofSeconds(1)).stream().anyMatch(r -> {
                    if (!onA.equals(text(r.key()))) {
                        return false;
                    }
                    JsonNode v = KafkaIngestTest.json(r.value());
                    return v.path("origin").asText().equals(Settings.DEFAULT_ORIGIN + "/shard-"
                            + Shards.shardOf(onA, SHARDS))
                            && v.path("reputation").path("overall").has("score");
                }));
        assertThat(seen).as("a change of " + onA + " with its score").isTrue();
    }

    @Test
    @Order(4)
    void nodeLeavesMidLoad_everyAcknowledgedEntryOnce_andRootsEqual() throws Exception {
        List<Integer> heldByA = a.node().assignedShards();
        int messages = 400;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            load.add(Thread.ofPlatform().start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < messages) {
                    String contractor = "load-" + (i % 40);
                    String eventId = "load-" + i;
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (System.nanoTime() < deadline) {
                        HttpResponse<String> r = post(b, "/v1/entries", Role.INGEST, audit(contractor, eventId, i));
                        if (r.statusCode() / 100 == 2) {
                            acknowledged.add(eventId);
                            break;
                        }
                        retries.incrementAndGet(); // 503 while a's shards move: resend, as a client would
                        sleep(100);
                    }
                }
            }));
        }
        assertThat(await(WAIT, () -> acknowledged.size() >= messages / 4)).isTrue();
        a.close(); // leaves the group mid-load
        Path dirA = temp.resolve("a");
        for (Thread t : load) {
            t.join(WAIT.toMillis() * 2);
        }
        assertThat(acknowledged).as("every append acknowledged in the end").hasSize(messages);
        assertThat(b.node().assignedShards()).hasSize(SHARDS);

        List<String> ids = new ArrayList<>();
        for (int n = 0; n < SHARDS; n++) {
            Ledger ledger = b.node().ledger(n).orElseThrow();
            for (long seq = 0; seq < ledger.size(); seq++) {
                JsonNode e = KafkaIngestTest.json(ledger.entry(seq).orElseThrow());
                if (e.path("event_id").asText().startsWith("load-")) {
                    assertThat(Shards.shardOf(e.path("contractor").asText(), SHARDS)).isEqualTo(n);
                    ids.add(e.path("event_id").asText());
                }
            }
        }
        assertThat(new HashSet<>(ids)).as("no entry twice").hasSize(ids.size());
        assertThat(new HashSet<>(ids)).isEqualTo(acknowledged);

        // Each shard a held: a's copy is a prefix of b's, with the same root at a's size.
        long compared = 0;
        for (int n : heldByA) {
            try (Ledger mine = Ledger.open(LedgerOptions.defaults(dirA.resolve("shard-" + n),
                    Settings.DEFAULT_ORIGIN + "/shard-" + n))) {
                Ledger theirs = b.node().ledger(n).orElseThrow();
                long size = mine.size();
                assertThat(size).isLessThanOrEqualTo(theirs.size());
                assertThat(mine.root(size)).as("root of shard " + n + " at " + size).isEqualTo(theirs.root(size));
                if (size > 0) {
                    assertThat(mine.entry(size - 1)).contains(theirs.entry(size - 1).orElseThrow());
                }
                compared += size;
            }
        }
        assertThat(compared).isPositive();
        System.out.printf("a held %s (%d entries); %d appends resent after 503s%n", heldByA, compared, retries.get());
        a = null;
    }

    @Test
    @Order(5)
    void aRecordOfAdmissionRulesTheNodeDoesNotImplement_haltsItsShardOnly() throws Exception {
        String here = contractorOn(b, "rules-");
        int n = Shards.shardOf(here, SHARDS);
        String elsewhere = "rules-";
        for (int i = 0; Shards.shardOf(elsewhere, SHARDS) == n; i++) {
            elsewhere = "rules-other-" + i;
        }
        Ledger shard = b.node().ledger(n).orElseThrow();
        try (var producer = KafkaTestClients.producer(BROKER.bootstrap())) {
            // Without the header (records from before it) and with this version's: applied.
            producer.send(sequenceRecord(n, here, audit(here, "rules-none", 8000), null)).get();
            producer.send(sequenceRecord(n, here, audit(here, "rules-one", 8000),
                    Integer.toString(AdmissionRules.VERSION))).get();
            assertThat(await(WAIT, () -> contains(shard, here, "rules-one"))).isTrue();
            assertThat(contains(shard, here, "rules-none")).isTrue();

            // A header that names no version: dead-lettered, naming the header; the shard goes on.
            producer.send(sequenceRecord(n, here, audit(here, "rules-garbled", 8000), "1.0")).get();
            producer.send(sequenceRecord(n, here, audit(here, "rules-next", 8000),
                    Integer.toString(AdmissionRules.VERSION))).get();
            assertThat(await(WAIT, () -> contains(shard, here, "rules-next"))).isTrue();
            assertThat(contains(shard, here, "rules-garbled")).isFalse();
            assertThat(readAll(BROKER.bootstrap(), Topics.EVENTS_DLQ, Integer.MAX_VALUE, Duration.ofSeconds(2))
                    .stream().filter(r -> text(r.value()).contains("rules-garbled"))
                    .map(r -> KafkaTestClients.header(r, Topics.ERROR_HEADER)))
                    .singleElement().asString().startsWith(ShardedNode.RULES_HEADER + " header: must be");

            String later = Integer.toString(AdmissionRules.VERSION + 1);
            producer.send(sequenceRecord(n, here, audit(here, "rules-later", 8000), later)).get();
            producer.send(sequenceRecord(n, here, audit(here, "rules-after", 8000),
                    Integer.toString(AdmissionRules.VERSION))).get();
        }
        HttpResponse<String>[] health = new HttpResponse[1];
        assertThat(await(WAIT, () -> (health[0] = get(b, "/observe/health", Role.ADMIN)).statusCode() == 503))
                .as("health reports the halted shard").isTrue();
        assertThat(health[0].body()).contains("shard-" + n + "-halted")
                .contains("admission rules version " + (AdmissionRules.VERSION + 1));
        long size = shard.size();
        assertThat(contains(shard, here, "rules-later")).as("the record of the later rules is not applied").isFalse();
        assertThat(contains(shard, here, "rules-after")).as("nor anything behind it").isFalse();

        HttpResponse<String> refused = post(b, "/v1/entries", Role.INGEST, audit(here, "rules-refused", 8000));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        JsonNode problem = KafkaIngestTest.json(refused.body().getBytes());
        assertThat(problem.path("type").asText()).endsWith("shard-halted");
        assertThat(problem.path("detail").asText()).contains("shard " + n)
                .contains("version " + (AdmissionRules.VERSION + 1)).contains("was not produced");

        HttpResponse<String> other = post(b, "/v1/entries", Role.INGEST, audit(elsewhere, "rules-elsewhere", 8000));
        assertThat(other.statusCode()).as("the other shards go on: " + other.body()).isEqualTo(201);
        assertThat(shard.size()).as("shard " + n + " stays where it stopped").isEqualTo(size);
    }

    @Test
    @Order(6)
    void anAppendWaitingForItsRecordWhenTheShardHalts_isAnswered503AtOnce_andNotAppended() throws Exception {
        String here = contractorOnARunningShard(b, "inflight-");
        int n = Shards.shardOf(here, SHARDS);
        Ledger shard = b.node().ledger(n).orElseThrow();
        long size = shard.size();
        Properties config = KafkaBridge.producerConfig(BROKER.bootstrap());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-inflight-halt");
        long laterAt;
        CompletableFuture<HttpResponse<String>> inFlight;
        long committed;
        try (var later = new KafkaProducer<byte[], byte[]>(config)) {
            later.initTransactions();
            // A record of later rules in a transaction left open: the node reads read_committed, so
            // it sees neither that record nor the append produced behind it until the commit.
            later.beginTransaction();
            laterAt = later.send(sequenceRecord(n, here, audit(here, "inflight-later", 8000),
                    Integer.toString(AdmissionRules.VERSION + 1))).get().offset();
            inFlight = CompletableFuture.supplyAsync(
                    () -> post(b, "/v1/entries", Role.INGEST, audit(here, "inflight-own", 8000)));
            assertThat(await(WAIT, () -> b.node().waiters(n) == 1))
                    .as("the append is produced and waits for its record").isTrue();
            assertThat(inFlight).isNotDone();
            later.commitTransaction();
            committed = System.nanoTime();
        }

        // Well under the append's own 30 s timeout, after which it would be answered shard-moving.
        HttpResponse<String> answer = assertThat(inFlight).succeedsWithin(Duration.ofSeconds(10)).actual();
        long answeredMillis = (System.nanoTime() - committed) / 1_000_000;
        System.out.printf("the append waiting on shard %d was answered %d ms after the halting record%n", n,
                answeredMillis);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = KafkaIngestTest.json(answer.body().getBytes());
        assertThat(problem.path("type").asText()).endsWith("shard-halted");
        assertThat(problem.path("detail").asText()).contains("shard " + n + " stopped at offset " + laterAt)
                .contains("version " + (AdmissionRules.VERSION + 1))
                .as("the caller learns its request is in the topic, not refused").contains("was produced at offset ");
        assertThat(b.node().waiters(n)).isZero();
        assertThat(get(b, "/observe/health", Role.ADMIN).body()).contains("shard-" + n + "-halted");

        // Not appended: the shard's log ends where it stood, and the contractor has no entry.
        assertThat(shard.size()).isEqualTo(size);
        HttpResponse<String> history = get(b, "/v1/contractors/" + here + "/entries", Role.COMPLIANCE);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(KafkaIngestTest.json(history.body().getBytes()).path("entries")).isEmpty();
        assertThat(get(b, "/v1/entries/" + size + "?shard=" + n, Role.COMPLIANCE).statusCode()).isEqualTo(404);
        // It was produced, behind the record that halted the shard, for a node of the later rules to apply.
        assertThat(readAll(BROKER.bootstrap(), ShardedNode.SEQUENCE, Integer.MAX_VALUE, Duration.ofSeconds(2))
                .stream().filter(r -> r.partition() == n && text(r.value()).contains("inflight-own"))
                .map(r -> r.offset()))
                .singleElement().satisfies(offset -> assertThat(offset).isGreaterThan(laterAt));
    }

    /** A contractor whose shard {@code server} holds and still applies (no earlier test halted it). */
    private static String contractorOnARunningShard(ShardedServer server, String prefix) {
        for (int i = 0; ; i++) {
            String c = prefix + i;
            int n = Shards.shardOf(c, SHARDS);
            if (server.node().holds(n) && server.node().shard(n).orElseThrow().halted().isEmpty()) {
                return c;
            }
        }
    }

    private static org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> sequenceRecord(
            int shard, String key, String request, String rules) {
        var r = new org.apache.kafka.clients.producer.ProducerRecord<>(ShardedNode.SEQUENCE, shard,
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        r.headers().add(ShardedNode.SOURCE_HEADER, "test-rules".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (rules != null) {
            r.headers().add(ShardedNode.RULES_HEADER, rules.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return r;
    }

    /** Whether {@code ledger} holds an entry with this event_id for the contractor the test appends for. */
    private static boolean contains(Ledger ledger, String contractor, String eventId) {
        for (long seq : ledger.contractorSeqs(contractor)) {
            String entry = new String(ledger.entry(seq).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8);
            if (entry.contains("\"event_id\":\"" + eventId + "\"")) {
                return true;
            }
        }
        return false;
    }

    static HttpResponse<String> post(ShardedServer server, String path, Role role, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token(role))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> get(ShardedServer server, String path, Role role) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token(role)).GET().build());
    }

    private static String token(Role role) {
        return TokenKeys.mint(issuerKey, "trackrecord:" + Settings.DEFAULT_ORIGIN, "test-" + role.claim(),
                List.of(role), null, Duration.ofMinutes(5));
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
