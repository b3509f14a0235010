package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.api.http.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sends seeded malformed and hostile requests ({@link HostileRequests}) to every route of the
 * route table, over real sockets, and checks each answer:
 *
 * <ul>
 *   <li>no 5xx, and no request left without an answer, except that a request breaking HTTP
 *       framing (request line, header syntax, body length) may be answered by closing the
 *       connection; nothing may hang;</li>
 *   <li>the log does not grow on any request, and its size and root are the same at the end;</li>
 *   <li>every 4xx is {@code application/problem+json} with a {@code urn:trackrecord:problem:}
 *       type, a title, the response's status and a detail; when it lists {@code errors}, each
 *       has a path and a rule and the detail names the first path; a 400 about a parameter
 *       names a parameter the API reads (in a path of the route table or {@link HostileRequests#PARAMETERS};
 *       a mangled path may match another route than the one fuzzed)
 *       and its detail starts with that name.</li>
 * </ul>
 *
 * The default run sends {@value #CI_REQUESTS} requests; {@code torture.fuzz.requests} sets
 * another number ({@code -Ptorture}: 100,000). The seed is {@code torture.fuzz.seed} or the time;
 * {@code -Dtorture.fuzz.case=N} replays case N of that seed alone.
 */
@Tag("torture")
class HostileInputFuzzTest {
    static final int CI_REQUESTS = 2_000;
    private static final int TIMEOUT_MILLIS = 15_000;
    private static final Pattern PROBLEM_TYPE = Pattern.compile("urn:trackrecord:problem:[a-z0-9-]+");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private static TestServer server;
    private static HostileRequests.Case lastCase;
    private static Map<Role, String> tokens;
    private static Map<String, String> pathValues;
    private static Map<String, byte[]> templates;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.append(TestServer.audit("c-fz", "fz-seed-1", 8000));
        server.append(TestServer.audit("c-fz2", "fz-seed-2", 7000));
        long own = server.append(TestServer.audit("c-1", "fz-seed-c1", 9000));
        assertThat(server.post("/v1/checkpoints", server.token(Role.ADMIN), new byte[0]).statusCode()).isEqualTo(200);
        tokens = new EnumMap<>(Role.class);
        // Valid for a day: the full run takes minutes, and an expired token would turn the rest of
        // it into a test of the 401 path.
        for (Role role : Role.values()) {
            tokens.put(role, TokenKeys.mint(server.issuerKey, server.issuer, "fuzz-" + role.claim(), List.of(role),
                    role == Role.CONTRACTOR ? "c-1" : null, java.time.Duration.ofDays(1)));
        }
        pathValues = Map.of("seq", Long.toString(own), "id", "c-fz", "size", Long.toString(server.logSize()));
        templates = Map.of(
                "/v1/entries", TestServer.audit("c-fz", "fz-template-#N#", 8000).getBytes(StandardCharsets.UTF_8),
                "/v1/reputation:batch", "{\"contractors\":[\"c-fz\",\"c-nobody\"]}".getBytes(StandardCharsets.UTF_8),
                "/v1/policies", "{\"policy_id\":\"fz-policy-#N#\",\"params\":{\"half_life_days\":90}}"
                        .getBytes(StandardCharsets.UTF_8),
                "/v1/me/disputes", ("{\"target_seq\":" + own + ",\"reason_code\":\"other\",\"reason\":\"fuzz #N#\"}")
                        .getBytes(StandardCharsets.UTF_8),
                "/v1/audits/consensus", ("{\"batch_id\":\"fz-batch-#N#\",\"skill\":\"ner\",\"task_ref\":\"t-1\","
                        + "\"labels\":[{\"item\":\"i\",\"contractor\":\"c-fz\",\"label\":\"a\"},"
                        + "{\"item\":\"i\",\"contractor\":\"c-fz2\",\"label\":\"b\"}]}").getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void everyRoute_hostileRequests_refusedWithProblemsAndLogUnchanged() throws Exception {
        fuzz(Integer.getInteger("torture.fuzz.requests", CI_REQUESTS));
    }

    /** The templates are valid requests: without that, a mutation proves nothing. */
    @Test
    void templates_areAccepted() {
        for (var t : templates.entrySet()) {
            Api.Route route = server.server.routes().stream().filter(r -> r.path().equals(t.getKey())).findFirst()
                    .orElseThrow();
            Role role = route.roles().iterator().next();
            // A policy's occurred_at is the time it is published: a new policy id each call.
            byte[] body = new String(t.getValue(), StandardCharsets.UTF_8)
                    .replace("#N#", "check-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            var r = server.post(t.getKey(), tokens.get(role), body);
            assertThat(r.statusCode()).as(t.getKey() + " " + r.body()).isBetween(200, 299);
        }
    }

    private void fuzz(int requests) throws Exception {
        long seed = Long.getLong("torture.fuzz.seed", System.nanoTime());
        Long only = Long.getLong("torture.fuzz.case");
        HostileRequests gen = new HostileRequests(seed, server.server.routes(), tokens, pathValues, templates);
        System.out.println("fuzz: seed " + seed + ", " + requests + " requests over " + server.server.routes().size()
                + " routes (replay one case with -Dtorture.fuzz.seed=" + seed + " -Dtorture.fuzz.case=N)");
        long sizeBefore = server.logSize();
        byte[] rootBefore = server.server.ledger().root(sizeBefore);
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> categories = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        // A few examples of each kind of failure (status and first complaint), so one kind cannot hide another.
        Map<String, List<String>> examples = new TreeMap<>();
        long started = System.nanoTime();
        long from = only == null ? 0 : only;
        long to = only == null ? requests : only + 1;
        for (long i = from; i < to; i++) {
            HostileRequests.Case c = gen.generate(i);
            lastCase = c;
            long before = server.logSize();
            RawHttp.Response r = RawHttp.exchange(server.server.port(), c.bytes(), c.halfClose(),
                    c.method().equals("HEAD"), TIMEOUT_MILLIS);
            long after = server.logSize();
            String status = r.outcome() == RawHttp.Outcome.ANSWERED ? Integer.toString(r.status())
                    : r.outcome().name().toLowerCase(java.util.Locale.ROOT);
            statuses.merge(status, 1, Integer::sum);
            categories.merge(c.category().name().toLowerCase(java.util.Locale.ROOT) + " " + status, 1, Integer::sum);
            List<String> wrong = check(c, r, before, after);
            if (!wrong.isEmpty()) {
                String kind = status + " " + wrong.get(0).replaceAll("[0-9]+", "N");
                examples.computeIfAbsent(kind, k -> new ArrayList<>());
                failures.add("case " + c.index() + " (" + c.category() + ", " + c.route() + ", " + c.label() + "): "
                        + String.join("; ", wrong) + "\n  answer: " + status + " "
                        + abbreviate(r.bodyText(), 400) + "\n  request: " + c.printable(1500));
                if (examples.get(kind).size() < 3) {
                    examples.get(kind).add(failures.get(failures.size() - 1));
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("fuzz: %d requests in %.1f s; answers %s%n", to - from, seconds, statuses);
        System.out.println("fuzz: by category " + categories);
        examples.forEach((kind, list) -> {
            System.out.println("fuzz: failure kind '" + kind + "'");
            list.forEach(f -> System.out.println("fuzz: FAILED " + f));
        });
        assertThat(failures).as("seed " + seed + ": " + failures.size() + " failing cases of the kinds "
                + examples.keySet() + "; the first: " + failures.stream().limit(1).toList()).isEmpty();
        assertThat(server.logSize()).as("log size after the fuzz run").isEqualTo(sizeBefore);
        assertThat(HexFormat.of().formatHex(server.server.ledger().root(sizeBefore)))
                .as("log root after the fuzz run").isEqualTo(HexFormat.of().formatHex(rootBefore));
        // And the service still works.
        assertThat(server.get("/observe/health", null).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/entries/0", tokens.get(Role.COMPLIANCE)).statusCode()).isEqualTo(200);
    }

    /** What is wrong with answer {@code r} to case {@code c}; empty when nothing is. */
    static List<String> check(HostileRequests.Case c, RawHttp.Response r, long sizeBefore, long sizeAfter) {
        List<String> wrong = new ArrayList<>();
        if (sizeAfter != sizeBefore) {
            wrong.add("the log grew from " + sizeBefore + " to " + sizeAfter);
        }
        switch (r.outcome()) {
            case TIMED_OUT -> wrong.add("no answer within " + TIMEOUT_MILLIS + " ms");
            case BROKEN -> wrong.add("the answer broke off");
            case CLOSED -> {
                if (!c.framing()) {
                    wrong.add("connection closed without an answer to a well-framed request");
                }
            }
            case ANSWERED -> {
                if (r.status() >= 500 || r.status() < 100) {
                    wrong.add("status " + r.status());
                } else if (r.status() >= 400) {
                    wrong.addAll(checkProblem(c, r));
                }
            }
        }
        return wrong;
    }

    private static List<String> checkProblem(HostileRequests.Case c, RawHttp.Response r) {
        List<String> wrong = new ArrayList<>();
        String type = r.header("Content-Type").orElse("");
        if (!type.equals("application/problem+json")) {
            wrong.add("4xx with Content-Type '" + type + "'");
            return wrong;
        }
        if (c.method().equals("HEAD")) {
            return wrong;
        }
        JsonNode p;
        try {
            p = TestServer.JSON.readTree(r.body());
        } catch (IOException e) {
            wrong.add("problem body is not JSON");
            return wrong;
        }
        if (p == null || !p.isObject()) {
            wrong.add("problem body is not an object");
            return wrong;
        }
        if (!PROBLEM_TYPE.matcher(p.path("type").asText()).matches()) {
            wrong.add("problem type '" + p.path("type").asText() + "'");
        }
        if (p.path("title").asText().isBlank()) {
            wrong.add("problem without a title");
        }
        if (p.path("status").asInt() != r.status()) {
            wrong.add("problem status " + p.path("status") + " differs from " + r.status());
        }
        String detail = p.path("detail").asText();
        if (detail.isBlank()) {
            wrong.add("problem without a detail");
        }
        JsonNode errors = p.path("errors");
        if (!errors.isMissingNode()) {
            if (!errors.isArray() || errors.isEmpty()) {
                wrong.add("problem errors is not a non-empty array");
            } else {
                for (JsonNode e : errors) {
                    if (e.path("path").asText().isBlank() || e.path("rule").asText().isBlank()) {
                        wrong.add("problem error without a path or rule: " + e);
                    }
                }
                String first = errors.get(0).path("path").asText();
                if (!detail.contains(first)) {
                    wrong.add("detail does not name the first error's path " + first);
                }
            }
        }
        if (p.path("type").asText().endsWith(":invalid-parameter")) {
            String name = errors.path(0).path("path").asText();
            Set<String> known = new HashSet<>(HostileRequests.PARAMETERS);
            for (Api.Route route : server.server.routes()) {
                Matcher m = PATH_PARAM.matcher(route.path());
                while (m.find()) {
                    known.add(m.group(1));
                }
            }
            if (!known.contains(name) || !detail.startsWith(name + ": ")) {
                wrong.add("a 400 about a parameter names '" + name + "', not a parameter of the route");
            }
        }
        return wrong;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
