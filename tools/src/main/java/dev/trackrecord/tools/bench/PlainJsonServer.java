package dev.trackrecord.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The REST baseline: a plain Helidon SE endpoint, {@code GET /plain/{id}}, that answers a small
 * JSON object serialized with Jackson per request, with no auth, no ledger and no logging, on the
 * same server settings as the service (TCP_NODELAY). What the service's reads cannot beat on the
 * same machine: {@code java ... PlainJsonServer PORT}.
 */
public final class PlainJsonServer {
    private static final ObjectMapper JSON = new ObjectMapper();

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
