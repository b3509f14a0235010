package dev.trackrecord.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The REST baselines: plain Helidon SE endpoints with no auth, no ledger and no logging, on the
 * same server settings as the service (TCP_NODELAY). {@code GET /plain/{id}} answers a small JSON
 * object serialized with Jackson per request: what the service's reads cannot beat on the same
 * machine. {@code POST /v1/entries} reads the request's body and answers 201 with a receipt of one
 * entry, as long as the service's: what its single-entry appends cannot beat, sent the same
 * requests. {@code java ... PlainJsonServer PORT}.
 */
public final class PlainJsonServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The service's receipt of one appended entry, with made-up values of the same lengths. */
    private static final byte[] RECEIPT = ("{\"entries\":[{\"seq\":1234567,\"leaf_hash\":\""
            + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            + "\",\"ts\":\"2026-11-29T10:00:00.123Z\",\"duplicate\":false}]}").getBytes(StandardCharsets.US_ASCII);

    private PlainJsonServer() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .connectionOptions(options -> options.tcpNoDelay(true))
                .featuresDiscoverServices(false)
                .routing(r -> r.get("/plain/{id}", (req, res) -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("contractor", req.path().pathParameters().get("id"));
                    body.put("status", "active");
                    body.put("overall", Map.of("score", 0.91, "lower", 0.87, "upper", 0.94, "n_eff", 120.5));
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(JSON.writeValueAsBytes(body));
                }).post("/v1/entries", (req, res) -> {
                    byte[] entry;
                    try (InputStream in = req.content().inputStream()) {
                        entry = in.readAllBytes();
                    }
                    res.status(entry.length > 0 ? 201 : 400);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(RECEIPT);
                }))
                .build()
                .start();
        if (server.port() < 0) {
            System.err.println("could not listen on port " + port);
            System.exit(1);
        }
        System.out.println("listening on http://127.0.0.1:" + server.port());
    }
}
