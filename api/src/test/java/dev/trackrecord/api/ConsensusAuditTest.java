package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.trackrecord.api.auth.Role;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /v1/audits/consensus over HTTP, against a real server whose reputation index follows its ledger. */
class ConsensusAuditTest {
    private static final String PATH = "/v1/audits/consensus";
    private static final List<String> GOOD = List.of("c-good1", "c-good2", "c-good3");
    private static final String NOISY = "c-noisy";
    private static TestServer server;
    private static String ingest;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ingest = server.token(Role.INGEST);
        // Contractors must be in the ledger before a batch may name them; c-good1 also has a gold
        // audit of the skill, which becomes its prior.
        for (String c : List.of("c-good1", "c-good2", "c-good3", NOISY, "c-other")) {
            server.append(TestServer.audit(c, "seed-" + c, 9000));
        }
        server.append("""
                {"kind":"audit.result","contractor":"c-good1","event_id":"seed-gold-sentiment","body":{
                "occurred_at":"2026-03-15T10:00:00Z","audit_id":"gold-1","task_id":"task-1","method":"gold",
                "auditor":"qa","verdict":"pass","score_bp":9500,"skills":["sentiment"],"items":40,"error_tags":[],
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Labels of 20 items: the three good contractors give the truth, the noisy one is wrong on every other item. */
    private static List<String> labels() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String truth = i % 3 == 0 ? "pos" : "neg";
            for (String c : GOOD) {
                out.add(label("item-" + i, c, truth));
            }
            out.add(label("item-" + i, NOISY, i % 2 == 0 ? truth : (truth.equals("pos") ? "neg" : "pos")));
        }
        return out;
    }

    private static String label(String item, String contractor, String label) {
        return "{\"item\":\"" + item + "\",\"contractor\":\"" + contractor + "\",\"label\":\"" + label + "\"}";
    }

    /** A batch in skill topic; only the first test audits sentiment, where c-good1 has a gold history. */
    private static String batch(String batchId, List<String> labels, String extra) {
        return batch(batchId, "topic", labels, extra);
    }

    private static String batch(String batchId, String skill, List<String> labels, String extra) {
        return "{\"batch_id\":\"" + batchId + "\",\"skill\":\"" + skill + "\",\"task_ref\":\"task-77\"," + extra
                + "\"labels\":[" + String.join(",", labels) + "]}";
    }

    private static JsonNode contractor(JsonNode answer, String id) {
        for (JsonNode c : answer.get("contractors")) {
            if (c.get("contractor").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no contractor " + id + " in " + answer);
    }

    @Test
    void goodBatch_appendsOneAuditPerContractor_andReputationReflectsIt() {
        long before = server.logSize();
        HttpResponse<String> r = server.post(PATH, ingest, batch("b-good", "sentiment", labels(), "\"gold\":[{\"item\":\"item-0\",\"gold\":\"pos\"}],"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode a = TestServer.json(r.body());
        assertThat(server.logSize()).isEqualTo(before + 4);
        assertThat(a.get("evidence_sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(a.get("method").asText()).isEqualTo("ds");
        assertThat(a.get("items")).hasSize(20);
        for (JsonNode item : a.get("items")) {
            int i = Integer.parseInt(item.get("item").asText().substring(5));
            assertThat(item.get("label").asText()).isEqualTo(i % 3 == 0 ? "pos" : "neg");
            assertThat(item.get("posterior").asDouble()).isGreaterThan(0.5);
            assertThat(item.get("gold").asBoolean()).isEqualTo(i == 0);
        }
        JsonNode good = contractor(a, "c-good2");
        JsonNode noisy = contractor(a, NOISY);
        assertThat(good.get("accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(noisy.get("accuracy").asDouble()).isBetween(0.3, 0.7);
        assertThat(noisy.get("lower").asDouble()).isLessThan(noisy.get("accuracy").asDouble());
        assertThat(noisy.get("upper").asDouble()).isGreaterThan(noisy.get("accuracy").asDouble());
        assertThat(noisy.get("items").asInt()).isEqualTo(20);
        assertThat(good.get("verdict").asText()).isEqualTo("pass");
        assertThat(noisy.get("verdict").asText()).isEqualTo("fail");
        // c-good1's earlier gold audit of 40 items at 0.95, discounted by 0.3, is its prior.
        JsonNode prior = contractor(a, "c-good1").get("prior");
        assertThat(prior.get("correct").asDouble()).isCloseTo(0.3 * 40 * 0.95, within(1e-9));
        assertThat(prior.get("wrong").asDouble()).isCloseTo(0.3 * 40 * 0.05, within(1e-9));
        assertThat(good.has("prior")).isFalse();

        JsonNode entry = TestServer.json(server.get("/v1/entries/" + noisy.get("seq").asLong(),
                server.token(Role.COMPLIANCE)).body());
        assertThat(entry.get("kind").asText()).isEqualTo("audit.result");
        assertThat(entry.get("contractor").asText()).isEqualTo(NOISY);
        assertThat(entry.get("event_id").asText()).isEqualTo("consensus:b-good:c-noisy");
        JsonNode body = entry.get("body");
        assertThat(body.get("method").asText()).isEqualTo("consensus");
        assertThat(body.get("score_bp").asLong()).isEqualTo(noisy.get("accuracy_bp").asLong());
        assertThat(body.get("verdict").asText()).isEqualTo("fail");
        assertThat(body.get("auditor").asText()).isEqualTo("test-ingest");
        assertThat(body.get("task_id").asText()).isEqualTo("task-77");
        assertThat(body.get("audit_id").asText()).isEqualTo("b-good:c-noisy");
        assertThat(body.get("skills").get(0).asText()).isEqualTo("sentiment");
        assertThat(body.get("items").asInt()).isEqualTo(20);
        assertThat(body.get("evidence_sha256").asText()).isEqualTo(a.get("evidence_sha256").asText());

        String marketplace = server.token(Role.MARKETPLACE);
        JsonNode goodRep = TestServer.json(server.get("/v1/contractors/c-good2/reputation", marketplace).body());
        JsonNode noisyRep = TestServer.json(server.get("/v1/contractors/c-noisy/reputation", marketplace).body());
        assertThat(noisyRep.get("as_of").get("seq").asLong()).isEqualTo(server.logSize() - 1);
        assertThat(goodRep.get("skills").get("sentiment").get("score").asDouble())
                .isGreaterThan(noisyRep.get("skills").get("sentiment").get("score").asDouble());
    }

    @Test
    void resend_inAnotherOrder_appendsNothingAndAnswersTheSameSeqs() {
        List<String> labels = labels();
        HttpResponse<String> first = server.post(PATH, ingest, batch("b-resend", labels, "\"method\":\"ds\","));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        long size = server.logSize();
        Collections.shuffle(labels, new Random(7));
        // Same input: method omitted is ds, labels in another order; another role may resend it.
        HttpResponse<String> again = server.post(PATH, server.token(Role.ADMIN), batch("b-resend", labels, ""));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(server.logSize()).isEqualTo(size);
        JsonNode a = TestServer.json(first.body());
        JsonNode b = TestServer.json(again.body());
        assertThat(b.get("evidence_sha256")).isEqualTo(a.get("evidence_sha256"));
        assertThat(b.get("contractors")).isEqualTo(a.get("contractors"));
        assertThat(b.get("items")).isEqualTo(a.get("items"));
        assertThat(b.get("entries").findValues("seq")).isEqualTo(a.get("entries").findValues("seq"));
        assertThat(b.get("entries").findValues("duplicate")).allMatch(JsonNode::asBoolean);
    }

    @Test
    void sameBatchTwiceAtOnce_appendsOnce() throws Exception {
        long size = server.logSize();
        String body = batch("b-race", labels(), "");
        var first = CompletableFuture.supplyAsync(() -> server.post(PATH, ingest, body));
        var second = CompletableFuture.supplyAsync(() -> server.post(PATH, ingest, body));
        List<Integer> statuses = Stream.of(first.get(), second.get()).map(HttpResponse::statusCode).sorted().toList();
        assertThat(statuses).containsExactly(200, 201);
        assertThat(server.logSize()).isEqualTo(size + 4);
        assertThat(TestServer.json(first.get().body()).get("entries").findValues("seq"))
                .isEqualTo(TestServer.json(second.get().body()).get("entries").findValues("seq"));
    }

    @Test
    void batchIdReused_withOtherInput_is409NamingIt() {
        assertThat(server.post(PATH, ingest, batch("b-reused", labels(), "")).statusCode()).isEqualTo(201);
        long size = server.logSize();
        List<String> other = new ArrayList<>(labels());
        other.set(0, label("item-0", "c-good1", "neg"));
        HttpResponse<String> r = server.post(PATH, ingest, batch("b-reused", other, ""));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertProblem(r, "batch-conflict");
        assertThat(r.body()).contains("b-reused");
        assertThat(server.logSize()).isEqualTo(size);
        // Other contractors entirely: still the same batch id.
        HttpResponse<String> disjoint = server.post(PATH, ingest, batch("b-reused",
                List.of(label("x", "c-other", "a"), label("x", "c-good3", "a")), ""));
        assertThat(disjoint.statusCode()).as(disjoint.body()).isEqualTo(409);
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void evidence_isSha256OfTheCanonicalSortedInput() throws Exception {
        String body = "{\"task_ref\":\"t-1\",\"labels\":[" + label("b", "c-good2", "x") + "," + label("a", "c-other", "y")
                + "," + label("a", "c-good1", "x") + "," + label("b", "c-good1", "x") + "],\"skill\":\"topic\","
                + "\"batch_id\":\"b-evidence\",\"gold\":[{\"item\":\"b\",\"gold\":\"x\"}]}";
        HttpResponse<String> r = server.post(PATH, ingest, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String canonical = "{\"batch_id\":\"b-evidence\",\"gold\":[{\"gold\":\"x\",\"item\":\"b\"}],\"labels\":["
                + "{\"contractor\":\"c-good1\",\"item\":\"a\",\"label\":\"x\"},"
                + "{\"contractor\":\"c-other\",\"item\":\"a\",\"label\":\"y\"},"
                + "{\"contractor\":\"c-good1\",\"item\":\"b\",\"label\":\"x\"},"
                + "{\"contractor\":\"c-good2\",\"item\":\"b\",\"label\":\"x\"}],"
                + "\"method\":\"ds\",\"skill\":\"topic\",\"task_ref\":\"t-1\"}";
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        assertThat(TestServer.json(r.body()).get("evidence_sha256").asText()).isEqualTo(expected);
    }

    @Test
    void methods_onecoinAndMv_areAccepted() {
        for (String method : List.of("onecoin", "mv")) {
            HttpResponse<String> r = server.post(PATH, ingest, batch("b-" + method, labels(), "\"method\":\"" + method + "\","));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            JsonNode a = TestServer.json(r.body());
            assertThat(a.get("method").asText()).isEqualTo(method);
            assertThat(contractor(a, "c-good3").get("accuracy").asDouble())
                    .isGreaterThan(contractor(a, NOISY).get("accuracy").asDouble());
        }
    }

    static Stream<Arguments> badBatches() {
        List<String> pairs = new ArrayList<>(labels());
        pairs.add(label("item-3", "c-good2", "pos"));
        List<String> lonely = new ArrayList<>(labels());
        lonely.add(label("item-lonely", "c-good1", "pos"));
        List<String> unknown = new ArrayList<>(labels());
        unknown.add(label("item-1", "c-ghost", "pos"));
        unknown.add(label("item-2", "c-phantom", "pos"));
        List<String> badId = new ArrayList<>(labels());
        badId.add(label("item-1", "jane.doe@example.com", "pos"));
        return Stream.of(
                Arguments.of("empty", batch("b-bad", List.of(), ""), 400, "invalid-batch", "the batch is empty"),
                Arguments.of("one label per item", batch("b-bad", lonely, ""), 400, "invalid-batch", "item 'item-lonely' has one label"),
                Arguments.of("duplicated pair", batch("b-bad", pairs, ""), 400, "invalid-batch",
                        "contractor 'c-good2' labelled item 'item-3' more than once"),
                Arguments.of("unknown contractors", batch("b-bad", unknown, ""), 400, "invalid-batch", "c-ghost, c-phantom"),
                Arguments.of("contractor id pattern", batch("b-bad", badId, ""), 400, "invalid-batch",
                        "$.labels[80].contractor: must be a contractor id"),
                Arguments.of("gold outside the classes", batch("b-bad", labels(), "\"gold\":[{\"item\":\"item-1\",\"gold\":\"maybe\"}],"),
                        400, "invalid-batch", "unknown class 'maybe' in the gold for item 'item-1'"),
                Arguments.of("gold for an unlabelled item", batch("b-bad", labels(), "\"gold\":[{\"item\":\"nope\",\"gold\":\"pos\"}],"),
                        400, "invalid-batch", "gold given for item 'nope'"),
                Arguments.of("label outside the declared classes", batch("b-bad", labels(), "\"classes\":[\"pos\",\"neutral\"],"),
                        400, "invalid-batch", "unknown class 'neg'"),
                Arguments.of("missing skill", "{\"batch_id\":\"b-bad\",\"task_ref\":\"t\",\"labels\":[" + String.join(",", labels()) + "]}",
                        400, "invalid-batch", "$.skill: required"),
                Arguments.of("unknown method", batch("b-bad", labels(), "\"method\":\"em\","), 400, "invalid-batch", "$.method: must be ds, onecoin or mv"),
                Arguments.of("not JSON", "{\"batch_id\":", 400, "invalid-batch", "must be JSON"),
                Arguments.of("over the label limit", oversized(), 413, "batch-too-large", "at most 200000 labels"));
    }

    private static String oversized() {
        StringBuilder b = new StringBuilder("{\"batch_id\":\"b-big\",\"skill\":\"s\",\"task_ref\":\"t\",\"labels\":[");
        for (int i = 0; i <= 200_000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"item\":\"i").append(i / 2).append("\",\"contractor\":\"c-good")
                    .append(1 + i % 2).append("\",\"label\":\"a\"}");
        }
        return b.append("]}").toString();
    }

    /** The published schema accepts what the service accepts and refuses the structural mistakes it refuses. */
    @Test
    void requestSchema_agreesWithTheServiceOnStructure() throws Exception {
        String text;
        try (var in = getClass().getClassLoader().getResourceAsStream("trackrecord/schemas/consensus-request.schema.json")) {
            assertThat(in).as("consensus-request.schema.json on the classpath (from the schemas module)").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String id = "https://trackrecord.dev/schemas/consensus-request.schema.json";
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(id, text))).getSchema(SchemaLocation.of(id));
        assertThat(schema.validate(batch("b-schema", labels(), "\"method\":\"mv\",\"classes\":[\"pos\",\"neg\"],"
                + "\"gold\":[{\"item\":\"item-1\",\"gold\":\"neg\"}],"), InputFormat.JSON)).isEmpty();
        for (Arguments bad : badBatches().toList()) {
            String name = (String) bad.get()[0];
            if (List.of("missing skill", "unknown method", "contractor id pattern", "empty").contains(name)) {
                assertThat(schema.validate((String) bad.get()[1], InputFormat.JSON)).as(name).isNotEmpty();
            }
        }
        assertThat(schema.validate(batch("b-schema", labels(), "\"extra\":1,"), InputFormat.JSON)).isNotEmpty();
        assertThat(server.post(PATH, ingest, batch("b-schema", labels(), "\"extra\":1,")).statusCode()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBatches")
    void badBatch_isRefusedNamingTheProblem_andAppendsNothing(String name, String body, int status, String type,
                                                             String named) {
        long size = server.logSize();
        HttpResponse<String> r = server.post(PATH, ingest, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertProblem(r, type);
        assertThat(TestServer.json(r.body()).get("detail").asText()).contains(named);
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void roles_marketplaceAndCompliance_areForbidden_andAppendNothing() {
        long size = server.logSize();
        for (Role role : List.of(Role.MARKETPLACE, Role.COMPLIANCE, Role.CONTRACTOR)) {
            HttpResponse<String> r = server.post(PATH, server.token(role), batch("b-role", labels(), ""));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertProblem(r, "forbidden");
        }
        assertThat(server.post(PATH, null, batch("b-role", labels(), "")).statusCode()).isEqualTo(401);
        assertThat(server.logSize()).isEqualTo(size);
    }
}
