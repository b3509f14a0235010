package dev.trackrecord.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.store.EventConflictException;
import dev.trackrecord.ledger.store.LedgerBusyException;
import dev.trackrecord.ledger.store.StorageFailedException;
import io.helidon.http.HttpException;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ledger exceptions become the statuses and headers a client can act on, as problem+json. */
class ProblemsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false).featuresDiscoverServices(false)
                .routing(r -> {
                    r.get("/conflict", (req, res) -> {
                        throw new EventConflictException("e-1", 7, "body");
                    });
                    r.get("/busy", (req, res) -> {
                        throw new LedgerBusyException(10, 10);
                    });
                    r.get("/storage", (req, res) -> {
                        throw new StorageFailedException("could not store the batch: disk full", new IOException("ENOSPC"));
                    });
                    r.get("/helidon", (req, res) -> {
                        throw new HttpException("header X is malformed", io.helidon.http.Status.BAD_REQUEST_400);
                    });
                    r.get("/bug", (req, res) -> {
                        throw new IllegalStateException("internal secret detail");
                    });
                    Problems.register(r);
                })
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void eventConflict_is409NamingTheEvent() throws Exception {
        HttpResponse<String> r = get("/conflict");
        JsonNode p = problem(r, 409, "event-conflict");
        assertThat(p.get("detail").asText()).contains("e-1").contains("entry 7");
    }

    @Test
    void busy_is503WithRetryAfter() throws Exception {
        HttpResponse<String> r = get("/busy");
        problem(r, 503, "busy");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void storageFailed_is503WithRetryAfter() throws Exception {
        HttpResponse<String> r = get("/storage");
        JsonNode p = problem(r, 503, "storage-failed");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(p.get("detail").asText()).contains("disk full");
    }

    @Test
    void helidonRefusal_keepsItsStatus() throws Exception {
        HttpResponse<String> r = get("/helidon");
        JsonNode p = problem(r, 400, "bad-request");
        assertThat(p.get("detail").asText()).contains("header X");
    }

    @Test
    void unexpectedFailure_is500WithoutItsMessage() throws Exception {
        HttpResponse<String> r = get("/bug");
        problem(r, 500, "internal");
        assertThat(r.body()).doesNotContain("secret");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> r, int status, String type) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo(Problems.TYPE_PREFIX + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        return p;
    }
}
