package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /v1/me is always the token's own contractor: no query parameter, path, cursor or body field
 * reaches another contractor's data. (Other roles getting 403 is in {@link AuthorizationTest}.)
 */
class MeRoutesTest {
    private static TestServer server;
    private static String alice;
    private static String bob;
    private static long aliceSeq;
    private static long aliceSeq2;
    private static long bobSeq;
    private static long erinSeq;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = contractorToken("alice");
        bob = contractorToken("bob");
        aliceSeq = server.append(TestServer.audit("alice", "me-a1", 9000));
        bobSeq = server.append(TestServer.audit("bob", "me-b1", 4000));
        aliceSeq2 = server.append(TestServer.audit("alice", "me-a2", 8000));
        server.append(TestServer.audit("bob", "me-b2", 3000));
        erinSeq = server.append(TestServer.audit("erin", "me-e1", 5000));
        assertThat(server.post("/v1/checkpoints", server.token(Role.ADMIN), new byte[0]).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String contractorToken(String id) {
        return TokenKeys.mint(server.issuerKey, server.issuer, "person-" + id, List.of(Role.CONTRACTOR), id,
                Duration.ofMinutes(5));
    }

    private static List<String> contractorsOf(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("entries").forEach(e -> out.add(e.get("contractor").asText()));
        return out;
    }

    @Test
    void entries_queryNamingAnotherContractor_stillOnlyYours() {
        for (String q : List.of("", "?contractor=bob", "?id=bob", "?contractor=bob&id=bob&limit=1000")) {
            HttpResponse<String> r = server.get("/v1/me/entries" + q, alice);
            assertThat(r.statusCode()).as(q).isEqualTo(200);
            JsonNode page = TestServer.json(r.body());
            assertThat(page.get("contractor").asText()).isEqualTo("alice");
            assertThat(contractorsOf(page)).as(q).hasSize(2).containsOnly("alice");
        }
    }

    @Test
    void entries_cursorPointingAtAnotherContractorsSeq_staysInYourEntries() {
        String forged = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("m1:" + bobSeq).getBytes(StandardCharsets.US_ASCII));
        JsonNode page = TestServer.json(server.get("/v1/me/entries?cursor=" + forged, alice).body());
        assertThat(contractorsOf(page)).containsOnly("alice");
        JsonNode first = TestServer.json(server.get("/v1/me/entries?limit=1", alice).body());
        assertThat(contractorsOf(first)).containsExactly("alice");
        String next = first.get("next_cursor").asText();
        JsonNode second = TestServer.json(server.get("/v1/me/entries?limit=1&cursor=" + next, alice).body());
        assertThat(second.get("entries").get(0).get("seq").asLong()).isEqualTo(aliceSeq2);
        assertThat(second.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void entries_badCursor_400() {
        HttpResponse<String> r = server.get("/v1/me/entries?cursor=nonsense", alice);
        assertThat(r.statusCode()).isEqualTo(400);
        assertProblem(r, "invalid-parameter");
    }

    @Test
    void proof_ofYourEntry_carriesItsBytesAndTheCheckpoint() {
        HttpResponse<String> r = server.get("/v1/me/entries/" + aliceSeq + "/proof", alice);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode proof = TestServer.json(r.body());
        assertThat(proof.get("seq").asLong()).isEqualTo(aliceSeq);
        assertThat(TestServer.json(proof.get("entry").asText()).get("contractor").asText()).isEqualTo("alice");
        assertThat(proof.get("checkpoint").asText()).startsWith(server.server.ledger().origin() + "\n");
    }

    @Test
    void proof_ofAnotherContractorsSeq_isTheSame404AsNoEntry() {
        HttpResponse<String> theirs = server.get("/v1/me/entries/" + bobSeq + "/proof", alice);
        HttpResponse<String> none = server.get("/v1/me/entries/999999/proof", alice);
        assertThat(theirs.statusCode()).isEqualTo(404);
        assertThat(none.statusCode()).isEqualTo(404);
        assertProblem(theirs, "not-found");
        assertThat(theirs.body()).doesNotContain("bob");
        HttpResponse<String> withQuery = server.get("/v1/me/entries/" + bobSeq + "/proof?contractor=bob", alice);
        assertThat(withQuery.statusCode()).isEqualTo(404);
    }

    @Test
    void export_isYourOwnVerifiableBundle_whateverTheQuery() throws Exception {
        NoteVerifier key = NoteVerifier.parse(server.server.verifierKey());
        for (String q : List.of("", "?contractor=bob")) {
            HttpRequest req = HttpRequest.newBuilder(server.uri("/v1/me/export" + q))
                    .header("Authorization", "Bearer " + alice).GET().build();
            HttpResponse<byte[]> r = server.client.send(req, HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/zip");
            BundleVerification v = BundleVerifier.verify(new ByteArrayInputStream(r.body()), Optional.of(key));
            assertThat(v.entryCount()).isEqualTo(2);
            String entries = zipFile(r.body(), "entries.jsonl");
            assertThat(entries.lines().toList()).hasSize(2)
                    .allSatisfy(line -> assertThat(TestServer.json(line).get("contractor").asText()).isEqualTo("alice"));
        }
    }

    @Test
    void dispute_ofYourEntry_appendsOnce_andAResendIsIdempotent() {
        String erin = contractorToken("erin");
        String body = "{\"target_seq\":" + erinSeq + ",\"reason_code\":\"wrong_audit\",\"reason\":\"gold answer was wrong\"}";
        HttpResponse<String> first = server.post("/v1/me/disputes", erin, body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode a = TestServer.json(first.body());
        JsonNode entry = a.get("entry");
        assertThat(entry.get("kind").asText()).isEqualTo("dispute.opened");
        assertThat(entry.get("contractor").asText()).isEqualTo("erin");
        assertThat(entry.get("source").asText()).isEqualTo("person-erin");
        assertThat(entry.get("body").get("target_seq").asLong()).isEqualTo(erinSeq);
        long size = server.logSize();
        HttpResponse<String> again = server.post("/v1/me/disputes", erin, body);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(again.body()).get("seq").asLong()).isEqualTo(a.get("seq").asLong());
        assertThat(TestServer.json(again.body()).get("duplicate").asBoolean()).isTrue();
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void dispute_ofAnotherContractorsEntry_404AndNothingAppended() {
        long size = server.logSize();
        HttpResponse<String> r = server.post("/v1/me/disputes", alice,
                "{\"target_seq\":" + bobSeq + ",\"reason_code\":\"other\",\"reason\":\"x\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertProblem(r, "not-found");
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void dispute_namingAContractorInTheBody_400AndNothingAppended() {
        long size = server.logSize();
        for (String extra : List.of("\"contractor\":\"bob\"", "\"event_id\":\"mine\"", "\"kind\":\"payout\"")) {
            HttpResponse<String> r = server.post("/v1/me/disputes", alice,
                    "{\"target_seq\":" + aliceSeq + ",\"reason_code\":\"other\",\"reason\":\"x\"," + extra + "}");
            assertThat(r.statusCode()).as(extra).isEqualTo(400);
            assertProblem(r, "invalid-dispute");
        }
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void dispute_badFields_400WithTheField() {
        record Case(String body, String field) {
        }
        for (Case c : List.of(
                new Case("{\"target_seq\":\"" + aliceSeq + "\",\"reason_code\":\"other\",\"reason\":\"x\"}", "target_seq"),
                new Case("{\"target_seq\":" + aliceSeq + ",\"reason_code\":\"because\",\"reason\":\"x\"}", "reason_code"),
                new Case("{\"target_seq\":" + aliceSeq + ",\"reason_code\":\"other\",\"reason\":\"\"}", "reason"),
                new Case("[1]", "$"))) {
            HttpResponse<String> r = server.post("/v1/me/disputes", alice, c.body());
            assertThat(r.statusCode()).as(c.body()).isEqualTo(400);
            assertThat(r.body()).contains(c.field());
        }
    }

    @Test
    void accessLog_recordsBatchTopAndExportReadsOfYou() throws Exception {
        String dave = contractorToken("dave");
        server.append(TestServer.audit("dave", "me-d1", 7000));
        String marketplace = server.token(Role.MARKETPLACE);
        String compliance = server.token(Role.COMPLIANCE);
        assertThat(server.post("/v1/checkpoints", server.token(Role.ADMIN), new byte[0]).statusCode()).isEqualTo(200);
        assertThat(server.post("/v1/reputation:batch", marketplace, "{\"contractors\":[\"dave\"]}").statusCode())
                .isEqualTo(200);
        assertThat(server.get("/v1/exports?contractor=dave", compliance).statusCode()).isEqualTo(200);

        JsonNode log = TestServer.json(server.get("/v1/me/access-log", dave).body());

        List<String> routes = new ArrayList<>();
        log.get("records").forEach(rec -> routes.add(rec.get("principal").asText() + " " + rec.get("route").asText()));
        assertThat(routes).contains("test-marketplace POST /v1/reputation:batch", "test-compliance GET /v1/exports");
    }

    @Test
    void accessLog_showsOthersReadsOfYou_andNeverAnotherContractors() {
        String compliance = server.token(Role.COMPLIANCE);
        assertThat(server.get("/v1/contractors/alice/entries", compliance).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/entries/" + aliceSeq, compliance).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/contractors/bob/entries", server.token(Role.ADMIN)).statusCode()).isEqualTo(200);
        for (String q : List.of("", "?contractor=bob")) {
            HttpResponse<String> r = server.get("/v1/me/access-log" + q, alice);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode log = TestServer.json(r.body());
            assertThat(log.get("contractor").asText()).isEqualTo("alice");
            assertThat(log.get("chain").get("verified").asBoolean()).as(r.body()).isTrue();
            List<String> routes = new ArrayList<>();
            log.get("records").forEach(rec -> {
                assertThat(rec.get("principal").asText()).isEqualTo("test-compliance");
                routes.add(rec.get("route").asText());
            });
            assertThat(routes).contains("GET /v1/contractors/{id}/entries", "GET /v1/entries/{seq}");
        }
        JsonNode bobs = TestServer.json(server.get("/v1/me/access-log", bob).body());
        List<String> bobReaders = new ArrayList<>();
        bobs.get("records").forEach(rec -> bobReaders.add(rec.get("principal").asText()));
        assertThat(bobReaders).containsOnly("test-admin");
    }

    @Test
    void accessLog_saysWhatItVerified_andTakesADaysBound() {
        String compliance = server.token(Role.COMPLIANCE);
        assertThat(server.get("/v1/contractors/alice/entries", compliance).statusCode()).isEqualTo(200);
        for (String q : List.of("", "?days=1", "?days=3660")) {
            HttpResponse<String> r = server.get("/v1/me/access-log" + q, alice);
            assertThat(r.statusCode()).as(q).isEqualTo(200);
            JsonNode log = TestServer.json(r.body());
            assertThat(log.get("days").asInt()).isEqualTo(q.isEmpty() ? 31 : Integer.parseInt(q.substring(6)));
            JsonNode chain = log.get("chain");
            assertThat(chain.get("verified").asBoolean()).as(r.body()).isTrue();
            // One service, one day: the whole log is read, from line 0, so nothing was deleted before it.
            assertThat(chain.get("checked_from").asLong()).isZero();
            assertThat(chain.get("checked_from_day").asText()).matches("[0-9]{4}-[0-9]{2}-[0-9]{2}");
            assertThat(chain.has("starts_after")).isFalse();
        }
    }

    @Test
    void accessLog_badDays_isAProblemNamingTheParameter() {
        for (String days : List.of("0", "3661", "-1", "x", "1.5", "99999999999")) {
            HttpResponse<String> r = server.get("/v1/me/access-log?days=" + days, alice);
            assertThat(r.statusCode()).as(days).isEqualTo(400);
            assertProblem(r, "invalid-parameter");
            assertThat(TestServer.json(r.body()).get("detail").asText())
                    .startsWith("days: must be an integer from 1 to 3660, was '" + days + "'");
        }
    }

    @Test
    void ownReads_areNotLoggedAsOthersReads() {
        String carol = contractorToken("carol");
        server.append(TestServer.audit("carol", "me-c1", 7000));
        server.get("/v1/me/entries", carol);
        server.get("/v1/me/export", carol);
        JsonNode log = TestServer.json(server.get("/v1/me/access-log", carol).body());
        assertThat(log.get("records")).isEmpty();
    }

    @Test
    void reputation_isTheCallersOwnWithExplanation_whateverTheParameters() {
        HttpResponse<String> r = server.get("/v1/me/reputation?contractor=bob", alice);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var json = TestServer.json(r.body());
        assertThat(json.get("contractor").asText()).isEqualTo("alice");
        assertThat(json.get("overall").get("score").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.has("explanation")).isTrue();
    }

    @Test
    void page_isServedWithoutAToken_withAStrictContentSecurityPolicy() {
        HttpResponse<String> r = server.get("/me", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                v -> assertThat(v).contains("script-src 'self'"));
        assertThat(server.get("/me/me.js", null).statusCode()).isEqualTo(200);
        assertThat(server.get("/me/secret.txt", null).statusCode()).isEqualTo(404);
    }

    private static String zipFile(byte[] zip, String name) throws Exception {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return new String(((InputStream) in).readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(name + " not in the zip");
    }
}
