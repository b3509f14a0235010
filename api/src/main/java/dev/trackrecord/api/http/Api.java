package dev.trackrecord.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenException;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The {@code /v1} routes over one ledger: appends, entry reads, checkpoints and proofs. Every
 * route checks the bearer token and the caller's role before it does anything else.
 */
public final class Api {
    /** Largest page of a contractor's entries. */
    public static final int MAX_PAGE = 1000;
    /** Page size when the request names none. */
    public static final int DEFAULT_PAGE = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,18}");
    private static final Pattern CONTRACTOR = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:-]{0,63}");
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String APPLICATION_JSON = "application/json";
    private static final String CURSOR_PREFIX = "s1:";
    private static final Set<Role> EVERY_ROLE = Collections.unmodifiableSet(EnumSet.allOf(Role.class));

    /** A route of this API and the roles that may call it. */
    public record Route(Method method, String path, Set<Role> roles) {
    }

    /** Handles a route once the token and role are checked. */
    @FunctionalInterface
    public interface Action {
        void handle(ServerRequest req, ServerResponse res, Principal principal) throws Exception;
    }

    /** Told of every authorized read of a contractor's data by someone other than that contractor. */
    @FunctionalInterface
    public interface ReadRecorder {
        ReadRecorder NONE = (principal, route, contractor) -> { };

        /** Must not block: it runs on the request thread before the handler. */
        void read(Principal principal, String route, String contractor);
    }

    private record Binding(Route route, Action action) {
    }

    /**
     * What the API refuses before it parses anything.
     *
     * @param maxBodyBytes largest request body; larger ones get 413
     */
    public record Limits(long maxBodyBytes) {
        public Limits {
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1");
            }
        }

        public static final Limits DEFAULT = new Limits(4L * 1024 * 1024);
    }

    private final Ledger ledger;
    private final Checkpointer checkpointer;
    private final SubmissionValidator validator;
    private final TokenVerifier tokens;
    private final String verifierKey;
    private final Limits limits;
    private List<Binding> bindings;
    private ReadRecorder reads = ReadRecorder.NONE;
    private final Counter appended;
    private final Counter duplicates;
    private final Timer appendLatency;

    /**
     * @param verifierKey the checkpoint verifier key in C2SP text form
     */
    public Api(Ledger ledger, Checkpointer checkpointer, SubmissionValidator validator, TokenVerifier tokens,
               String verifierKey, Limits limits) {
        this.ledger = ledger;
        this.checkpointer = checkpointer;
        this.validator = validator;
        this.tokens = tokens;
        this.verifierKey = verifierKey;
        this.limits = limits;
        MeterRegistry registry = Metrics.globalRegistry();
        this.appended = registry.getOrCreate(Counter.builder("trackrecord.entries.appended")
                .description("Entries appended through the REST API (resends of an event_id not counted)"));
        this.duplicates = registry.getOrCreate(Counter.builder("trackrecord.entries.duplicate")
                .description("Resent entries answered with the entry already in the log"));
        this.appendLatency = registry.getOrCreate(Timer.builder("trackrecord.append.latency")
                .description("Time from a validated append request to its durable acknowledgement"));

        Set<Role> ingest = EnumSet.of(Role.INGEST, Role.ADMIN);
        Set<Role> readers = EnumSet.of(Role.COMPLIANCE, Role.ADMIN);
        Set<Role> admin = EnumSet.of(Role.ADMIN);
        List<Binding> b = new ArrayList<>();
        b.add(new Binding(new Route(Method.POST, "/v1/entries", ingest), this::append));
        b.add(new Binding(new Route(Method.GET, "/v1/entries/{seq}", readers), this::entry));
        b.add(new Binding(new Route(Method.GET, "/v1/contractors/{id}/entries", readers), this::contractorEntries));
        // The fixed checkpoint paths come before /{size}: routes match in the order registered.
        b.add(new Binding(new Route(Method.GET, "/v1/checkpoints/latest", EVERY_ROLE), this::latestCheckpoint));
        b.add(new Binding(new Route(Method.GET, "/v1/checkpoints/key", EVERY_ROLE), this::verifierKey));
        b.add(new Binding(new Route(Method.GET, "/v1/checkpoints/{size}", EVERY_ROLE), this::checkpoint));
        b.add(new Binding(new Route(Method.POST, "/v1/checkpoints", admin), this::signCheckpoint));
        b.add(new Binding(new Route(Method.GET, "/v1/proofs/inclusion", EVERY_ROLE), this::inclusionProof));
        b.add(new Binding(new Route(Method.GET, "/v1/proofs/consistency", EVERY_ROLE), this::consistencyProof));
        this.bindings = List.copyOf(b);
    }

    /** Adds a route served by another package, such as {@code /v1/me}; call before {@link #register}. */
    public Api add(Route route, Action action) {
        List<Binding> more = new ArrayList<>(bindings);
        more.add(new Binding(route, action));
        bindings = List.copyOf(more);
        return this;
    }

    /** Reports reads of a contractor's data to {@code recorder}; call before {@link #register}. */
    public Api recordReadsWith(ReadRecorder recorder) {
        this.reads = recorder;
        return this;
    }

    /** The routes this API registers, in registration order. */
    public List<Route> routes() {
        return bindings.stream().map(Binding::route).toList();
    }

    /** Registers every route and the problem+json error handlers. */
    public void register(HttpRouting.Builder routing) {
        for (Binding binding : bindings) {
            Route route = binding.route();
            Action action = binding.action();
            ReadRecorder recorder = reads;
            routing.route(route.method(), route.path(), (req, res) -> {
                Principal principal = authorize(req, route);
                if (route.path().contains("{id}")) {
                    recordRead(recorder, principal, route.method().text() + " " + route.path(),
                            req.path().pathParameters().get("id"));
                }
                action.handle(req, res, principal);
            });
        }
        Problems.register(routing);
    }

    // ---------------------------------------------------------------- auth

    private Principal authorize(ServerRequest req, Route route) {
        Principal principal;
        try {
            principal = tokens.verifyHeader(req.headers().first(HeaderNames.AUTHORIZATION));
        } catch (TokenException e) {
            String challenge = req.headers().contains(HeaderNames.AUTHORIZATION)
                    ? "Bearer realm=\"trackrecord\", error=\"invalid_token\""
                    : "Bearer realm=\"trackrecord\"";
            throw new ProblemException(401, "unauthorized", "Unauthorized", e.getMessage(), List.of(),
                    Map.of("WWW-Authenticate", challenge));
        }
        if (Collections.disjoint(principal.roles(), route.roles())) {
            throw new ProblemException(403, "forbidden", "Forbidden",
                    route.method().text() + " " + route.path() + " needs one of the roles " + claims(route.roles())
                            + "; the token has " + claims(principal.roles()),
                    List.of(), Map.of());
        }
        return principal;
    }

    /** Every route naming a contractor by {@code {id}} reads that contractor's data. */
    private static void recordRead(ReadRecorder recorder, Principal principal, String route, String contractor) {
        if (CONTRACTOR.matcher(contractor).matches() && !principal.contractor().equals(Optional.of(contractor))) {
            recorder.read(principal, route, contractor);
        }
    }

    private static List<String> claims(Set<Role> roles) {
        return roles.stream().map(Role::claim).sorted().toList();
    }

    // ---------------------------------------------------------------- appends

    private void append(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        requireJson(req);
        byte[] body = readBody(req);
        List<Submission> submissions;
        try {
            submissions = validator.parseRequest(body);
        } catch (EntryRejectedException e) {
            throw Problems.rejected(e);
        }
        long start = System.nanoTime();
        List<Appended> results = await(ledger.append(submissions, principal.subject()));
        appendLatency.record(Duration.ofNanos(System.nanoTime() - start));
        int fresh = 0;
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode entries = answer.putArray("entries");
        for (Appended a : results) {
            fresh += a.duplicate() ? 0 : 1;
            entries.addObject()
                    .put("seq", a.seq())
                    .put("leaf_hash", a.leafHash())
                    .put("ts", a.ts().toString())
                    .put("duplicate", a.duplicate());
        }
        appended.increment(fresh);
        duplicates.increment(results.size() - fresh);
        // 201 when anything was appended; a pure resend changes nothing and answers 200.
        res.status(fresh > 0 ? 201 : 200);
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    /** Refuses a declared Content-Type other than JSON; a request without one is read as JSON. */
    private static void requireJson(ServerRequest req) {
        req.headers().contentType().ifPresent(type -> {
            String subtype = type.subtype();
            if (!type.type().equals("application") || !(subtype.equals("json") || subtype.endsWith("+json"))) {
                throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                        "Content-Type: must be application/json, was " + type.text(),
                        List.of(new Violation("Content-Type", "must be application/json")), Map.of());
            }
        });
    }

    private byte[] readBody(ServerRequest req) throws IOException {
        long max = limits.maxBodyBytes();
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw tooLarge(declared.getAsLong() + " bytes");
        }
        if (!req.content().hasEntity()) {
            throw new ProblemException(400, "invalid-entry", "Invalid entry", "$: request body is required",
                    List.of(new Violation("$", "request body is required")), Map.of());
        }
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(
                    (int) Math.min(declared.orElse(8192), max));
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge("more than " + max + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private ProblemException tooLarge(String what) {
        return new ProblemException(413, "body-too-large", "Request body too large",
                "request body is " + what + "; at most " + limits.maxBodyBytes() + " bytes are accepted "
                        + "(send large imports as several batches of at most 1000 entries)",
                List.of(new Violation("$", "at most " + limits.maxBodyBytes() + " bytes")),
                Map.of());
    }

    /** Waits for a ledger future on this (virtual) thread, rethrowing the ledger's own exception. */
    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    // ---------------------------------------------------------------- reads

    private void entry(ServerRequest req, ServerResponse res, Principal principal) throws IOException {
        long seq = unsigned("seq", req.path().pathParameters().get("seq"));
        byte[] entry = ledger.entry(seq).orElseThrow(() -> ProblemException.notFound(
                "no entry at seq " + seq + "; the log holds " + ledger.size() + " entries"));
        recordRead(reads, principal, "GET /v1/entries/{seq}", contractorOf(entry));
        sendJson(res, entry);
    }

    /** The top-level {@code contractor} of an entry's canonical bytes. */
    private static String contractorOf(byte[] entry) throws IOException {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(entry)) {
            p.nextToken();
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("contractor")) {
                    return p.getText();
                }
                p.skipChildren();
            }
        }
        throw new IllegalStateException("stored entry without contractor");
    }

    private void contractorEntries(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String id = req.path().pathParameters().get("id");
        if (!CONTRACTOR.matcher(id).matches()) {
            throw ProblemException.badParameter("id", "must be a contractor id of 1 to 64 letters, digits, or . _ : -");
        }
        int limit = query(req, "limit").map(v -> {
            if (!UNSIGNED.matcher(v).matches() || Long.parseLong(v) < 1 || Long.parseLong(v) > MAX_PAGE) {
                throw ProblemException.badParameter("limit", "must be an integer from 1 to " + MAX_PAGE + ", was '" + v + "'");
            }
            return Integer.parseInt(v);
        }).orElse(DEFAULT_PAGE);
        long from = query(req, "cursor").map(Api::decodeCursor).orElse(0L);

        long[] seqs = ledger.contractorSeqs(id);
        int start = Arrays.binarySearch(seqs, from);
        if (start < 0) {
            start = -start - 1;
        }
        int end = (int) Math.min((long) start + limit, seqs.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (end - start) * 512);
        out.write('{');
        out.write("\"entries\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = start; i < end; i++) {
            if (i > start) {
                out.write(',');
            }
            // Entries are embedded as their canonical bytes, exactly as stored.
            out.write(ledger.entry(seqs[i]).orElseThrow());
        }
        out.write("],\"next_cursor\":".getBytes(StandardCharsets.UTF_8));
        out.write((end < seqs.length ? "\"" + encodeCursor(seqs[end]) + "\"" : "null").getBytes(StandardCharsets.UTF_8));
        out.write('}');
        sendJson(res, out.toByteArray());
    }

    private static String encodeCursor(long nextSeq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + nextSeq).getBytes(StandardCharsets.US_ASCII));
    }

    private static long decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (text.startsWith(CURSOR_PREFIX) && UNSIGNED.matcher(text.substring(CURSOR_PREFIX.length())).matches()) {
                return Long.parseLong(text.substring(CURSOR_PREFIX.length()));
            }
        } catch (IllegalArgumentException ignored) {
            // fall through
        }
        throw ProblemException.badParameter("cursor", "must be a next_cursor value from an earlier page");
    }

    // ---------------------------------------------------------------- checkpoints

    private void latestCheckpoint(ServerRequest req, ServerResponse res, Principal principal) {
        sendText(res, ledger.latestCheckpoint().orElseThrow(
                () -> ProblemException.notFound("no checkpoint has been issued yet")));
    }

    private void checkpoint(ServerRequest req, ServerResponse res, Principal principal) {
        long size = unsigned("size", req.path().pathParameters().get("size"));
        sendText(res, ledger.checkpoint(size).orElseThrow(() -> ProblemException.notFound(
                "no checkpoint was issued at tree size " + size + "; the latest is at "
                        + ledger.latestCheckpointSize())));
    }

    private void verifierKey(ServerRequest req, ServerResponse res, Principal principal) {
        sendText(res, verifierKey + "\n");
    }

    private void signCheckpoint(ServerRequest req, ServerResponse res, Principal principal) {
        sendText(res, checkpointer.checkpointNow());
    }

    // ---------------------------------------------------------------- proofs

    private void inclusionProof(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        long seq = unsigned("seq", query(req, "seq").orElseThrow(
                () -> ProblemException.badParameter("seq", "is required")));
        long treeSize = treeSize(req, "tree_size");
        if (seq >= treeSize) {
            throw ProblemException.badParameter("seq", "must be below tree_size " + treeSize + ", was " + seq
                    + (query(req, "tree_size").isEmpty()
                    ? " (tree_size defaults to the latest checkpoint; a new entry is in the next one, signed within"
                    + " seconds)"
                    : ""));
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("leaf_index", seq);
        answer.put("tree_size", treeSize);
        answer.put("leaf_hash", HEX.formatHex(ledger.leafHash(seq)));
        hashes(answer, ledger.inclusionProof(seq, treeSize));
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    private void consistencyProof(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        long size1 = unsigned("size1", query(req, "size1").orElseThrow(
                () -> ProblemException.badParameter("size1", "is required")));
        long size2 = treeSize(req, "size2");
        if (size1 < 1 || size1 > size2) {
            throw ProblemException.badParameter("size1", "must be from 1 to size2 (" + size2 + "), was " + size1);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("size1", size1);
        answer.put("size2", size2);
        hashes(answer, ledger.consistencyProof(size1, size2));
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    /** A tree size parameter, defaulting to the latest checkpoint's, at most the log size. */
    private long treeSize(ServerRequest req, String name) {
        Optional<String> given = query(req, name);
        long size = ledger.size();
        if (given.isEmpty()) {
            long latest = ledger.latestCheckpointSize();
            if (latest < 0) {
                throw ProblemException.notFound("no checkpoint has been issued yet; name " + name + " explicitly");
            }
            return latest;
        }
        long value = unsigned(name, given.get());
        if (value > size) {
            throw ProblemException.badParameter(name, "must be at most the log size " + size + ", was " + value);
        }
        return value;
    }

    private static void hashes(ObjectNode answer, List<byte[]> proof) {
        ArrayNode hashes = answer.putArray("hashes");
        for (byte[] h : proof) {
            hashes.add(HEX.formatHex(h));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional();
    }

    private static long unsigned(String name, String value) {
        if (!UNSIGNED.matcher(value).matches()) {
            throw ProblemException.badParameter(name, "must be a non-negative integer, was '" + abbreviate(value) + "'");
        }
        return Long.parseLong(value);
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private static void sendJson(ServerResponse res, byte[] json) {
        res.header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON);
        res.send(json);
    }

    private static void sendText(ServerResponse res, String text) {
        res.header(HeaderNames.CONTENT_TYPE, TEXT);
        res.send(text.getBytes(StandardCharsets.UTF_8));
    }
}
