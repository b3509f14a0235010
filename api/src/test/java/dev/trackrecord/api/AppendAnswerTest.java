package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.api.auth.Role;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The answer to POST /v1/entries, written without a Jackson tree, is the JSON Jackson wrote from one. */
class AppendAnswerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void answer_singleAndBatchWithResend_isWhatJacksonWritesForTheSameTree() throws Exception {
        String ingest = server.token(Role.INGEST);
        HttpResponse<String> single = server.post("/v1/entries", ingest, TestServer.audit("c-answer", "answer-1", 7000));
        HttpResponse<String> batch = server.post("/v1/entries", ingest, "{\"entries\":["
                + TestServer.audit("c-answer", "answer-1", 7000) + ","
                + TestServer.audit("c-answer", "answer-2", 7100) + "]}");

        for (HttpResponse<String> r : java.util.List.of(single, batch)) {
            assertThat(r.statusCode()).isEqualTo(201);
            JsonNode tree = JSON.readTree(r.body());
            assertThat(r.body()).isEqualTo(JSON.writeValueAsString(tree));
            for (JsonNode e : tree.get("entries")) {
                assertThat(e.properties()).extracting(java.util.Map.Entry::getKey)
                        .containsExactly("seq", "leaf_hash", "ts", "duplicate");
                assertThat(e.get("ts").asText()).isEqualTo(Instant.parse(e.get("ts").asText()).toString());
            }
        }
        JsonNode entries = JSON.readTree(batch.body()).get("entries");
        assertThat(entries.get(0).get("duplicate").booleanValue()).isTrue();
        assertThat(entries.get(1).get("duplicate").booleanValue()).isFalse();
        assertThat(entries.get(0).get("seq")).isEqualTo(JSON.readTree(single.body()).get("entries").get(0).get("seq"));
    }
}
