package dev.trackrecord.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.api.kafka.ShardHaltedException;
import dev.trackrecord.api.kafka.ShardMovedException;
import dev.trackrecord.api.kafka.Shards;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.DisputeConflictException;
import dev.trackrecord.ledger.store.LogConflictException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The {@code /v1} routes of a node of the sharded mode (docs/operations.md, "Sharded mode").
 *
 * <ul>
 *   <li>{@code POST /v1/entries}: validated here, split by shard (a {@code _system} entry goes to
 *       every shard), each shard's part produced to its partition by the node that holds the shard
 *       (this one, or the owner it is forwarded to), and answered once applied. Each answered item
 *       names its {@code shard}; a {@code _system} entry answers one item per shard.</li>
 *   <li>Reads of a contractor ({@code /v1/contractors/{id}/...}) go to the contractor's shard;
 *       reads of a log ({@code /v1/entries/{seq}}, checkpoints, proofs, exports) name it with the
 *       query parameter {@code shard} (an export may name a {@code contractor} instead). A shard this
 *       node holds is served by that shard's {@link Api}, exactly as the embedded mode serves its
 *       log; any other is forwarded to the node that holds it, with the caller's token, and its
 *       answer relayed. Every answer carries {@code TrackRecord-Shard} and {@code TrackRecord-Node}.</li>
 *   <li>Routes over every contractor at once (batches, top-k, consensus audits, policies, /v1/me)
 *       answer 501: they would need a scatter-gather over the shards, not built.</li>
 * </ul>
 */
public final class ShardedApi {
    /** Header of a request one node forwarded to another; such a request is never forwarded again. */
    public static final HeaderName FORWARDED_BY = HeaderNames.create("TrackRecord-Forwarded-By");
    /** The shard that answered. */
    public static final HeaderName SHARD = HeaderNames.create("TrackRecord-Shard");
    /** The node that answered. */
    public static final HeaderName NODE = HeaderNames.create("TrackRecord-Node");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,9}");
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Role> INGEST = EnumSet.of(Role.INGEST, Role.ADMIN);

    /** What the routes need of the node. */
    public interface Cluster {
        /** P. */
        int shardCount();

        String nodeId();

        /** The Api of shard {@code n} if this node holds the shard now. */
        Optional<Api> local(int n);

        /** The base URL of the node that holds shard {@code n}, if another node does. */
        Optional<String> ownerUrl(int n);

        /**
         * Produces {@code request} (entries of shard {@code n} only) to shard {@code n}'s partition
         * and completes once this node has applied it.
         */
        CompletableFuture<List<Appended>> submit(int n, String key, byte[] request, String source);
    }

    private enum Scope { CONTRACTOR, SHARD }

    private record Routed(Method method, String path, Scope scope) {
    }

    private static final List<Routed> ROUTED = List.of(
            new Routed(Method.GET, "/v1/entries/{seq}", Scope.SHARD),
            new Routed(Method.GET, "/v1/contractors/{id}/entries", Scope.CONTRACTOR),
            new Routed(Method.GET, "/v1/checkpoints/latest", Scope.SHARD),
            new Routed(Method.GET, "/v1/checkpoints/key", Scope.SHARD),
            new Routed(Method.GET, "/v1/checkpoints/{size}", Scope.SHARD),
            new Routed(Method.POST, "/v1/checkpoints", Scope.SHARD),
            new Routed(Method.GET, "/v1/proofs/inclusion", Scope.SHARD),
            new Routed(Method.GET, "/v1/proofs/consistency", Scope.SHARD),
            new Routed(Method.GET, "/v1/contractors/{id}/reputation", Scope.CONTRACTOR),
            new Routed(Method.GET, "/v1/exports", Scope.SHARD));

    private static final List<Api.Route> NOT_SHARDED = List.of(
            new Api.Route(Method.POST, "/v1/reputation:batch", Set.of()),
            new Api.Route(Method.GET, "/v1/reputation/top", Set.of()),
            new Api.Route(Method.POST, "/v1/policies", Set.of()),
            new Api.Route(Method.POST, "/v1/audits/consensus", Set.of()));

    private final Cluster cluster;
    private final SubmissionValidator validator;
    private final TokenVerifier tokens;
    private final Api.Limits limits;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ShardedApi(Cluster cluster, SubmissionValidator validator, TokenVerifier tokens, Api.Limits limits) {
        this.cluster = cluster;
        this.validator = validator;
        this.tokens = tokens;
        this.limits = limits;
    }

    /** Registers the routes and the problem+json error handlers. */
    public void register(HttpRouting.Builder routing) {
        routing.post("/v1/entries", this::append);
        for (Routed r : ROUTED) {
            routing.route(r.method(), r.path(), (req, res) -> route(r, req, res));
        }
        for (Api.Route r : NOT_SHARDED) {
            routing.route(r.method(), r.path(), (req, res) -> notSharded(req));
        }
        routing.any("/v1/me/*", (req, res) -> notSharded(req));
        routing.error(ShardMovedException.class, (req, res, e) -> Problems.write(res, moving(e.getMessage())));
        routing.error(ShardHaltedException.class, (req, res, e) -> Problems.write(res, halted(e.getMessage())));
        Problems.register(routing);
    }

    private static void notSharded(ServerRequest req) {
        throw new ProblemException(501, "not-sharded", "Not served in sharded mode",
                req.prologue().method().text() + " " + req.path().path() + " spans every shard and is not served by"
                        + " a node of the sharded mode; ask per contractor, or see docs/operations.md",
                List.of(), Map.of());
    }

    private static ProblemException moving(String detail) {
        return new ProblemException(503, "shard-moving", "Shard moving", detail
                + "; retry shortly (appends are idempotent by event_id)", List.of(), Map.of("Retry-After", "1"));
    }

    private static ProblemException halted(String detail) {
        return new ProblemException(503, "shard-halted", "Shard halted", detail, List.of(), Map.of());
    }

    // ---------------------------------------------------------------- reads

    private void route(Routed r, ServerRequest req, ServerResponse res) throws Exception {
        int shard = shardOf(r, req);
        Optional<Api> local = cluster.local(shard);
        res.header(SHARD, Integer.toString(shard));
        if (local.isPresent()) {
            res.header(NODE, cluster.nodeId());
            local.get().serve(r.method(), r.path(), req, res);
            return;
        }
        String owner = owner(shard, req);
        byte[] body = r.method() == Method.POST && req.content().hasEntity() ? readBody(req) : new byte[0];
        HttpResponse<byte[]> answer;
        try {
            answer = forward(owner, shard, req, body).get();
        } catch (ExecutionException e) {
            throw moving("the node holding shard " + shard + " at " + owner + " did not answer ("
                    + e.getCause().getMessage() + ")");
        }
        relay(answer, res);
    }

    private int shardOf(Routed r, ServerRequest req) {
        int p = cluster.shardCount();
        if (r.scope() == Scope.CONTRACTOR) {
            String id = req.path().pathParameters().get("id");
            if (!Api.isIdentifier(id)) {
                throw ProblemException.badParameter("id", "must be a contractor id of 1 to 64 letters, digits, or . _ : -");
            }
            return Shards.shardOf(id, p);
        }
        Optional<String> given = req.query().first("shard").asOptional();
        if (given.isEmpty() && r.path().equals("/v1/exports")) {
            Optional<String> contractor = req.query().first("contractor").asOptional();
            if (contractor.isPresent() && Api.isIdentifier(contractor.get())) {
                return Shards.shardOf(contractor.get(), p);
            }
        }
        String value = given.orElseThrow(() -> ProblemException.badParameter("shard",
                "is required on a node of the sharded mode: the shard whose log to read, 0 to " + (p - 1)));
        if (!UNSIGNED.matcher(value).matches() || Integer.parseInt(value) >= p) {
            throw ProblemException.badParameter("shard", "must be a shard number from 0 to " + (p - 1) + ", was '"
                    + (value.length() <= 20 ? value : value.substring(0, 20) + "...") + "'");
        }
        return Integer.parseInt(value);
    }

    /** The node to forward a request for {@code shard} to, or 503 when there is none to ask. */
    private String owner(int shard, ServerRequest req) {
        if (req.headers().contains(FORWARDED_BY)) {
            throw moving("shard " + shard + " is not held by node " + cluster.nodeId() + ", which "
                    + req.headers().get(FORWARDED_BY).get() + " forwarded this request to");
        }
        return cluster.ownerUrl(shard).orElseThrow(() -> moving("no node holds shard " + shard
                + " now (the consumer group is rebalancing)"));
    }

    private CompletableFuture<HttpResponse<byte[]>> forward(String base, int shard, ServerRequest req, byte[] body) {
        String query = req.query().rawValue();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + req.path().rawPath()
                        + (query.isEmpty() ? "" : "?" + query)))
                .timeout(APPLY_TIMEOUT.plusSeconds(5))
                .header(FORWARDED_BY.defaultCase(), cluster.nodeId())
                .header(SHARD.defaultCase(), Integer.toString(shard))
                .method(req.prologue().method().text(), body.length == 0 && req.prologue().method() == Method.GET
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        req.headers().first(HeaderNames.AUTHORIZATION).ifPresent(v -> b.header("Authorization", v));
        req.headers().first(HeaderNames.CONTENT_TYPE).ifPresent(v -> b.header("Content-Type", v));
        req.headers().first(HeaderNames.ACCEPT).ifPresent(v -> b.header("Accept", v));
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static final List<String> RELAYED = List.of("Content-Type", "Content-Disposition", "Retry-After",
            "WWW-Authenticate", SHARD.defaultCase(), NODE.defaultCase());

    private static void relay(HttpResponse<byte[]> answer, ServerResponse res) {
        res.status(answer.statusCode());
        for (String h : RELAYED) {
            answer.headers().firstValue(h).ifPresent(v -> res.header(h, v));
        }
        res.send(answer.body());
    }

    // ---------------------------------------------------------------- appends

    /** One answered item of an append. */
    private record Item(int shard, long seq, String leafHash, String ts, boolean duplicate) {
    }

    private void append(ServerRequest req, ServerResponse res) throws Exception {
        Principal principal = Api.authorize(tokens, req, INGEST, "POST /v1/entries");
        Api.requireJson(req);
        byte[] body = readBody(req);
        List<Submission> submissions;
        try {
            submissions = validator.parseRequest(body);
        } catch (EntryRejectedException e) {
            throw Problems.rejected(e);
        }
        int p = cluster.shardCount();
        // shard -> indexes of the submissions it gets, in request order
        Map<Integer, List<Integer>> parts = new TreeMap<>();
        Optional<Integer> forwardedFor = forwardedShard(req, submissions);
        for (int i = 0; i < submissions.size() && forwardedFor.isPresent(); i++) {
            parts.computeIfAbsent(forwardedFor.get(), k -> new ArrayList<>()).add(i);
        }
        for (int i = 0; i < submissions.size() && forwardedFor.isEmpty(); i++) {
            String contractor = submissions.get(i).contractor();
            if (contractor.equals(SubmissionValidator.SYSTEM_CONTRACTOR)) {
                for (int n = 0; n < p; n++) {
                    parts.computeIfAbsent(n, k -> new ArrayList<>()).add(i);
                }
            } else {
                parts.computeIfAbsent(Shards.shardOf(contractor, p), k -> new ArrayList<>()).add(i);
            }
        }
        Map<Integer, CompletableFuture<List<Item>>> pending = new TreeMap<>();
        List<CompletableFuture<HttpResponse<byte[]>>> forwards = new ArrayList<>();
        Map<Integer, CompletableFuture<HttpResponse<byte[]>>> forwardOf = new HashMap<>();
        for (var part : parts.entrySet()) {
            int n = part.getKey();
            List<Submission> mine = part.getValue().stream().map(submissions::get).toList();
            byte[] request = request(mine);
            if (cluster.local(n).isPresent()) {
                pending.put(n, cluster.submit(n, mine.getFirst().contractor(), request, principal.subject())
                        .thenApply(results -> results.stream().map(a -> new Item(n, a.seq(), a.leafHash(),
                                a.ts().toString(), a.duplicate())).toList()));
            } else {
                var f = forward(owner(n, req), n, req, request);
                forwards.add(f);
                forwardOf.put(n, f);
                pending.put(n, f.thenApply(r -> r.statusCode() / 100 == 2 ? items(r.body()) : List.of()));
            }
        }
        Map<Integer, List<Item>> done = new HashMap<>();
        for (var e : pending.entrySet()) {
            int n = e.getKey();
            try {
                done.put(n, e.getValue().get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException ex) {
                throw moving("shard " + n + " did not apply the entries within " + APPLY_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException ex) {
                throw inRequest(failure(n, ex.getCause()), parts.get(n), submissions.size() > 1);
            }
            var forwarded = forwardOf.get(n);
            if (forwarded != null && forwarded.get().statusCode() == 409) {
                // The owner refused its part: say so as it did, with paths into this request.
                throw inRequest(refusal(forwarded.get()), parts.get(n), submissions.size() > 1);
            }
            if (forwarded != null && forwarded.get().statusCode() / 100 != 2) {
                relay(forwarded.get(), res);
                return;
            }
        }
        Map<Integer, Integer> position = new HashMap<>();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode entries = answer.putArray("entries");
        boolean fresh = false;
        for (int i = 0; i < submissions.size(); i++) {
            for (var part : parts.entrySet()) {
                if (part.getValue().contains(i)) {
                    int n = part.getKey();
                    int at = position.merge(n, 1, Integer::sum) - 1;
                    Item item = done.get(n).get(at);
                    fresh |= !item.duplicate();
                    entries.addObject().put("shard", item.shard()).put("seq", item.seq())
                            .put("leaf_hash", item.leafHash()).put("ts", item.ts()).put("duplicate", item.duplicate());
                }
            }
        }
        res.status(fresh ? 201 : 200);
        res.header(NODE, cluster.nodeId());
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JSON.writeValueAsBytes(answer));
    }

    /**
     * The shard a forwarded part is for: another node split the request already, and a
     * {@code _system} entry in the part is for that shard only.
     */
    private Optional<Integer> forwardedShard(ServerRequest req, List<Submission> submissions) {
        if (!req.headers().contains(FORWARDED_BY) || !req.headers().contains(SHARD)) {
            return Optional.empty();
        }
        String value = req.headers().get(SHARD).get();
        if (!UNSIGNED.matcher(value).matches() || Integer.parseInt(value) >= cluster.shardCount()) {
            throw ProblemException.badParameter("TrackRecord-Shard", "must be a shard number from 0 to "
                    + (cluster.shardCount() - 1) + ", was '" + value + "'");
        }
        int n = Integer.parseInt(value);
        for (Submission s : submissions) {
            if (!s.contractor().equals(SubmissionValidator.SYSTEM_CONTRACTOR)
                    && Shards.shardOf(s.contractor(), cluster.shardCount()) != n) {
                throw ProblemException.badParameter("TrackRecord-Shard", "names shard " + n + ", but contractor "
                        + s.contractor() + " is on shard " + Shards.shardOf(s.contractor(), cluster.shardCount()));
            }
        }
        return Optional.of(n);
    }

    /**
     * {@code e} with the paths of its violations moved from shard {@code n}'s part of a request
     * (the submissions at {@code indexes} of it) into the whole request: {@code $.entries[j]} of
     * the part is {@code $.entries[indexes[j]]}, and a part of one entry, whose paths start at
     * {@code $}, is {@code $.entries[indexes[0]]} when the request held several.
     */
    static RuntimeException inRequest(RuntimeException e, List<Integer> indexes, boolean batch) {
        if (e instanceof DisputeConflictException conflict) {
            return new DisputeConflictException(conflict.violations().stream()
                    .map(v -> new Violation(pathInRequest(v.path(), indexes, batch), v.rule())).toList());
        }
        if (e instanceof ProblemException problem && !problem.errors().isEmpty()) {
            List<Violation> moved = problem.errors().stream()
                    .map(v -> new Violation(pathInRequest(v.path(), indexes, batch), v.rule())).toList();
            String detail = problem.getMessage();
            for (int i = 0; i < moved.size(); i++) {
                detail = detail.replace(problem.errors().get(i).path() + ":", moved.get(i).path() + ":");
            }
            return new ProblemException(problem.status(), problem.type(), problem.title(), detail, moved,
                    problem.headers());
        }
        return e;
    }

    static String pathInRequest(String path, List<Integer> indexes, boolean batch) {
        String entries = "$.entries[";
        if (path.startsWith(entries)) {
            int close = path.indexOf(']');
            int j = Integer.parseInt(path.substring(entries.length(), close));
            return j < indexes.size() ? entries + indexes.get(j) + path.substring(close) : path;
        }
        return batch && path.startsWith("$") ? entries + indexes.getFirst() + "]" + path.substring(1) : path;
    }

    /** The problem a node answered for the part it was forwarded. */
    private static ProblemException refusal(HttpResponse<byte[]> answer) throws IOException {
        JsonNode p = JSON.readTree(answer.body());
        List<Violation> errors = new ArrayList<>();
        for (JsonNode v : p.path("errors")) {
            errors.add(new Violation(v.path("path").asText(), v.path("rule").asText()));
        }
        String type = p.path("type").asText();
        return new ProblemException(answer.statusCode(), type.substring(type.lastIndexOf(':') + 1),
                p.path("title").asText(), p.path("detail").asText(), errors, Map.of());
    }

    /** Why shard {@code n}'s part failed, as the problem the caller gets. */
    private static RuntimeException failure(int n, Throwable cause) {
        Throwable c = cause instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : cause;
        if (c instanceof LogConflictException conflict) {
            return conflict;
        }
        if (c instanceof EntryRejectedException rejected) {
            return Problems.rejected(rejected);
        }
        if (c instanceof ShardMovedException moved) {
            return moving(moved.getMessage());
        }
        if (c instanceof ShardHaltedException halted) {
            return halted(halted.getMessage());
        }
        if (c instanceof IOException) {
            return moving("the node holding shard " + n + " did not answer (" + c.getMessage() + ")");
        }
        return new ProblemException(503, "kafka-unavailable", "Kafka unavailable",
                "could not produce shard " + n + "'s entries to Kafka: " + c.getMessage(), List.of(),
                Map.of("Retry-After", "2"));
    }

    /** {@code {"entries":[...]}} of these submissions, as the append route takes it. */
    private static byte[] request(List<Submission> submissions) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("{\"entries\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            out.write((i == 0 ? "" : ",").getBytes(StandardCharsets.UTF_8));
            out.write(("{\"kind\":" + JSON.writeValueAsString(s.kind().wire()) + ",\"contractor\":"
                    + JSON.writeValueAsString(s.contractor()) + ",\"event_id\":" + JSON.writeValueAsString(s.eventId())
                    + ",\"body\":").getBytes(StandardCharsets.UTF_8));
            out.write(s.bodyBytes());
            out.write('}');
        }
        out.write("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static List<Item> items(byte[] answer) {
        try {
            List<Item> items = new ArrayList<>();
            for (JsonNode e : JSON.readTree(answer).path("entries")) {
                items.add(new Item(e.path("shard").asInt(), e.path("seq").asLong(), e.path("leaf_hash").asText(),
                        e.path("ts").asText(), e.path("duplicate").asBoolean()));
            }
            return items;
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private byte[] readBody(ServerRequest req) throws IOException {
        return Api.readBody(req, limits.maxBodyBytes());
    }
}
