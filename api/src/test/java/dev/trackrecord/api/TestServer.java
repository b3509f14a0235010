package dev.trackrecord.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A service on a free port over a fresh temporary data directory, and an HTTP client for it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final TrackRecordServer server;
    final ECKey issuerKey;
    final String issuer;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Path dir, TrackRecordServer server, ECKey issuerKey, String issuer) {
        this.dir = dir;
        this.server = server;
        this.issuerKey = issuerKey;
        this.issuer = issuer;
    }

    static TestServer start() {
        try {
            return start(Files.createTempDirectory("trackrecord-api-test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service over {@code dir}, new or left by an earlier {@link #stop()}. */
    static TestServer start(Path dir) {
        try {
            Settings settings = new Settings(dir, "127.0.0.1", 0, Settings.DEFAULT_ORIGIN, Duration.ofSeconds(60),
                    4L * 1024 * 1024);
            TrackRecordServer server = TrackRecordServer.start(settings);
            ECKey key = TokenKeys.load(new DataDirectory(dir).tokenIssuerKey());
            return new TestServer(dir, server, key, settings.tokenIssuer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String token(Role role) {
        return TokenKeys.mint(issuerKey, issuer, "test-" + role.claim(), List.of(role),
                role == Role.CONTRACTOR ? "c-1" : null, Duration.ofMinutes(5));
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    HttpResponse<String> post(String path, String token, String body) {
        return post(path, token, body.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Appends {@code submission} with an admin token and returns its seq. */
    long append(String submission) {
        HttpResponse<String> r = post("/v1/entries", token(Role.ADMIN), submission);
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("append failed: " + r.statusCode() + " " + r.body());
        }
        return json(r.body()).get("entries").get(0).get("seq").asLong();
    }

    long logSize() {
        return server.ledger().size();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid audit.result submission for {@code contractor} with {@code eventId}. */
    static String audit(String contractor, String eventId, int scoreBp) {
        return """
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-03-15T10:00:00Z","audit_id":"audit-5512","task_id":"task-88121",
                "method":"gold","auditor":"qa-service","verdict":"pass","score_bp":%d,"error_tags":[],
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """.formatted(contractor, eventId, scoreBp);
    }

    /** Stops the service and keeps its data directory. */
    void stop() {
        server.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
