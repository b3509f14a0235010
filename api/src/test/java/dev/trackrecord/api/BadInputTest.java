package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad requests are refused with problem+json naming the field and rule, never with a 500, and
 * never change the log.
 */
class BadInputTest {
    private static final Path INVALID_EXAMPLES = Path.of("../schemas/examples/invalid");
    private static TestServer server;
    private static String ingest;
    private static String admin;
    private long sizeBefore;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ingest = server.token(Role.INGEST);
        admin = server.token(Role.ADMIN);
        server.append(TestServer.audit("c-bad", "bad-seed", 5000));
        server.post("/v1/checkpoints", admin, new byte[0]);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void recordSize() {
        sizeBefore = server.logSize();
    }

    @AfterEach
    void logUnchanged() {
        assertThat(server.logSize()).as("log size after a refused request").isEqualTo(sizeBefore);
    }

    @Test
    void append_notJson_is400() {
        HttpResponse<String> r = server.post("/v1/entries", ingest, "{\"kind\":");
        assertRejected(r, 400, "invalid-entry", "$");
    }

    @Test
    void append_float_is400NamingTheField() {
        HttpResponse<String> r = server.post("/v1/entries", ingest,
                TestServer.audit("c-bad", "bad-float", 9650).replace("9650", "96.5"));
        assertRejected(r, 400, "invalid-entry", "$.body.score_bp");
    }

    @Test
    void append_unknownKind_is400NamingKind() {
        HttpResponse<String> r = server.post("/v1/entries", ingest,
                TestServer.audit("c-bad", "bad-kind", 9650).replace("audit.result", "audit.guess"));
        assertRejected(r, 400, "invalid-entry", "$.kind");
    }

    @Test
    void append_emptyBody_is400() {
        HttpResponse<String> r = server.post("/v1/entries", ingest, new byte[0]);
        assertRejected(r, 400, "invalid-entry", "$");
    }

    @Test
    void append_notJsonContentType_is415() {
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/entries"))
                .header("Authorization", "Bearer " + ingest).header("Content-Type", "text/csv")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestServer.audit("c-bad", "bad-csv", 1)))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
        assertProblem(r, "unsupported-media-type");
        assertThat(r.body()).contains("text/csv");
    }

    @Test
    void append_multipleViolations_allNamedInDetail() {
        HttpResponse<String> r = server.post("/v1/entries", ingest, TestServer.audit("c-bad", "bad-two", 20000)
                .replace("\"verdict\":\"pass\"", "\"verdict\":\"maybe\""));
        assertRejected(r, 400, "invalid-entry", "$.body.score_bp");
        assertRejected(r, 400, "invalid-entry", "$.body.verdict");
    }

    @Test
    void append_oversizedBody_is413() {
        byte[] body = new byte[5 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[body.length - 1] = '}';
        HttpResponse<String> r = server.post("/v1/entries", ingest, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertProblem(r, "body-too-large");
        assertThat(r.body()).contains("4194304");
        assertThat(TestServer.json(r.body()).get("detail").asText()).startsWith("$: ");
    }

    @Test
    void append_batchOf1001_is400NamingEntries() {
        StringBuilder batch = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 1001; i++) {
            batch.append(i == 0 ? "" : ",").append(TestServer.audit("c-bad", "bad-batch-" + i, 5000));
        }
        batch.append("]}");
        HttpResponse<String> r = server.post("/v1/entries", ingest, batch.toString());
        assertRejected(r, 400, "invalid-entry", "$.entries");
    }

    @Test
    void append_deeplyNested_is400() {
        String deep = "[".repeat(200) + "]".repeat(200);
        HttpResponse<String> r = server.post("/v1/entries", ingest,
                TestServer.audit("c-bad", "bad-deep", 5000).replace("\"error_tags\":[]", "\"error_tags\":" + deep));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertProblem(r, "invalid-entry");
    }

    @TestFactory
    Stream<DynamicTest> append_everyInvalidSchemaExample_is400WithItsPaths() throws IOException {
        JsonNode expected = TestServer.json(Files.readString(INVALID_EXAMPLES.resolve("expected-paths.json")));
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                long before = server.logSize();
                HttpResponse<String> r = server.post("/v1/entries", ingest,
                        Files.readAllBytes(INVALID_EXAMPLES.resolve(e.getKey())));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
                assertProblem(r, "invalid-entry");
                List<String> paths = new ArrayList<>();
                TestServer.json(r.body()).get("errors").forEach(v -> paths.add(v.get("path").asText()));
                List<String> want = new ArrayList<>();
                e.getValue().forEach(p -> want.add(p.asText()));
                assertThat(paths).containsAll(want);
                assertThat(server.logSize()).isEqualTo(before);
            }));
        }
        assertThat(tests).hasSizeGreaterThan(10);
        return tests.stream();
    }

    @Test
    void entry_seqNotANumber_is400NamingSeq() {
        assertBadParameter(server.get("/v1/entries/abc", admin), "seq");
        assertBadParameter(server.get("/v1/entries/-1", admin), "seq");
        assertBadParameter(server.get("/v1/entries/99999999999999999999", admin), "seq");
    }

    @Test
    void contractorEntries_badLimitOrCursor_is400NamingIt() {
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?limit=-1", admin), "limit");
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?limit=0", admin), "limit");
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?limit=1001", admin), "limit");
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?limit=ten", admin), "limit");
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?cursor=%21%21", admin), "cursor");
        assertBadParameter(server.get("/v1/contractors/c-bad/entries?cursor=czE6LTE", admin), "cursor");
    }

    @Test
    void proofs_badSizes_are400NamingTheParameter() {
        assertBadParameter(server.get("/v1/proofs/inclusion", admin), "seq");
        assertBadParameter(server.get("/v1/proofs/inclusion?seq=-3", admin), "seq");
        assertBadParameter(server.get("/v1/proofs/inclusion?seq=0&tree_size=100000", admin), "tree_size");
        assertBadParameter(server.get("/v1/proofs/inclusion?seq=5&tree_size=1", admin), "seq");
        assertBadParameter(server.get("/v1/proofs/consistency?size1=0&size2=1", admin), "size1");
        assertBadParameter(server.get("/v1/proofs/consistency?size2=1", admin), "size1");
        assertBadParameter(server.get("/v1/proofs/consistency?size1=1&size2=x", admin), "size2");
        assertBadParameter(server.get("/v1/checkpoints/x1", admin), "size");
    }

    // Found by HostileInputFuzzTest; each pinned down here.

    @Test
    void append_utf16OrUtf32Json_is400() {
        String entry = TestServer.audit("c-bad", "bad-utf16", 5000);
        for (var charset : List.of(java.nio.charset.StandardCharsets.UTF_16BE, java.nio.charset.StandardCharsets.UTF_16LE,
                java.nio.charset.Charset.forName("UTF-32BE"))) {
            HttpResponse<String> r = server.post("/v1/entries", ingest, entry.getBytes(charset));
            assertRejected(r, 400, "invalid-entry", "$");
            assertThat(r.body()).contains("must be UTF-8");
        }
    }

    @Test
    void otherJsonRoutes_utf16Json_is400() {
        String policy = "{\"policy_id\":\"bad-utf16\",\"params\":{\"half_life_days\":90}}";
        HttpResponse<String> r = server.post("/v1/policies", admin, policy.getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertProblem(r, "invalid-request");
        assertThat(r.body()).contains("UTF-8");
        HttpResponse<String> batch = server.post("/v1/reputation:batch", admin,
                "{\"contractors\":[\"c-bad\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(400);
    }

    @Test
    void append_overlongUtf8InAString_is400() {
        byte[] entry = TestServer.audit("c-bad", "bad-overlong-XX", 5000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String text = new String(entry, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("XX");
        entry[at] = (byte) 0xc0;
        entry[at + 1] = (byte) 0xaf;
        HttpResponse<String> r = server.post("/v1/entries", ingest, entry);
        assertRejected(r, 400, "invalid-entry", "$");
        assertThat(r.body()).contains("ill-formed UTF-8");
    }

    @Test
    void policy_trailingDataOrDuplicateMember_is400() {
        assertThat(server.post("/v1/policies", admin,
                "{\"policy_id\":\"bad-trail\",\"params\":{\"half_life_days\":90}} {}").statusCode()).isEqualTo(400);
        assertThat(server.post("/v1/policies", admin,
                "{\"policy_id\":\"bad-dup\",\"policy_id\":\"bad-dup2\",\"params\":{\"half_life_days\":90}}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void append_numberBeyondDouble_is400NamingTheField() {
        HttpResponse<String> r = server.post("/v1/entries", ingest,
                TestServer.audit("c-bad", "bad-1e400", 5000).replace("\"bad-1e400\"", "1e400"));
        assertRejected(r, 400, "invalid-entry", "$.event_id");
        for (String big : List.of("1e400", "1e30", "-1e400")) {
            HttpResponse<String> score = server.post("/v1/entries", ingest,
                    TestServer.audit("c-bad", "bad-big-score", 5000).replace("\"score_bp\":5000", "\"score_bp\":" + big));
            assertRejected(score, 400, "invalid-entry", "$.body.score_bp");
        }
        HttpResponse<String> policy = server.post("/v1/policies", admin,
                "{\"policy_id\":\"bad-big\",\"params\":{\"half_life_days\":1e400}}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(400);
        assertThat(policy.body()).contains("half_life_days");
    }

    @Test
    void chunkedBody_chunkSizeNotHex_is400Problem() throws IOException {
        byte[] request = ("POST /v1/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ingest
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "zz\r\n{}\r\n0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        RawHttp.Response r = RawHttp.exchange(server.server.port(), request, false, 10_000);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(400);
        assertThat(r.header("Content-Type")).hasValue("application/problem+json");
        assertThat(r.bodyText()).contains("$: the request body could not be read");
    }

    @Test
    void transportRefusals_areProblemJson4xx() throws IOException {
        Map<String, Integer> cases = Map.of(
                "GET /v1/checkpoints/latest HTTP/1.0\r\nHost: x\r\n\r\n", 400,
                "GET /v1/checkpoints/latest?" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
                "GET /v1/checkpoints/latest HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400,
                "POST /v1/entries HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400);
        for (var c : cases.entrySet()) {
            RawHttp.Response r = RawHttp.exchange(server.server.port(),
                    c.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), true, 10_000);
            String line = c.getKey().substring(0, Math.min(60, c.getKey().indexOf('\r')));
            assertThat(r.status()).as(line + ": " + r.bodyText()).isEqualTo(c.getValue());
            assertThat(r.header("Content-Type")).as(line).hasValue("application/problem+json");
            JsonNode p = TestServer.json(r.bodyText());
            assertThat(p.get("status").asInt()).isEqualTo(c.getValue());
            assertThat(p.get("type").asText()).startsWith("urn:trackrecord:problem:");
            assertThat(p.get("detail").asText()).isNotBlank();
        }
    }

    private static void assertBadParameter(HttpResponse<String> r, String name) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertProblem(r, "invalid-parameter");
        JsonNode json = TestServer.json(r.body());
        assertThat(json.get("detail").asText()).startsWith(name + ": ");
        assertThat(json.get("errors").get(0).get("path").asText()).isEqualTo(name);
    }

    private static void assertRejected(HttpResponse<String> r, int status, String type, String path) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertProblem(r, type);
        JsonNode json = TestServer.json(r.body());
        List<String> paths = new ArrayList<>();
        json.get("errors").forEach(v -> paths.add(v.get("path").asText()));
        assertThat(paths).contains(path);
        assertThat(json.get("detail").asText()).contains(path);
    }
}
