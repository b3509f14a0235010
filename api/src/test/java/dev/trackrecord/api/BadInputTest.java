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
