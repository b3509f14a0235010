package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Appends, resends, reads, pages and proofs over HTTP. */
class AppendAndReadTest {
    private static final HexFormat HEX = HexFormat.of();
    private static TestServer server;
    private static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = server.token(Role.ADMIN);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void resend_sameEntry_returnsTheSameSeqAndAppendsNothing() {
        String entry = TestServer.audit("c-idem", "idem-1", 7000);
        HttpResponse<String> first = server.post("/v1/entries", server.token(Role.INGEST), entry);
        assertThat(first.statusCode()).isEqualTo(201);
        long size = server.logSize();
        HttpResponse<String> again = server.post("/v1/entries", server.token(Role.INGEST), entry);
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode a = TestServer.json(first.body()).get("entries").get(0);
        JsonNode b = TestServer.json(again.body()).get("entries").get(0);
        assertThat(b.get("seq").asLong()).isEqualTo(a.get("seq").asLong());
        assertThat(b.get("leaf_hash").asText()).isEqualTo(a.get("leaf_hash").asText());
        assertThat(b.get("duplicate").asBoolean()).isTrue();
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void resend_differentBody_conflicts() {
        server.append(TestServer.audit("c-idem", "idem-2", 7000));
        long size = server.logSize();
        HttpResponse<String> r = server.post("/v1/entries", admin, TestServer.audit("c-idem", "idem-2", 7001));
        assertThat(r.statusCode()).isEqualTo(409);
        assertProblem(r, "event-conflict");
        assertThat(r.body()).contains("idem-2").contains("body");
        assertThat(server.logSize()).isEqualTo(size);
    }

    @Test
    void entry_readBack_isTheCanonicalEnvelopeWithSourceFromTheToken() {
        HttpResponse<String> appended = server.post("/v1/entries", server.token(Role.INGEST),
                TestServer.audit("c-read", "read-1", 6500));
        JsonNode result = TestServer.json(appended.body()).get("entries").get(0);
        long seq = result.get("seq").asLong();
        HttpResponse<String> r = server.get("/v1/entries/" + seq, server.token(Role.COMPLIANCE));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        assertThat(HEX.formatHex(Rfc9162.leafHash(bytes))).isEqualTo(result.get("leaf_hash").asText());
        JsonNode entry = TestServer.json(r.body());
        assertThat(entry.get("seq").asLong()).isEqualTo(seq);
        assertThat(entry.get("source").asText()).isEqualTo("test-ingest");
        assertThat(entry.get("body").get("score_bp").asInt()).isEqualTo(6500);
    }

    @Test
    void entry_beyondTheLog_isNotFound() {
        HttpResponse<String> r = server.get("/v1/entries/999999", admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertProblem(r, "not-found");
    }

    @Test
    void contractorEntries_pagesOldestFirstWithACursor() {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(server.append(TestServer.audit("c-pages", "page-" + i, 1000 + i)));
            server.append(TestServer.audit("c-other", "other-" + i, 1000));
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> r = server.get("/v1/contractors/c-pages/entries?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), server.token(Role.COMPLIANCE));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = TestServer.json(r.body());
            assertThat(page.get("entries").size()).isLessThanOrEqualTo(2);
            page.get("entries").forEach(e -> {
                assertThat(e.get("contractor").asText()).isEqualTo("c-pages");
                seen.add(e.get("seq").asLong());
            });
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(seen).isEqualTo(seqs);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void contractorEntries_unknownContractor_isAnEmptyPage() {
        HttpResponse<String> r = server.get("/v1/contractors/c-nobody/entries", admin);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"entries\":[],\"next_cursor\":null}");
    }

    @Test
    void inclusionAndConsistencyProofs_verifyAgainstSignedCheckpoints() throws Exception {
        long seq = server.append(TestServer.audit("c-proof", "proof-1", 9100));
        String note1 = server.post("/v1/checkpoints", admin, new byte[0]).body();
        server.append(TestServer.audit("c-proof", "proof-2", 9200));
        String note2 = server.post("/v1/checkpoints", admin, new byte[0]).body();
        NoteVerifier verifier = NoteVerifier.parse(server.get("/v1/checkpoints/key", admin).body().strip());
        Checkpoint c1 = Checkpoint.open(note1, verifier);
        Checkpoint c2 = Checkpoint.open(note2, verifier);
        assertThat(server.get("/v1/checkpoints/latest", admin).body()).isEqualTo(note2);
        assertThat(server.get("/v1/checkpoints/" + c1.treeSize(), admin).body()).isEqualTo(note1);

        JsonNode proof = TestServer.json(server.get("/v1/proofs/inclusion?seq=" + seq, admin).body());
        assertThat(proof.get("tree_size").asLong()).isEqualTo(c2.treeSize());
        byte[] leaf = Rfc9162.leafHash(server.get("/v1/entries/" + seq, admin).body().getBytes(StandardCharsets.UTF_8));
        assertThat(proof.get("leaf_hash").asText()).isEqualTo(HEX.formatHex(leaf));
        ProofVerifier.verifyInclusion(seq, c2.treeSize(), leaf, hashes(proof), c2.rootHash());

        JsonNode consistency = TestServer.json(server.get("/v1/proofs/consistency?size1=" + c1.treeSize()
                + "&size2=" + c2.treeSize(), admin).body());
        ProofVerifier.verifyConsistency(c1.treeSize(), c2.treeSize(), hashes(consistency), c1.rootHash(), c2.rootHash());
    }

    @Test
    void checkpoint_atASizeNeverSigned_isNotFound() {
        HttpResponse<String> r = server.get("/v1/checkpoints/987654", admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertProblem(r, "not-found");
        assertThat(r.body()).contains("987654");
    }

    private static List<byte[]> hashes(JsonNode proof) {
        List<byte[]> out = new ArrayList<>();
        proof.get("hashes").forEach(h -> out.add(HEX.parseHex(h.asText())));
        return out;
    }
}
