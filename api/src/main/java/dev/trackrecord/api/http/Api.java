package dev.trackrecord.api.http;

import dev.trackrecord.ledger.bundle.BundleWriter;
import dev.trackrecord.ledger.bundle.ExportQuery;
import dev.trackrecord.ledger.bundle.InvalidQueryException;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.OutputStream;
import java.time.Clock;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenException;
import dev.trackrecord.api.auth.TokenVerifier;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.reputation.Policy;
import dev.trackrecord.ledger.reputation.Reputation;
import dev.trackrecord.ledger.reputation.ReputationJson;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.Score;
import dev.trackrecord.ledger.reputation.TopQuery;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.ReputationFollower;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
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
    /** Most contractor ids in one reputation batch. */
    public static final int MAX_BATCH = 1000;
    /** Largest top-k. */
    public static final int MAX_TOP = 1000;
    /** Top-k size when the request names none. */
    public static final int DEFAULT_TOP = 10;

    private static final Logger LOG = Logger.getLogger(Api.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,18}");
    /** What {@link #isIdentifier} accepts, as a pattern: for tests and documentation. */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:-]{0,63}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,17})?");
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String APPLICATION_JSON = "application/json";
    /** Made once: a header made per response is checked per response. */
    private static final Header JSON_CONTENT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, APPLICATION_JSON);
    private static final Header TEXT_CONTENT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, TEXT);
    private static final String CURSOR_PREFIX = "s1:";
    private static final Set<Role> EVERY_ROLE = Collections.unmodifiableSet(EnumSet.allOf(Role.class));

    /** A route of this API and the roles that may call it. */
    public record Route(Method method, String path, Set<Role> roles) {
        /** {@code GET /v1/...}: how problems and the access log name the route. */
        public String name() {
            return method.text() + " " + path;
        }

        /** Whether the path names a contractor by {@code {id}}: a read of that contractor's data. */
        boolean namesContractor() {
            return path.contains("{id}");
        }
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

    /**
     * A route and its handler, with the route's name and whether it reads a contractor's data
     * worked out once, not on every request.
     */
    private record Binding(Route route, Action action, String name, boolean namesContractor) {
        Binding(Route route, Action action) {
            this(route, action, route.name(), route.namesContractor());
        }
    }

    /** Turns validated submissions into what is appended, such as sealing their personal data. */
    @FunctionalInterface
    public interface SubmissionPreparer {
        /** A service without a vault: personal data cannot be kept out of the log, so it is refused. */
        SubmissionPreparer NO_VAULT = submissions -> {
            if (submissions.stream().anyMatch(Submission::hasPersonalData)) {
                throw new ProblemException(400, "invalid-entry", "Invalid entry",
                        "$.personal: this service has no personal data vault", List.of(), Map.of());
            }
            return submissions;
        };

        List<Submission> prepare(List<Submission> submissions) throws Exception;
    }

    /**
     * What the API refuses before it parses anything.
     *
     * @param maxBodyBytes     largest request body; larger ones get 413
     * @param maxBodyBytesRead request bodies all requests together may be reading at once (by
     *                         Content-Length, or the largest body when it is not declared); a
     *                         request beyond it gets 503 with Retry-After, so a flood of large
     *                         bodies cannot grow the heap without bound
     */
    public record Limits(long maxBodyBytes, long maxBodyBytesRead) {
        public Limits {
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1");
            }
            if (maxBodyBytesRead < maxBodyBytes) {
                throw new IllegalArgumentException("maxBodyBytesRead must be at least maxBodyBytes");
            }
        }

        /** At most {@code maxBodyBytes} a request and 64 MiB (or one largest body) being read at once. */
        public Limits(long maxBodyBytes) {
            this(maxBodyBytes, Math.max(maxBodyBytes, 64L * 1024 * 1024));
        }

        public static final Limits DEFAULT = new Limits(4L * 1024 * 1024);
    }

    private final Ledger ledger;
    private final Checkpointer checkpointer;
    private final SubmissionValidator validator;
    private final TokenVerifier tokens;
    private final String verifierKey;
    private final Limits limits;
    private final java.util.concurrent.Semaphore bodyKib;
    private List<Binding> bindings;
    private ReadRecorder reads = ReadRecorder.NONE;
    private SubmissionPreparer preparer = SubmissionPreparer.NO_VAULT;
    private final Counter appended;
    private final Counter duplicates;
    private final Timer appendLatency;
    private final ReputationIndex reputation;

    /**
     * @param verifierKey the checkpoint verifier key in C2SP text form
     */
    public Api(Ledger ledger, Checkpointer checkpointer, SubmissionValidator validator, TokenVerifier tokens,
               String verifierKey, Limits limits, ReputationIndex reputation) {
        this.ledger = ledger;
        this.reputation = reputation;
        this.checkpointer = checkpointer;
        this.validator = validator;
        this.tokens = tokens;
        this.verifierKey = verifierKey;
        this.limits = limits;
        this.bodyKib = new java.util.concurrent.Semaphore((int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytesRead() >> 10));
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
        Set<Role> scoreReaders = EnumSet.of(Role.MARKETPLACE, Role.COMPLIANCE, Role.ADMIN);
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
        b.add(new Binding(new Route(Method.GET, "/v1/contractors/{id}/reputation", scoreReaders), this::reputation));
        b.add(new Binding(new Route(Method.POST, "/v1/reputation:batch", scoreReaders), this::reputationBatch));
        b.add(new Binding(new Route(Method.GET, "/v1/reputation/top", scoreReaders), this::top));
        b.add(new Binding(new Route(Method.POST, "/v1/policies", admin), this::publishPolicy));
        b.add(new Binding(new Route(Method.GET, "/v1/exports", Set.of(Role.COMPLIANCE, Role.ADMIN)), this::export));
        ConsensusAudits consensus = new ConsensusAudits(ledger, validator, this::followLedger);
        b.add(new Binding(new Route(Method.POST, "/v1/audits/consensus", ingest), consensus::handle));
        this.bindings = List.copyOf(b);
    }

    private static final List<String> HOT_PATHS = List.of("/v1/contractors/{id}/reputation", "/v1/reputation:batch",
            "/v1/reputation/top", "/v1/entries/{seq}", "/v1/proofs/inclusion");

    /** Adds a route served by another package, such as {@code /v1/me}; call before {@link #register}. */
    public Api add(Route route, Action action) {
        List<Binding> more = new ArrayList<>(bindings);
        more.add(new Binding(route, action));
        bindings = List.copyOf(more);
        return this;
    }

    /** Passes what POST /v1/entries validated through {@code p} before appending; call before {@link #register}. */
    public Api prepareSubmissionsWith(SubmissionPreparer p) {
        this.preparer = p;
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
        // Helidon tries routes in registration order; the reads routing services make all day go
        // first. None of them overlaps another route's path, so the order changes no answer.
        List<Binding> ordered = new ArrayList<>(bindings);
        ordered.sort(java.util.Comparator.comparingInt(b -> HOT_PATHS.contains(b.route().path())
                ? HOT_PATHS.indexOf(b.route().path()) : HOT_PATHS.size()));
        for (Binding binding : ordered) {
            ReadRecorder recorder = reads;
            routing.route(binding.route().method(), binding.route().path(),
                    (req, res) -> handle(binding, recorder, req, res));
        }
        Problems.register(routing);
    }

    /**
     * Serves a request that another router matched to {@code method} and {@code path}, one of
     * these routes (the sharded mode keeps one Api per shard and routes each request to its
     * shard's): the same token, role and read checks as a registered route.
     */
    public void serve(Method method, String path, ServerRequest req, ServerResponse res) throws Exception {
        for (Binding b : bindings) {
            if (b.route().method().equals(method) && b.route().path().equals(path)) {
                handle(b, reads, req, res);
                return;
            }
        }
        throw new IllegalArgumentException("no route " + method.text() + " " + path);
    }

    private void handle(Binding binding, ReadRecorder recorder, ServerRequest req, ServerResponse res) throws Exception {
        Principal principal = authorize(tokens, req, binding.route().roles(), binding.name());
        if (binding.namesContractor()) {
            recordRead(recorder, principal, binding.name(), req.path().pathParameters().get("id"));
        }
        int kib = reserveBody(req);
        try {
            binding.action().handle(req, res, principal);
        } finally {
            bodyKib.release(kib);
        }
    }

    /** Reserves room for the request's body in {@link Limits#maxBodyBytesRead}, in KiB; 503 when there is none. */
    private int reserveBody(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return 0;
        }
        long declared = req.headers().contentLength().orElse(limits.maxBodyBytes());
        if (declared > limits.maxBodyBytes()) {
            return 0;  // refused with 413 before it is read
        }
        int kib = (int) ((declared + 1023) >> 10);
        if (!bodyKib.tryAcquire(kib)) {
            throw new ProblemException(503, "busy", "Server busy",
                    "the server is reading " + (limits.maxBodyBytesRead() >> 20) + " MiB of request bodies already;"
                            + " retry shortly", List.of(), Map.of("Retry-After", "1"));
        }
        return kib;
    }

    // ---------------------------------------------------------------- auth

    /**
     * The principal of the request's bearer token: 401 (with the challenge) without a valid one,
     * 403 when it holds none of {@code roles}, naming {@code route} and the roles.
     */
    static Principal authorize(TokenVerifier tokens, ServerRequest req, Set<Role> roles, String route) {
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
        if (Collections.disjoint(principal.roles(), roles)) {
            throw new ProblemException(403, "forbidden", "Forbidden",
                    route + " needs one of the roles " + claims(roles) + "; the token has " + claims(principal.roles()),
                    List.of(), Map.of());
        }
        return principal;
    }

    /** Every route naming a contractor by {@code {id}} reads that contractor's data. */
    private static void recordRead(ReadRecorder recorder, Principal principal, String route, String contractor) {
        if (isIdentifier(contractor) && !principal.contractor().equals(Optional.of(contractor))) {
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
        submissions = preparer.prepare(submissions);
        long start = System.nanoTime();
        List<Appended> results = await(ledger.append(submissions, principal.subject()));
        appendLatency.record(Duration.ofNanos(System.nanoTime() - start));
        int fresh = 0;
        for (Appended a : results) {
            fresh += a.duplicate() ? 0 : 1;
        }
        appended.increment(fresh);
        duplicates.increment(results.size() - fresh);
        // 201 when anything was appended; a pure resend changes nothing and answers 200.
        res.status(fresh > 0 ? 201 : 200);
        sendJson(res, receipt(results));
    }

    /**
     * {@code {"entries":[{"seq":..,"leaf_hash":"..","ts":"..","duplicate":..}]}}, written directly:
     * a Jackson tree cost as much as the rest of answering. Every value is a number, a boolean, hex
     * or an ISO instant, none of which JSON escapes.
     */
    private static byte[] receipt(List<Appended> results) {
        StringBuilder json = new StringBuilder(16 + 136 * results.size()).append("{\"entries\":[");
        for (int i = 0; i < results.size(); i++) {
            Appended a = results.get(i);
            json.append(i == 0 ? "" : ",")
                    .append("{\"seq\":").append(a.seq())
                    .append(",\"leaf_hash\":\"").append(a.leafHash())
                    .append("\",\"ts\":\"").append(a.ts())
                    .append("\",\"duplicate\":").append(a.duplicate())
                    .append('}');
        }
        return json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Refuses a declared Content-Type other than JSON; a request without one is read as JSON. */
    static void requireJson(ServerRequest req) {
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
        return readBody(req, limits.maxBodyBytes());
    }

    /**
     * The request's body, at most {@code max} bytes: 413 when it declares or sends more, 400 when
     * there is none or it cannot be read (see {@link RequestBodies#read}).
     */
    static byte[] readBody(ServerRequest req, long max) throws IOException {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw tooLarge(declared.getAsLong() + " bytes", max);
        }
        if (!req.content().hasEntity()) {
            throw new ProblemException(400, "invalid-entry", "Invalid entry", "$: request body is required",
                    List.of(new Violation("$", "request body is required")), Map.of());
        }
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(
                    (int) Math.min(declared.orElse(8192), max));
            // A declared length sizes the buffer: most bodies are a few hundred bytes.
            byte[] buffer = new byte[(int) Math.min(8192, declared.orElse(8192) + 1)];
            long total = 0;
            int n;
            while ((n = RequestBodies.read(in, buffer)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge("more than " + max + " bytes", max);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static ProblemException tooLarge(String what, long max) {
        return new ProblemException(413, "body-too-large", "Request body too large",
                "$: request body is " + what + "; at most " + max + " bytes are accepted "
                        + "(send large imports as several batches of at most 1000 entries)",
                List.of(new Violation("$", "at most " + max + " bytes")),
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

    /**
     * The signed audit trail of DESIGN.md as a zip, streamed: entries selected by the query, their
     * inclusion proofs against the latest checkpoint, the checkpoint, the verifier key, a manifest,
     * and with {@code since_size} a consistency proof from the checkpoint issued at that size.
     */
    private void export(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        ExportQuery exportQuery;
        try {
            exportQuery = ExportQuery.parse(query(req, "contractor").orElse(null), query(req, "from_seq").orElse(null),
                    query(req, "to_seq").orElse(null), query(req, "kinds").orElse(null),
                    query(req, "since_size").orElse(null));
        } catch (InvalidQueryException e) {
            throw ProblemException.badParameter(e.parameter(), e.getMessage().substring(e.parameter().length() + 2));
        }
        long checkpointSize = ledger.latestCheckpointSize();
        if (checkpointSize < 0) {
            throw new ProblemException(503, "no-checkpoint", "No checkpoint yet",
                    "the log has no signed checkpoint to export against yet; retry in a few seconds",
                    List.of(), Map.of("Retry-After", "2"));
        }
        if (exportQuery.sinceSize().isPresent()) {
            long m = exportQuery.sinceSize().getAsLong();
            if (m > checkpointSize || ledger.checkpoint(m).isEmpty()) {
                throw ProblemException.badParameter("since_size", "must be the tree size of a checkpoint the log issued"
                        + " (at most " + checkpointSize + "); none was issued at " + m);
            }
        }
        NoteVerifier key = NoteVerifier.parse(verifierKey);
        if (exportQuery.contractor().isPresent()) {
            recordRead(reads, principal, "GET /v1/exports", exportQuery.contractor().get());
        } else {
            // An export of a seq range reads every contractor with an entry in it.
            long to = Math.min(exportQuery.toSeq().orElse(checkpointSize - 1), checkpointSize - 1);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (long seq = exportQuery.fromSeq().orElse(0); seq <= to; seq++) {
                String c = contractorOf(ledger.entry(seq).orElseThrow());
                if (seen.add(c)) {
                    recordRead(reads, principal, "GET /v1/exports", c);
                }
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/zip");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"trackrecord-export.zip\"");
        try (OutputStream os = res.outputStream()) {
            BundleWriter.write(ledger, exportQuery, key, Clock.systemUTC(), os);
        }
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
        if (!isIdentifier(id)) {
            throw ProblemException.badParameter("id", "must be a contractor id of 1 to 64 letters, digits, or . _ : -");
        }
        sendJson(res, EntryPages.render(ledger, ledger.contractorSeqs(id), query(req, "limit"), query(req, "cursor"),
                CURSOR_PREFIX, "{"));
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
        sendJson(res, inclusionJson(seq, treeSize, ledger.leafHash(seq), ledger.inclusionProof(seq, treeSize)));
    }

    private void consistencyProof(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        long size1 = unsigned("size1", query(req, "size1").orElseThrow(
                () -> ProblemException.badParameter("size1", "is required")));
        long size2 = treeSize(req, "size2");
        if (size1 < 1 || size1 > size2) {
            throw ProblemException.badParameter("size1", "must be from 1 to size2 (" + size2 + "), was " + size1);
        }
        sendJson(res, consistencyJson(size1, size2, ledger.consistencyProof(size1, size2)));
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

    /**
     * {@code {"leaf_index","tree_size","leaf_hash","hashes"}}, written directly: numbers and hex
     * need no escaping, and proofs are read all day. The same bytes Jackson writes of the object.
     */
    static byte[] inclusionJson(long seq, long treeSize, byte[] leafHash, List<byte[]> proof) {
        StringBuilder b = new StringBuilder(96 + 67 * proof.size());
        b.append("{\"leaf_index\":").append(seq).append(",\"tree_size\":").append(treeSize)
                .append(",\"leaf_hash\":\"");
        HEX.formatHex(b, leafHash);
        b.append("\",");
        return hashes(b, proof);
    }

    /** {@code {"size1","size2","hashes"}}, written directly as {@link #inclusionJson} is. */
    static byte[] consistencyJson(long size1, long size2, List<byte[]> proof) {
        StringBuilder b = new StringBuilder(64 + 67 * proof.size());
        b.append("{\"size1\":").append(size1).append(",\"size2\":").append(size2).append(',');
        return hashes(b, proof);
    }

    private static byte[] hashes(StringBuilder b, List<byte[]> proof) {
        b.append("\"hashes\":[");
        for (int i = 0; i < proof.size(); i++) {
            b.append(i == 0 ? "\"" : ",\"");
            HEX.formatHex(b, proof.get(i));
            b.append('"');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- reputation

    private void reputation(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        catchUpReputation();
        String id = contractorId(req.path().pathParameters().get("id"));
        if (req.query().isEmpty()) {
            sendLookup(res, id); // the hot path of routing services
            return;
        }
        Optional<String> asOfSeq = query(req, "as_of_seq");
        Optional<String> asOfTime = query(req, "as_of_time");
        boolean explain = query(req, "explain").map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.badParameter("explain", "must be true or false, was '" + abbreviate(v) + "'");
        }).orElse(false);
        if (asOfSeq.isPresent() && asOfTime.isPresent()) {
            throw ProblemException.badParameter("as_of_seq", "give as_of_seq or as_of_time, not both");
        }
        Optional<Reputation> found;
        String when;
        if (asOfSeq.isPresent()) {
            long seq = unsigned("as_of_seq", asOfSeq.get());
            long applied = reputation.appliedSize();
            if (seq >= applied) {
                throw ProblemException.badParameter("as_of_seq", "must be below the log size " + applied + ", was " + seq);
            }
            found = reputation.asOfSeq(id, seq, explain);
            when = " as of seq " + seq;
        } else if (asOfTime.isPresent()) {
            Instant time;
            try {
                time = Instant.parse(asOfTime.get());
            } catch (DateTimeParseException e) {
                throw ProblemException.badParameter("as_of_time",
                        "must be an RFC 3339 UTC time such as 2026-11-28T12:00:00Z, was '" + abbreviate(asOfTime.get()) + "'");
            }
            found = reputation.asOfTime(id, time, explain);
            when = " as of " + time;
        } else if (!explain) {
            sendLookup(res, id);
            return;
        } else {
            found = reputation.explain(id);
            when = "";
        }
        Reputation r = found.orElseThrow(() -> ProblemException.notFound("the log holds no entries about contractor "
                + id + when));
        sendJson(res, JSON.writeValueAsBytes(reputationJson(r, true)));
    }

    /** Today's score of {@code id}, from the document the index keeps ready per contractor. */
    private void sendLookup(ServerResponse res, String id) {
        sendJson(res, reputation.lookupJson(id).orElseThrow(
                () -> ProblemException.notFound("the log holds no entries about contractor " + id)));
    }

    private void reputationBatch(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        catchUpReputation();
        requireJson(req);
        JsonNode body;
        try {
            body = RequestBodies.json(readBody(req));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalidRequest("$", "must be JSON: " + e.getOriginalMessage());
        }
        JsonNode ids = body == null ? null : body.get("contractors");
        if (ids == null || !ids.isArray()) {
            throw invalidRequest("$.contractors", "is required: an array of 1 to " + MAX_BATCH + " contractor ids");
        }
        if (ids.isEmpty() || ids.size() > MAX_BATCH) {
            throw invalidRequest("$.contractors", "must hold 1 to " + MAX_BATCH + " contractor ids, held " + ids.size()
                    + (ids.size() > MAX_BATCH ? " (send larger sets as several batches)" : ""));
        }
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (!id.isTextual() || !isIdentifier(id.asText())) {
                violations.add(new Violation("$.contractors[" + i + "]",
                        "must be a contractor id of 1 to 64 letters, digits, or . _ : -"));
            }
        }
        if (!violations.isEmpty()) {
            throw new ProblemException(400, "invalid-request", "Invalid request",
                    violations.get(0).path() + ": " + violations.get(0).rule()
                            + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : ""),
                    violations, Map.of());
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("results");
        ArrayNode unknown = answer.putArray("unknown");
        for (JsonNode id : ids) {
            Optional<Reputation> r = reputation.lookup(id.asText());
            if (r.isPresent()) {
                recordRead(reads, principal, "POST /v1/reputation:batch", id.asText());
                results.add(reputationJson(r.get(), false));
            } else {
                unknown.add(id.asText());
            }
        }
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    private void top(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        catchUpReputation();
        String skill = query(req, "skill").orElseThrow(() -> ProblemException.badParameter("skill", "is required"));
        if (!isIdentifier(skill)) {
            throw ProblemException.badParameter("skill", "must be a skill code of 1 to 64 letters, digits, or . _ : -");
        }
        int limit = query(req, "limit").map(v -> {
            if (!UNSIGNED.matcher(v).matches() || Long.parseLong(v) < 1 || Long.parseLong(v) > MAX_TOP) {
                throw ProblemException.badParameter("limit", "must be an integer from 1 to " + MAX_TOP + ", was '"
                        + abbreviate(v) + "'");
            }
            return Integer.parseInt(v);
        }).orElse(DEFAULT_TOP);
        double minLower = query(req, "min_lower").map(v -> decimal("min_lower", v, 1)).orElse(0.0);
        double minNEff = query(req, "min_n_eff").map(v -> decimal("min_n_eff", v, Double.MAX_VALUE)).orElse(0.0);
        Optional<String> credential = query(req, "credential");
        if (credential.isPresent() && !isIdentifier(credential.get())) {
            throw ProblemException.badParameter("credential", "must be a credential type of 1 to 64 letters, digits, or . _ : -");
        }
        TopQuery.RankBy rankBy = query(req, "rank_by").map(v -> switch (v) {
            case "lower" -> TopQuery.RankBy.LOWER;
            case "score" -> TopQuery.RankBy.SCORE;
            default -> throw ProblemException.badParameter("rank_by", "must be lower or score, was '" + abbreviate(v) + "'");
        }).orElse(TopQuery.RankBy.LOWER);
        long applied = reputation.appliedSize();
        List<TopQuery.Ranked> ranked = reputation.top(new TopQuery(skill, limit, minLower, minNEff, credential, rankBy));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("skill", skill);
        answer.put("rank_by", rankBy.name().toLowerCase(Locale.ROOT));
        answer.put("policy", reputation.policy().id());
        ObjectNode asOf = answer.putObject("as_of");
        asOf.put("seq", applied - 1);
        asOf.put("ts", reputation.evaluationTime().toString());
        ArrayNode results = answer.putArray("results");
        for (TopQuery.Ranked r : ranked) {
            recordRead(reads, principal, "GET /v1/reputation/top", r.contractor());
            ObjectNode o = results.addObject().put("contractor", r.contractor());
            scoreFields(o, r.score());
        }
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    private void publishPolicy(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        requireJson(req);
        JsonNode body;
        try {
            body = RequestBodies.json(readBody(req));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalidRequest("$", "must be JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject() || !body.path("policy_id").isTextual() || !body.path("params").isObject()) {
            throw invalidRequest("$", "must be {\"policy_id\": \"...\", \"params\": {\"name\": integer, ...}}");
        }
        String policyId = body.get("policy_id").asText();
        // Schema first (names, integer values), then the policy's own ranges.
        ObjectNode submission = JSON.createObjectNode();
        submission.put("kind", "policy.published");
        submission.put("contractor", SubmissionValidator.SYSTEM_CONTRACTOR);
        submission.put("event_id", "policy-" + policyId);
        ObjectNode policyBody = submission.putObject("body");
        policyBody.put("occurred_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        policyBody.put("policy_id", policyId);
        policyBody.set("params", body.get("params"));
        Submission parsed;
        try {
            parsed = validator.validate(submission);
        } catch (EntryRejectedException e) {
            throw Problems.rejected(e);
        }
        try {
            Policy.from(-1, policyId, ((dev.trackrecord.ledger.entry.PolicyPublished) parsed.body()).params());
        } catch (IllegalArgumentException e) {
            throw invalidRequest("$.params", e.getMessage());
        }
        List<Appended> results = await(ledger.append(List.of(parsed), principal.subject()));
        followLedger();
        Appended a = results.get(0);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("policy_id", policyId);
        answer.put("seq", a.seq());
        answer.put("leaf_hash", a.leafHash());
        answer.put("ts", a.ts().toString());
        answer.put("duplicate", a.duplicate());
        res.status(a.duplicate() ? 200 : 201);
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    /**
     * Scores follow the ledger on a background thread, off the append path; a score read first
     * applies whatever that thread has not yet, so a caller always sees its own acknowledged appends.
     */
    private void catchUpReputation() {
        if (reputation.appliedSize() < ledger.size()) {
            followLedger();
        }
    }

    /** Starts the thread that keeps the reputation index up with the ledger; close it to stop. */
    public AutoCloseable followLedgerInBackground() {
        return ReputationFollower.start(ledger, reputation);
    }

    /**
     * One contractor's reputation with its explanation, as {@code GET /v1/contractors/{id}/reputation}
     * answers it, for the contractor's own view; empty when the contractor has no scored entries.
     */
    public Optional<byte[]> reputationDocument(String contractor) throws IOException {
        catchUpReputation();
        Optional<Reputation> r = reputation.explain(contractor);
        return r.isEmpty() ? Optional.empty() : Optional.of(JSON.writeValueAsBytes(reputationJson(r.get(), true)));
    }

    /**
     * The contractor's overall score as the engine computed it right after each of their scored
     * entries (audits and task outcomes), at most {@code maxPoints} of them, the last always
     * included: {@code {"contractor","points":[{"seq","occurred_at","score","lower","upper"}]}}.
     */
    public Optional<byte[]> reputationHistory(String contractor, int maxPoints) throws IOException {
        catchUpReputation();
        List<Long> scored = new ArrayList<>();
        List<String> occurred = new ArrayList<>();
        for (long seq : ledger.contractorSeqs(contractor)) {
            JsonNode e = JSON.readTree(ledger.entry(seq).orElseThrow());
            String kind = e.path("kind").asText();
            if (kind.equals("audit.result") || kind.equals("task.outcome")) {
                scored.add(seq);
                occurred.add(e.path("body").path("occurred_at").asText());
            }
        }
        if (scored.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("contractor", contractor);
        ArrayNode points = answer.putArray("points");
        int n = scored.size();
        int step = Math.max(1, (n + maxPoints - 1) / maxPoints);
        for (int i = (n - 1) % step; i < n; i += step) {
            Optional<Reputation> r = reputation.asOfSeq(contractor, scored.get(i), false);
            if (r.isPresent()) {
                ObjectNode p = points.addObject().put("seq", scored.get(i)).put("occurred_at", occurred.get(i));
                scoreFields(p, r.get().overall());
            }
        }
        return Optional.of(JSON.writeValueAsBytes(answer));
    }

    private void followLedger() {
        try {
            reputation.catchUp();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reputation index could not apply entries from seq " + reputation.appliedSize(), e);
        }
    }

    private static ObjectNode reputationJson(Reputation r, boolean withExplanation) {
        return ReputationJson.of(r, withExplanation);
    }

    private static void scoreFields(ObjectNode o, Score s) {
        ReputationJson.score(o, s);
    }

    /**
     * Whether {@code s} is a contractor id, skill or credential type: 1 to 64 letters, digits or
     * {@code . _ : -}, not starting with {@code . : -} ({@link #IDENTIFIER}); checked on every
     * read, so without a regular expression.
     */
    static boolean isIdentifier(String s) {
        int n = s.length();
        if (n == 0 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || (i > 0 && (c == '.' || c == ':' || c == '-'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String contractorId(String id) {
        if (!isIdentifier(id)) {
            throw ProblemException.badParameter("id", "must be a contractor id of 1 to 64 letters, digits, or . _ : -");
        }
        return id;
    }

    private static double decimal(String name, String value, double max) {
        if (!DECIMAL.matcher(value).matches() || Double.parseDouble(value) > max) {
            throw ProblemException.badParameter(name, "must be a decimal number from 0"
                    + (max < Double.MAX_VALUE ? " to " + (long) max : "") + ", was '" + abbreviate(value) + "'");
        }
        return Double.parseDouble(value);
    }

    private static ProblemException invalidRequest(String path, String rule) {
        return new ProblemException(400, "invalid-request", "Invalid request", path + ": " + rule,
                List.of(new Violation(path, rule)), Map.of());
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
        res.header(JSON_CONTENT);
        res.send(json);
    }

    private static void sendText(ServerResponse res, String text) {
        res.header(TEXT_CONTENT);
        res.send(text.getBytes(StandardCharsets.UTF_8));
    }
}
