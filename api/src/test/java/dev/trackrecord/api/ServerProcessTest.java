package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real service in its own JVM, the way {@code trackrecord serve} does, and talks to
 * it only over HTTP and through the files it creates.
 */
class ServerProcessTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path temp;

    @Test
    void realServer_appendReadAndProveInclusionAgainstTheSignedCheckpoint() throws Exception {
        Path data = temp.resolve("data");
        // The origin comes from the environment, as a deployment would set it.
        String origin = "e2e.example/log";
        ServerProcess served = ServerProcess.start(ServerProcess.Launch.of(data).withEnv(Map.of("TRACKRECORD_ORIGIN", origin)));
        try {
            assertThat(Files.exists(data.resolve("keys/checkpoint.key"))).isTrue();
            DataDirectory dir = new DataDirectory(data);
            NoteVerifier verifier = dir.loadCheckpointVerifier();
            assertThat(served.output()).contains("checkpoint verifier key: " + verifier.text());
            ECKey key = TokenKeys.load(dir.tokenIssuerKey());
            assertThat(verifier.name()).isEqualTo(origin);
            String token = TokenKeys.mint(key, "trackrecord:" + origin, "e2e-ingest",
                    List.of(Role.INGEST, Role.COMPLIANCE), null, Duration.ofMinutes(5));
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://localhost:" + served.port;

            HttpResponse<String> appended = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/entries"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.audit("c-e2e", "e2e-1", 9650))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(appended.statusCode()).as(appended.body()).isEqualTo(201);
            long seq = TestServer.json(appended.body()).get("entries").get(0).get("seq").asLong();

            byte[] entry = get(client, base + "/v1/entries/" + seq, token).getBytes(StandardCharsets.UTF_8);
            assertThat(TestServer.json(new String(entry, StandardCharsets.UTF_8)).get("event_id").asText()).isEqualTo("e2e-1");

            // The checkpointer signs every 2 s; wait for one that covers the entry.
            Checkpoint checkpoint = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                checkpoint = Checkpoint.open(get(client, base + "/v1/checkpoints/latest", token), verifier);
                if (checkpoint.treeSize() > seq) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(checkpoint.treeSize()).isGreaterThan(seq);
            assertThat(checkpoint.origin()).isEqualTo(origin);

            JsonNode proof = TestServer.json(get(client, base + "/v1/proofs/inclusion?seq=" + seq
                    + "&tree_size=" + checkpoint.treeSize(), token));
            List<byte[]> hashes = new ArrayList<>();
            proof.get("hashes").forEach(h -> hashes.add(HEX.parseHex(h.asText())));
            ProofVerifier.verifyInclusion(seq, checkpoint.treeSize(), Rfc9162.leafHash(entry), hashes,
                    checkpoint.rootHash());

            // Export the contractor's signed audit trail and verify it offline, as a third party would.
            HttpResponse<byte[]> export = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/exports?contractor=c-e2e"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(export.headers().firstValue("Content-Type")).hasValue("application/zip");
            Path bundle = data.resolveSibling("export.zip");
            Files.write(bundle, export.body());
            var verified = dev.trackrecord.ledger.bundle.BundleVerifier.verify(bundle, java.util.Optional.of(verifier));
            assertThat(verified.entryCount()).isEqualTo(1);

            // One changed byte in the exported entry line fails verification, naming the place.
            Path tampered = data.resolveSibling("tampered.zip");
            rewriteEntry(bundle, tampered, "entries.jsonl", "\"score_bp\":9650", "\"score_bp\":9651");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.trackrecord.ledger.bundle.BundleVerifier
                            .verify(tampered, java.util.Optional.of(verifier)))
                    .hasMessageContaining("entries.jsonl line 1 (seq " + seq + ")");
        } finally {
            served.stop();
        }
        assertThat(served.process.isAlive()).isFalse();
        assertThat(served.process.exitValue()).as("exit on SIGTERM").isIn(0, 143);

        // The command line reads the same data directory the service wrote.
        var report = dev.trackrecord.ledger.store.Fsck.check(data);
        assertThat(report.problem()).isEmpty();
        assertThat(report.entries()).as("the default policy and the appended entry").isEqualTo(2);
    }

    @Test
    void realServer_portInUse_failsWithAClearMessage() throws Exception {
        ServerProcess first = ServerProcess.start(temp.resolve("one"));
        try {
            Map.Entry<Integer, String> second = ServerProcess.startExpectingFailure(
                    ServerProcess.Launch.of(temp.resolve("two")).onPort(first.port));
            assertThat(second.getKey()).as("second server exits: " + second.getValue()).isEqualTo(1);
            assertThat(second.getValue()).contains("could not listen").contains(String.valueOf(first.port));
        } finally {
            first.stop();
        }
    }

    /** Copies a zip, replacing {@code from} with {@code to} once in member {@code name}. */
    private static void rewriteEntry(Path in, Path out, String name, String from, String to) throws IOException {
        try (var zin = new java.util.zip.ZipInputStream(Files.newInputStream(in));
             var zout = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
            java.util.zip.ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                byte[] bytes = zin.readAllBytes();
                if (e.getName().equals(name)) {
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    assertThat(text).contains(from);
                    bytes = text.replaceFirst(java.util.regex.Pattern.quote(from), to).getBytes(StandardCharsets.UTF_8);
                }
                zout.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zout.write(bytes);
                zout.closeEntry();
            }
        }
    }

    private static String get(HttpClient client, String url, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
