package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.http.Api;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The OpenAPI document in schemas/openapi/ describes every route the service registers. */
class OpenApiDocumentTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyRegisteredRoute_isInTheDocument() throws Exception {
        Map<String, Object> paths;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/openapi.yaml")) {
            assertThat(in).as("META-INF/openapi.yaml on the classpath (from the schemas module)").isNotNull();
            Map<String, Object> doc = new Yaml().load(in);
            assertThat(doc.get("openapi")).isEqualTo("3.1.0");
            paths = (Map<String, Object>) doc.get("paths");
        }
        for (Api.Route route : server.server.routes()) {
            String method = route.method().text().toLowerCase(Locale.ROOT);
            assertThat(paths).as("openapi.yaml paths").containsKey(route.path());
            Map<String, Object> operations = (Map<String, Object>) paths.get(route.path());
            assertThat(operations).as("operations of " + route.path() + " in openapi.yaml").containsKey(method);
        }
    }

    @Test
    void openapiEndpoint_servesTheDocument() {
        HttpResponse<String> r = server.get("/openapi", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("/v1/contractors/{id}/entries").contains("/v1/exports");
    }

    @Test
    void health_isUpWithTheStorageCheck() {
        HttpResponse<String> r = server.get("/observe/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        var json = TestServer.json(r.body());
        assertThat(json.get("status").asText()).isEqualTo("UP");
        assertThat(json.get("checks").findValuesAsText("name")).contains("storage");
    }

    @Test
    void metrics_countAppends() {
        server.append(TestServer.audit("c-metrics", "metrics-1", 5000));
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/observe/metrics"))
                .header("Accept", "text/plain").build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("trackrecord_entries_appended_total").contains("trackrecord_append_latency_seconds");
    }
}
