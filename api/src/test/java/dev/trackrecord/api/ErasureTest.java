package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.json.Bytes;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Fsck;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * Erasure over the real service and data directory: afterwards neither the personal values nor
 * the destroyed keys are anywhere in the data directory's files, fsck passes, a bundle exported
 * before still verifies, the scores are unchanged and a new export holds no personal data.
 */
class ErasureTest {

    @Test
    void erasure_leavesNoPlaintextOrKeyInTheDataDirectory_andEverythingElseVerifies() throws Exception {
        long seed = System.nanoTime();
        System.out.println("ErasureTest seed " + seed);
        Random random = new Random(seed);
        // Values that occur nowhere else, so finding one means it leaked.
        String name = "Zelda Q" + Long.toHexString(random.nextLong()) + " Privacytest";
        String email = "z" + Long.toHexString(random.nextLong()) + "@example.org";
        String iban = "DE" + Math.floorMod(random.nextLong(), 1_000_000_000_000_000L) + "77";
        String now = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();

        TestServer server = TestServer.start();
        Path dir = server.dir;
        List<byte[]> keys;
        byte[] before;
        NoteVerifier key;
        try {
            for (int i = 0; i < 5; i++) {
                server.append("""
                        {"kind":"audit.result","contractor":"c-1","event_id":"qa-%d","body":{"occurred_at":"%s",
                         "audit_id":"a-%d","task_id":"t-%d","method":"gold","auditor":"qa","verdict":"pass",
                         "score_bp":%d,"error_tags":[],"skills":["ner"],
                         "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"""
                        .formatted(i, now, i, i, 7000 + 500 * i));
            }
            long profileSeq = server.append("""
                    {"kind":"contractor.profile","contractor":"c-1","event_id":"profile-1",
                     "body":{"occurred_at":"%s"},
                     "personal":{"legal_name":"%s","email":"%s","tax_id":"TAX-%s"}}""".formatted(now, name, email, iban));
            long payoutSeq = server.append("""
                    {"kind":"payout","contractor":"c-1","event_id":"pay-1","body":{"occurred_at":"%s",
                     "payout_id":"po-1","task_ids":["t-1"],"amount_minor":500,"currency":"EUR","status":"settled"},
                     "personal":{"payee_name":"%s","payment_account":"%s"}}""".formatted(now, name, iban));
            server.append("""
                    {"kind":"contractor.profile","contractor":"c-2","event_id":"profile-2",
                     "body":{"occurred_at":"%s"},"personal":{"legal_name":"Someone Else Entirely"}}""".formatted(now));

            // The stored entries hold commitments, not the values.
            String stored = server.get("/v1/entries/" + profileSeq, server.token(Role.ADMIN)).body();
            assertThat(stored).doesNotContain(name).doesNotContain(email).contains("\"personal\":{\"fields\":{");

            keys = keyMaterial(dir, "c-1");
            assertThat(keys).as("c-1's key and salt for the profile and for the payout").hasSize(4);
            assertThat(scan(dir, keys)).as("the scan finds key bytes where they are").isNotEmpty();
            assertThat(scan(dir, texts(name, email, iban))).as("plaintext before erasure").isEmpty();

            server.post("/v1/checkpoints", server.token(Role.ADMIN), "");
            key = NoteVerifier.parse(server.server.verifierKey());
            before = download(server, "/v1/exports?contractor=c-1", server.token(Role.COMPLIANCE));
            byte[] mineBefore = download(server, "/v1/me/export", server.token(Role.CONTRACTOR));
            assertThat(zipFile(mineBefore, "personal.json")).contains(name, email, iban);
            assertThat(BundleVerifier.verify(new ByteArrayInputStream(mineBefore), Optional.of(key)).personalRecords())
                    .isEqualTo(2);
            JsonNode scoreBefore = TestServer.json(server.get("/v1/contractors/c-1/reputation",
                    server.token(Role.MARKETPLACE)).body()).get("overall");

            HttpResponse<String> erased = server.post("/v1/contractors/c-1/erasure", server.token(Role.ADMIN),
                    "{\"reason_code\":\"data_subject_request\"}");
            assertThat(erased.statusCode()).as(erased.body()).isEqualTo(201);
            JsonNode answer = TestServer.json(erased.body());
            assertThat(answer.get("seqs").toString()).isEqualTo("[" + profileSeq + "," + payoutSeq + "]");
            assertThat(answer.get("keys")).hasSize(2);
            HttpResponse<String> again = server.post("/v1/contractors/c-1/erasure", server.token(Role.ADMIN), "");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(again.body()).get("seq").asLong()).isEqualTo(answer.get("seq").asLong());

            JsonNode scoreAfter = TestServer.json(server.get("/v1/contractors/c-1/reputation",
                    server.token(Role.MARKETPLACE)).body()).get("overall");
            assertThat(scoreAfter).isEqualTo(scoreBefore);

            server.post("/v1/checkpoints", server.token(Role.ADMIN), "");
            byte[] mineAfter = download(server, "/v1/me/export", server.token(Role.CONTRACTOR));
            String personalAfter = zipFile(mineAfter, "personal.json");
            assertThat(personalAfter).doesNotContain(name).doesNotContain(email).doesNotContain(iban)
                    .contains("\"records\":[]")
                    .contains("{\"key\":\"contractor.profile\",\"seq\":" + profileSeq + "}");
            BundleVerification v = BundleVerifier.verify(new ByteArrayInputStream(mineAfter), Optional.of(key));
            assertThat(v.personalRecords()).isZero();
            byte[] complianceAfter = download(server, "/v1/exports?contractor=c-1", server.token(Role.COMPLIANCE));
            assertThat(new String(complianceAfter, StandardCharsets.ISO_8859_1)).doesNotContain(name);
        } finally {
            server.stop();
        }

        // Stopped: whatever the storage engine and the vault left on disk is all there is.
        assertThat(scan(dir, texts(name, email, iban))).as("personal values left after erasure").isEmpty();
        assertThat(scan(dir, keys)).as("destroyed key or salt bytes (raw, hex, base64) left").isEmpty();
        assertThat(keyMaterial(dir, "c-1")).isEmpty();
        assertThat(Fsck.check(dir).ok()).as(Fsck.check(dir).toString()).isTrue();
        // A bundle exported before the erasure still verifies: no entry changed.
        BundleVerification old = BundleVerifier.verify(new ByteArrayInputStream(before), Optional.of(key));
        assertThat(old.entryCount()).isEqualTo(7); // five audits, the profile, the payout
    }

    /** The 32-byte AES keys and salts of the contractor's key files, raw. */
    static List<byte[]> keyMaterial(Path dir, String contractor) throws Exception {
        List<byte[]> out = new ArrayList<>();
        Path keys = dir.resolve("vault/keys");
        String sub = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(contractor.getBytes(StandardCharsets.UTF_8)), 0, 16);
        if (!Files.isDirectory(keys.resolve(sub))) {
            return out;
        }
        try (Stream<Path> files = Files.list(keys.resolve(sub))) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                out.add(Arrays.copyOfRange(b, 8, 40));
                out.add(Arrays.copyOfRange(b, 40, 72));
            }
        }
        return out;
    }

    /** Each value in UTF-8, and each key also as hex and base64, for the scan. */
    static List<byte[]> texts(String... values) {
        return Stream.of(values).map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Every file under {@code dir} (storage engine files included) that holds one of {@code needles}, byte-wise. */
    static List<String> scan(Path dir, List<byte[]> needles) throws Exception {
        List<byte[]> forms = new ArrayList<>(needles);
        for (byte[] n : needles) {
            if (n.length == 32) {
                forms.add(HexFormat.of().formatHex(n).getBytes(StandardCharsets.US_ASCII));
                forms.add(Base64.getEncoder().encode(n));
            }
        }
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(f);
                for (byte[] needle : forms) {
                    if (Bytes.indexOf(content, needle) >= 0) {
                        hits.add(dir.relativize(f).toString());
                    }
                }
            }
        }
        return hits;
    }

    static byte[] download(TestServer server, String path, String token) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<byte[]> r = server.client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path + ": " + new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return r.body();
    }

    static String zipFile(byte[] zip, String name) throws Exception {
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
