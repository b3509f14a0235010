package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reputation routes over HTTP, against a real server whose index follows its ledger. */
class ReputationRoutesTest {
    private static final AtomicInteger EVENTS = new AtomicInteger();
    private static TestServer server;
    private static String marketplace;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        marketplace = server.token(Role.MARKETPLACE);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String audit(String contractor, String occurredAt, int scoreBp, String skill) {
        int n = EVENTS.incrementAndGet();
        return """
                {"kind":"audit.result","contractor":"%s","event_id":"rep-%d","body":{
                "occurred_at":"%s","audit_id":"a-%d","task_id":"t-%d","method":"gold","auditor":"qa",
                "verdict":"%s","score_bp":%d,"error_tags":[],"skills":["%s"],
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """.formatted(contractor, n, occurredAt, n, n, scoreBp >= 5000 ? "pass" : "fail", scoreBp, skill);
    }

    static String status(String contractor, String status) {
        return """
                {"kind":"contractor.status","contractor":"%s","event_id":"rep-%d","body":{
                "occurred_at":"2026-06-01T00:00:00Z","status":"%s","reason_code":"review"}}
                """.formatted(contractor, EVENTS.incrementAndGet(), status);
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return TestServer.json(r.body());
    }

    @Test
    void firstStart_publishesTheDefaultPolicyAsSeqZero() {
        JsonNode entry = ok(server.get("/v1/entries/0", server.token(Role.COMPLIANCE)));
        assertThat(entry.get("kind").asText()).isEqualTo("policy.published");
        assertThat(entry.get("contractor").asText()).isEqualTo("_system");
        assertThat(entry.get("body").get("policy_id").asText()).isEqualTo("trackrecord.default.1");
    }

    @Test
    void reputation_afterAppends_hasEveryFieldWithScoresInRange() {
        for (int i = 0; i < 5; i++) {
            server.append(audit("c-rep", "2026-10-0" + (i + 1) + "T10:00:00Z", 9000, "ner"));
        }
        JsonNode r = ok(server.get("/v1/contractors/c-rep/reputation", marketplace));
        assertThat(r.get("contractor").asText()).isEqualTo("c-rep");
        assertThat(r.get("policy").asText()).isNotBlank();
        assertThat(r.get("as_of").get("seq").asLong()).isEqualTo(server.logSize() - 1);
        assertThat(r.get("as_of").get("ts").asText()).endsWith(":00:00Z");
        assertThat(r.get("status").asText()).isEqualTo("active");
        for (JsonNode score : List.of(r.get("overall"), r.get("skills").get("ner"))) {
            double s = score.get("score").asDouble();
            assertThat(score.get("lower").asDouble()).isBetween(0.0, s);
            assertThat(score.get("upper").asDouble()).isBetween(s, 1.0);
            assertThat(score.get("n_eff").asDouble()).isPositive();
        }
        assertThat(r.get("credentials").isArray()).isTrue();
        assertThat(r.get("explanation")).isEmpty();

        JsonNode explained = ok(server.get("/v1/contractors/c-rep/reputation?explain=true", marketplace));
        assertThat(explained.get("explanation")).hasSize(5);
        assertThat(explained.get("explanation").get(0).get("kind").asText()).isEqualTo("audit.result");
        assertThat(explained.get("overall")).isEqualTo(r.get("overall"));
    }

    @Test
    void reputation_asOf_answersWhatRoutingSawThen() {
        for (int i = 0; i < 5; i++) {
            server.append(audit("c-asof", "2026-10-01T10:00:00Z", 10_000, "ner"));
        }
        long goodSeq = server.logSize() - 1;
        for (int i = 0; i < 5; i++) {
            server.append(audit("c-asof", "2026-10-02T10:00:00Z", 0, "ner"));
        }
        double now = ok(server.get("/v1/contractors/c-asof/reputation", marketplace)).get("overall").get("score").asDouble();
        JsonNode then = ok(server.get("/v1/contractors/c-asof/reputation?as_of_seq=" + goodSeq, marketplace));
        assertThat(then.get("as_of").get("seq").asLong()).isEqualTo(goodSeq);
        assertThat(then.get("overall").get("score").asDouble()).isGreaterThan(now);
        String tomorrow = java.time.Instant.now().plus(java.time.Duration.ofDays(1))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        JsonNode byTime = ok(server.get("/v1/contractors/c-asof/reputation?as_of_time=" + tomorrow + "&explain=true",
                marketplace));
        assertThat(byTime.get("as_of").get("ts").asText()).isEqualTo(tomorrow);
        assertThat(byTime.get("explanation").get(0).get("effect").asDouble()).isNegative();
    }

    @Test
    void reputation_badParameters_areProblems() {
        server.append(audit("c-bad", "2026-10-01T10:00:00Z", 9000, "ner"));
        HttpResponse<String> both = server.get("/v1/contractors/c-bad/reputation?as_of_seq=1&as_of_time=2026-01-01T00:00:00Z",
                marketplace);
        assertThat(both.statusCode()).isEqualTo(400);
        assertProblem(both, "invalid-parameter");
        HttpResponse<String> beyond = server.get("/v1/contractors/c-bad/reputation?as_of_seq=999999", marketplace);
        assertThat(beyond.statusCode()).isEqualTo(400);
        assertThat(beyond.body()).contains("as_of_seq");
        HttpResponse<String> time = server.get("/v1/contractors/c-bad/reputation?as_of_time=yesterday", marketplace);
        assertThat(time.statusCode()).isEqualTo(400);
        assertThat(time.body()).contains("as_of_time").contains("RFC 3339");
        HttpResponse<String> explain = server.get("/v1/contractors/c-bad/reputation?explain=yes", marketplace);
        assertThat(explain.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = server.get("/v1/contractors/c-nobody/reputation", marketplace);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertProblem(unknown, "not-found");
        assertThat(unknown.body()).contains("c-nobody");
    }

    @Test
    void batch_answersInRequestOrderAndListsUnknownIds() {
        server.append(audit("c-b1", "2026-10-01T10:00:00Z", 9000, "ner"));
        server.append(audit("c-b2", "2026-10-01T10:00:00Z", 3000, "ner"));
        JsonNode r = ok(server.post("/v1/reputation:batch", marketplace,
                "{\"contractors\":[\"c-b2\",\"c-unknown\",\"c-b1\"]}"));
        assertThat(r.get("results").findValuesAsText("contractor")).containsExactly("c-b2", "c-b1");
        assertThat(r.get("unknown").get(0).asText()).isEqualTo("c-unknown");
        JsonNode single = ok(server.get("/v1/contractors/c-b1/reputation", marketplace));
        assertThat(r.get("results").get(1).get("overall")).isEqualTo(single.get("overall"));
    }

    @Test
    void batch_overTheLimit_namesTheRule() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            ids.add("\"c-" + i + "\"");
        }
        HttpResponse<String> r = server.post("/v1/reputation:batch", marketplace,
                "{\"contractors\":[" + String.join(",", ids) + "]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertProblem(r, "invalid-request");
        assertThat(r.body()).contains("$.contractors").contains("1000").contains("1001");
        HttpResponse<String> bad = server.post("/v1/reputation:batch", marketplace, "{\"contractors\":[\"ok\",\"no spaces\"]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("$.contractors[1]");
        assertThat(server.post("/v1/reputation:batch", marketplace, "{\"ids\":[]}").statusCode()).isEqualTo(400);
        assertThat(server.post("/v1/reputation:batch", marketplace, "{not json").statusCode()).isEqualTo(400);
    }

    @Test
    void top_ranksBestFirstAndLeavesOutSuspendedContractors() {
        for (int i = 0; i < 30; i++) {
            server.append(audit("c-top-a", "2026-10-01T10:00:00Z", 10_000, "top-skill"));
            server.append(audit("c-top-b", "2026-10-01T10:00:00Z", 8_000, "top-skill"));
        }
        server.append(audit("c-top-c", "2026-10-01T10:00:00Z", 10_000, "top-skill"));
        JsonNode r = ok(server.get("/v1/reputation/top?skill=top-skill&limit=10", marketplace));
        assertThat(r.get("skill").asText()).isEqualTo("top-skill");
        assertThat(r.get("rank_by").asText()).isEqualTo("lower");
        assertThat(r.get("results").findValuesAsText("contractor")).containsExactly("c-top-a", "c-top-b", "c-top-c");
        double lowerB = r.get("results").get(1).get("lower").asDouble();

        JsonNode filtered = ok(server.get("/v1/reputation/top?skill=top-skill&min_lower=" + lowerB + "&rank_by=score",
                marketplace));
        assertThat(filtered.get("results").findValuesAsText("contractor")).containsExactly("c-top-a", "c-top-b");
        JsonNode many = ok(server.get("/v1/reputation/top?skill=top-skill&min_n_eff=10", marketplace));
        assertThat(many.get("results").findValuesAsText("contractor")).containsExactly("c-top-a", "c-top-b");
        JsonNode credentialed = ok(server.get("/v1/reputation/top?skill=top-skill&credential=med", marketplace));
        assertThat(credentialed.get("results")).isEmpty();

        server.append(status("c-top-a", "suspended"));
        JsonNode after = ok(server.get("/v1/reputation/top?skill=top-skill&limit=1", marketplace));
        assertThat(after.get("results").findValuesAsText("contractor")).containsExactly("c-top-b");
        JsonNode suspended = ok(server.get("/v1/contractors/c-top-a/reputation", marketplace));
        assertThat(suspended.get("status").asText()).isEqualTo("suspended");
        assertThat(suspended.get("routable").asBoolean()).isFalse();
    }

    @Test
    void top_badParameters_areProblems() {
        for (String query : List.of("", "?skill=x&limit=0", "?skill=x&limit=1001", "?skill=x&min_lower=2",
                "?skill=x&min_lower=-1", "?skill=x&min_n_eff=abc", "?skill=x&rank_by=upper", "?skill=has%20space")) {
            HttpResponse<String> r = server.get("/v1/reputation/top" + query, marketplace);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertProblem(r, "invalid-parameter");
        }
    }

    @Test
    void policies_publishChangesScoringFromItsSeqOn() {
        server.append(audit("c-pol", "2026-10-01T10:00:00Z", 9000, "ner"));
        long before = server.logSize() - 1;
        JsonNode old = ok(server.get("/v1/contractors/c-pol/reputation", marketplace));
        HttpResponse<String> published = server.post("/v1/policies", server.token(Role.ADMIN),
                "{\"policy_id\":\"strict.2\",\"params\":{\"prior_alpha_bp\":10000,\"prior_beta_bp\":40000}}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
        long policySeq = TestServer.json(published.body()).get("seq").asLong();
        JsonNode entry = ok(server.get("/v1/entries/" + policySeq, server.token(Role.COMPLIANCE)));
        assertThat(entry.get("contractor").asText()).isEqualTo("_system");
        assertThat(entry.get("source").asText()).isEqualTo("test-admin");

        JsonNode now = ok(server.get("/v1/contractors/c-pol/reputation", marketplace));
        assertThat(now.get("policy").asText()).isEqualTo("strict.2");
        assertThat(now.get("overall").get("score").asDouble()).isLessThan(old.get("overall").get("score").asDouble());
        JsonNode then = ok(server.get("/v1/contractors/c-pol/reputation?as_of_seq=" + before, marketplace));
        assertThat(then.get("policy").asText()).isNotEqualTo("strict.2");

        HttpResponse<String> again = server.post("/v1/policies", server.token(Role.ADMIN),
                "{\"policy_id\":\"strict.2\",\"params\":{\"prior_alpha_bp\":20000}}");
        assertThat(again.statusCode()).isEqualTo(409);
        HttpResponse<String> outOfRange = server.post("/v1/policies", server.token(Role.ADMIN),
                "{\"policy_id\":\"bad.1\",\"params\":{\"late_credit_bp\":20000}}");
        assertThat(outOfRange.statusCode()).isEqualTo(400);
        assertThat(outOfRange.body()).contains("late_credit_bp");
        HttpResponse<String> notInteger = server.post("/v1/policies", server.token(Role.ADMIN),
                "{\"policy_id\":\"bad.2\",\"params\":{\"half_life_days\":\"ninety\"}}");
        assertThat(notInteger.statusCode()).isEqualTo(400);
        assertThat(notInteger.body()).contains("half_life_days");
        // restore the default so other tests in this class see it
        server.post("/v1/policies", server.token(Role.ADMIN), "{\"policy_id\":\"default.again\",\"params\":{\"band_bp\":9000}}");
    }
}
