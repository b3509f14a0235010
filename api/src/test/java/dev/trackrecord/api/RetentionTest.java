package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.privacy.RetentionJob;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention with an injected clock: payouts' personal data (P7Y by default) is shredded after seven years. */
class RetentionTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void run_shredsOnlyKeysPastRetention_andRecordsTheSeqs() throws Exception {
        Instant occurred = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        long payout = server.append("""
                {"kind":"payout","contractor":"c-1","event_id":"pay-r1","body":{"occurred_at":"%s",
                 "payout_id":"po-r1","task_ids":[],"amount_minor":100,"currency":"EUR","status":"settled"},
                 "personal":{"payee_name":"Retained Payee"}}""".formatted(occurred));
        server.append("""
                {"kind":"contractor.profile","contractor":"c-1","event_id":"profile-r1",
                 "body":{"occurred_at":"%s"},"personal":{"legal_name":"Kept Until Erasure"}}""".formatted(occurred));
        String key = "payout@" + LocalDate.ofInstant(occurred, ZoneOffset.UTC).plusYears(7).plusDays(1);
        Instant expiry = LocalDate.ofInstant(occurred, ZoneOffset.UTC).plusYears(7).plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        var vault = server.server.privacy().vault();

        List<RetentionJob.Shredded> early = new RetentionJob(server.server.ledger(), vault,
                Clock.fixed(expiry.minusSeconds(1), ZoneOffset.UTC)).run();
        List<RetentionJob.Shredded> due = new RetentionJob(server.server.ledger(), vault,
                Clock.fixed(expiry, ZoneOffset.UTC)).run();
        List<RetentionJob.Shredded> repeated = new RetentionJob(server.server.ledger(), vault,
                Clock.fixed(expiry.plusSeconds(3600), ZoneOffset.UTC)).run();

        assertThat(early).isEmpty();
        assertThat(due).singleElement().satisfies(s -> {
            assertThat(s.keyId()).isEqualTo(key);
            assertThat(s.seqs()).containsExactly(payout);
        });
        assertThat(repeated).isEmpty();
        assertThat(vault.keys("c-1")).containsExactly("contractor.profile");
        JsonNode record = TestServer.json(server.get("/v1/entries/" + due.get(0).recordSeq(),
                server.token(Role.ADMIN)).body());
        assertThat(record.get("kind").asText()).isEqualTo("personal.shredded");
        assertThat(record.get("body").toString()).contains(key).contains("[" + payout + "]").doesNotContain("Retained");

        server.post("/v1/checkpoints", server.token(Role.ADMIN), "");
        String personal = ErasureTest.zipFile(ErasureTest.download(server, "/v1/me/export",
                server.token(Role.CONTRACTOR)), "personal.json");
        assertThat(personal).contains("Kept Until Erasure").doesNotContain("Retained Payee")
                .contains("{\"key\":\"" + key + "\",\"seq\":" + payout + "}");
    }

    @Test
    void append_refusesPersonalDataPastRetention_andServiceOnlyKinds() {
        HttpResponse<String> old = server.post("/v1/entries", server.token(Role.INGEST), """
                {"kind":"payout","contractor":"c-1","event_id":"pay-old","body":{"occurred_at":"2015-01-01T00:00:00Z",
                 "payout_id":"po-old","task_ids":[],"amount_minor":100,"currency":"EUR","status":"settled"},
                 "personal":{"payee_name":"Too Old"}}""");
        HttpResponse<String> erased = server.post("/v1/entries", server.token(Role.INGEST), """
                {"kind":"contractor.erased","contractor":"c-1","event_id":"fake-erasure","body":{
                 "occurred_at":"2026-01-01T00:00:00Z","reason_code":"x","keys":[],"seqs":[]}}""");
        long size = server.logSize();

        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(old.body()).contains("$.personal").contains("past its retention");
        assertThat(erased.statusCode()).isEqualTo(400);
        assertThat(erased.body()).contains("$.kind").contains("written by the service");
        assertThat(server.logSize()).isEqualTo(size);
    }
}
