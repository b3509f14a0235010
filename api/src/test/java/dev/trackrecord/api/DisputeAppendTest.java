package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /v1/entries refuses disputes that do not fit the log: 409 dispute-conflict naming the field. */
class DisputeAppendTest {
    private static TestServer server;
    private static String ingest;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ingest = server.token(Role.INGEST);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Posts {@code body}, expects 409 dispute-conflict with one error, appending nothing, and returns the error. */
    private static JsonNode conflict(String body) {
        long size = server.logSize();
        HttpResponse<String> r = server.post("/v1/entries", ingest, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertProblem(r, "dispute-conflict");
        assertThat(server.logSize()).as("nothing appended").isEqualTo(size);
        JsonNode errors = TestServer.json(r.body()).get("errors");
        assertThat(errors).hasSize(1);
        assertThat(TestServer.json(r.body()).get("detail").asText()).contains(errors.get(0).get("path").asText());
        return errors.get(0);
    }

    @Test
    void openAndResolve_ownEntry_areAppended() {
        long audit = server.append(TestServer.audit("c-fair", "fair-a", 2000));
        long dispute = server.append(opened("c-fair", "fair-d", audit));
        HttpResponse<String> r = server.post("/v1/entries", ingest, resolved("c-fair", "fair-r", dispute, audit));
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void disputeOfALaterSeq_isRefusedNamingTargetSeq() {
        JsonNode e = conflict(opened("c-later", "later-d", server.logSize() + 10));
        assertThat(e.get("path").asText()).isEqualTo("$.body.target_seq");
        assertThat(e.get("rule").asText()).contains("does not hold yet");
    }

    @Test
    void disputeOfThePolicyEntry_isRefused() {
        JsonNode e = conflict(opened("c-policy", "policy-d", 0));
        assertThat(e.get("path").asText()).isEqualTo("$.body.target_seq");
        assertThat(e.get("rule").asText()).contains("(policy.published) is about contractor _system");
    }

    @Test
    void disputeOfAnotherContractorsEntry_isRefused() {
        long audit = server.append(TestServer.audit("c-other", "other-a", 2000));
        JsonNode e = conflict(opened("c-me", "other-d", audit));
        assertThat(e.get("path").asText()).isEqualTo("$.body.target_seq");
        assertThat(e.get("rule").asText()).contains("about contractor c-other");
    }

    @Test
    void resolutionOfAnAudit_inABatch_isRefusedNamingItsDisputeSeq() {
        long audit = server.append(TestServer.audit("c-kind", "kind-a", 2000));
        long next = server.append(TestServer.audit("c-kind", "kind-b", 3000));
        JsonNode e = conflict("{\"entries\":[" + TestServer.audit("c-kind", "kind-c", 4000) + ","
                + resolved("c-kind", "kind-r", next, audit) + "]}");
        assertThat(e.get("path").asText()).isEqualTo("$.entries[1].body.dispute_seq");
        assertThat(e.get("rule").asText()).isEqualTo("entry " + next + " (audit.result) is not a dispute.opened");
    }

    @Test
    void secondResolutionOfADispute_isRefused() {
        long audit = server.append(TestServer.audit("c-twice", "twice-a", 2000));
        long dispute = server.append(opened("c-twice", "twice-d", audit));
        long first = server.append(resolved("c-twice", "twice-r1", dispute, audit));
        JsonNode e = conflict(resolved("c-twice", "twice-r2", dispute, audit));
        assertThat(e.get("path").asText()).isEqualTo("$.body.dispute_seq");
        assertThat(e.get("rule").asText()).contains("resolved already, by entry " + first);
    }

    @Test
    void resolutionWithAnotherTarget_isRefusedNamingTargetSeq() {
        long audit = server.append(TestServer.audit("c-target", "target-a", 2000));
        long other = server.append(TestServer.audit("c-target", "target-b", 2000));
        long dispute = server.append(opened("c-target", "target-d", other));
        JsonNode e = conflict(resolved("c-target", "target-r", dispute, audit));
        assertThat(e.get("path").asText()).isEqualTo("$.body.target_seq");
        assertThat(e.get("rule").asText())
                .isEqualTo("must be " + other + ", the target_seq of the dispute at " + dispute);
    }

    private static String opened(String contractor, String eventId, long target) {
        return """
                {"kind":"dispute.opened","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-03-16T10:00:00Z","target_seq":%d,"reason_code":"wrong_audit","reason":"r"}}"""
                .formatted(contractor, eventId, target);
    }

    private static String resolved(String contractor, String eventId, long dispute, long target) {
        return """
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-03-17T10:00:00Z","dispute_seq":%d,"target_seq":%d,"resolution":"upheld",
                "reason_code":"checked"}}""".formatted(contractor, eventId, dispute, target);
    }
}
