package dev.trackrecord.api.me;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.api.http.EntryPages;
import dev.trackrecord.api.http.ProblemException;
import dev.trackrecord.api.http.RequestBodies;
import dev.trackrecord.ledger.bundle.BundleWriter;
import dev.trackrecord.ledger.bundle.ExportQuery;
import dev.trackrecord.ledger.entry.DisputeOpened;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.EventConflictException;
import dev.trackrecord.ledger.store.Ledger;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * {@code /v1/me/*}: a contractor's own record, always that of the contractor their token names.
 * No route takes a contractor id, and every seq a request names must be one of theirs: a seq of
 * someone else's answers exactly as a seq that does not exist. Also serves the page at {@code /me}.
 */
public final class MeRoutes {
    private static final int MAX_DISPUTE_BYTES = 8 * 1024;
    private static final int MAX_ACCESS_RECORDS = 1000;
    /** How many UTC days back {@code /v1/me/access-log} reads by default, today included, and at most. */
    static final int DEFAULT_ACCESS_DAYS = 31;
    static final int MAX_ACCESS_DAYS = 3660;
    private static final Pattern DAYS = Pattern.compile("[0-9]{1,4}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,18}");
    private static final String CURSOR_PREFIX = "m1:";
    private static final Set<String> DISPUTE_FIELDS = Set.of("target_seq", "reason_code", "reason");
    private static final Map<String, String> PAGE_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "me.js", "text/javascript; charset=utf-8",
            "me.css", "text/css; charset=utf-8");

    private final Ledger ledger;
    private final SubmissionValidator validator;
    private final NoteVerifier verifierKey;
    private final AccessLog accessLog;
    private final ReputationView reputation;
    private final Clock clock;
    private PersonalData personalData = (contractor, treeSize) -> null;

    /** The contractor's personal data for their export: personal.json, or null for none. */
    @FunctionalInterface
    public interface PersonalData {
        byte[] personalJson(String contractor, long treeSize) throws IOException;
    }

    public MeRoutes(Ledger ledger, SubmissionValidator validator, NoteVerifier verifierKey, AccessLog accessLog,
                    ReputationView reputation, Clock clock) {
        this.ledger = ledger;
        this.validator = validator;
        this.verifierKey = verifierKey;
        this.accessLog = accessLog;
        this.reputation = reputation;
        this.clock = clock;
    }

    /** Puts personal.json from {@code source} into each export; call before {@link #addTo}. */
    public MeRoutes withPersonalData(PersonalData source) {
        this.personalData = source;
        return this;
    }

    /** Adds the {@code /v1/me} routes, for the contractor role only, to {@code api}'s table. */
    public void addTo(Api api) {
        Set<Role> contractor = Set.of(Role.CONTRACTOR);
        api.add(new Api.Route(Method.GET, "/v1/me/reputation", contractor), this::reputation);
        api.add(new Api.Route(Method.GET, "/v1/me/reputation/history", contractor), this::history);
        api.add(new Api.Route(Method.GET, "/v1/me/entries", contractor), this::entries);
        api.add(new Api.Route(Method.GET, "/v1/me/entries/{seq}/proof", contractor), this::proof);
        api.add(new Api.Route(Method.GET, "/v1/me/export", contractor), this::export);
        api.add(new Api.Route(Method.POST, "/v1/me/disputes", contractor), this::dispute);
        api.add(new Api.Route(Method.GET, "/v1/me/access-log", contractor), this::accessLog);
    }

    /** Serves the contractor page: {@code /me} and its script and style sheet, no token needed. */
    public static void registerPage(HttpRouting.Builder routing) {
        Map<String, byte[]> files = new java.util.HashMap<>();
        for (String name : PAGE_FILES.keySet()) {
            try (InputStream in = MeRoutes.class.getResourceAsStream("/web/me/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("web/me/" + name + " is missing from the classpath");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        routing.get("/me", (req, res) -> sendFile(res, "index.html", files));
        routing.get("/me/", (req, res) -> sendFile(res, "index.html", files));
        routing.get("/me/{file}", (req, res) -> {
            String name = req.path().pathParameters().get("file");
            if (!files.containsKey(name)) {
                throw ProblemException.notFound("no file " + name + " in the contractor page");
            }
            sendFile(res, name, files);
        });
    }

    private static void sendFile(ServerResponse res, String name, Map<String, byte[]> files) {
        res.header(HeaderNames.CONTENT_TYPE, PAGE_FILES.get(name));
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        // The token lives in this page's sessionStorage: no foreign script, frame or connection.
        res.header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self' blob: data:; form-action 'none'; frame-ancestors 'none'; "
                + "base-uri 'none'");
        res.send(files.get(name));
    }

    // ---------------------------------------------------------------- routes

    private void reputation(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        byte[] doc = reputation.reputation(me).orElseThrow(() -> new ProblemException(503,
                "reputation-unavailable", "Reputation not available",
                "reputation engine not available on this service; your entries, proofs and export still are",
                List.of(), Map.of("Retry-After", "60")));
        sendJson(res, doc);
    }

    private void history(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        byte[] doc = reputation.history(me).orElseThrow(() -> new ProblemException(503,
                "reputation-unavailable", "Reputation not available",
                "no score history: the reputation engine is not available, or you have no scored entries yet",
                List.of(), Map.of("Retry-After", "60")));
        sendJson(res, doc);
    }

    private void entries(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        // The cursor only positions within this contractor's own seqs.
        sendJson(res, EntryPages.render(ledger, ledger.contractorSeqs(me), query(req, "limit"), query(req, "cursor"),
                CURSOR_PREFIX, "{\"contractor\":" + JSON.writeValueAsString(me) + ","));
    }

    private void proof(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        long seq = ownSeq(me, "seq", req.path().pathParameters().get("seq"));
        String note = ledger.latestCheckpoint().orElseThrow(() -> notCheckpointed(seq));
        long treeSize = Long.parseLong(note.split("\n", 3)[1]);
        if (seq >= treeSize) {
            throw notCheckpointed(seq);
        }
        byte[] entry = ledger.entry(seq).orElseThrow();
        ObjectNode answer = JSON.createObjectNode();
        answer.put("seq", seq);
        answer.put("leaf_index", seq);
        answer.put("tree_size", treeSize);
        answer.put("leaf_hash", HEX.formatHex(ledger.leafHash(seq)));
        ArrayNode hashes = answer.putArray("hashes");
        for (byte[] h : ledger.inclusionProof(seq, treeSize)) {
            hashes.add(HEX.formatHex(h));
        }
        // The exact stored bytes, so the page hashes what the log hashed.
        answer.put("entry", new String(entry, StandardCharsets.UTF_8));
        answer.put("checkpoint", note);
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    private static ProblemException notCheckpointed(long seq) {
        return new ProblemException(409, "not-checkpointed", "Not in a signed checkpoint yet",
                "entry " + seq + " is newer than the latest signed checkpoint; ask again in a few seconds",
                List.of(), Map.of("Retry-After", "2"));
    }

    private void export(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try {
            // personal.json must cover exactly the bundle's entries: again if a checkpoint came between.
            for (int attempt = 0; ; attempt++) {
                long treeSize = ledger.latestCheckpointSize();
                byte[] personal = treeSize < 0 ? null : personalData.personalJson(me, treeSize);
                zip.reset();
                BundleWriter.write(ledger, ExportQuery.all().withContractor(me), verifierKey, clock, zip, personal);
                if (ledger.latestCheckpointSize() == treeSize || attempt == 3) {
                    break;
                }
            }
        } catch (IllegalStateException e) {
            throw new ProblemException(409, "not-checkpointed", "No signed checkpoint yet", e.getMessage(),
                    List.of(), Map.of("Retry-After", "2"));
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/zip");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"trackrecord-" + me + ".zip\"");
        res.send(zip.toByteArray());
    }

    private void dispute(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        JsonNode body = readJson(req);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!DISPUTE_FIELDS.contains(field)) {
                throw invalid("$." + field, "is not allowed; a dispute has only target_seq, reason_code and reason");
            }
        }
        JsonNode target = body.path("target_seq");
        if (!target.isIntegralNumber() || !target.canConvertToLong() || target.asLong() < 0) {
            throw invalid("$.target_seq", "must be the seq of one of your entries (a non-negative integer)");
        }
        long seq = ownSeq(me, "target_seq", Long.toString(target.asLong()));
        JsonNode code = body.path("reason_code");
        if (!code.isTextual() || DisputeOpened.ReasonCode.fromWire(code.asText()).isEmpty()) {
            throw invalid("$.reason_code", "must be one of " + Arrays.stream(DisputeOpened.ReasonCode.values())
                    .map(DisputeOpened.ReasonCode::wire).toList());
        }
        JsonNode reason = body.path("reason");
        if (!reason.isTextual() || reason.asText().isBlank()) {
            throw invalid("$.reason", "must be a non-empty text of at most 2000 characters");
        }
        JsonNode targetEntry = JSON.readTree(ledger.entry(seq).orElseThrow());
        if (targetEntry.path("kind").asText().startsWith("dispute.")) {
            throw invalid("$.target_seq", "names a dispute entry; dispute the entry it is about instead");
        }

        // Same contractor, target, code and reason: same event_id, so a resend appends nothing.
        String eventId = "me-dispute:" + me + ":" + seq + ":" + HEX.formatHex(AccessLog.sha256(
                (code.asText() + "\n" + reason.asText()).getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        Optional<JsonNode> earlier = findByEventId(me, eventId);
        if (earlier.isPresent()) {
            sendDispute(res, 200, earlier.get(), true);
            return;
        }
        ObjectNode submission = JSON.createObjectNode();
        submission.put("kind", "dispute.opened").put("contractor", me).put("event_id", eventId);
        submission.putObject("body")
                .put("occurred_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString())
                .put("target_seq", seq)
                .put("reason_code", code.asText())
                .put("reason", reason.asText());
        Submission s = validator.parse(JSON.writeValueAsBytes(submission));
        try {
            Appended a = ledger.append(List.of(s), principal.subject()).get().get(0);
            JsonNode entry = JSON.readTree(ledger.entry(a.seq()).orElseThrow());
            sendDispute(res, a.duplicate() ? 200 : 201, entry, a.duplicate());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EventConflictException) {
                // A concurrent resend won with another occurred_at: answer with its entry.
                JsonNode entry = findByEventId(me, eventId).orElseThrow(() -> (EventConflictException) e.getCause());
                sendDispute(res, 200, entry, true);
                return;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private Optional<JsonNode> findByEventId(String me, String eventId) throws IOException {
        long[] seqs = ledger.contractorSeqs(me);
        for (int i = seqs.length - 1; i >= 0; i--) {
            JsonNode e = JSON.readTree(ledger.entry(seqs[i]).orElseThrow());
            if (eventId.equals(e.path("event_id").asText())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static void sendDispute(ServerResponse res, int status, JsonNode entry, boolean duplicate)
            throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("seq", entry.path("seq").asLong());
        answer.put("event_id", entry.path("event_id").asText());
        answer.put("duplicate", duplicate);
        answer.set("entry", entry);
        res.status(status);
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    private void accessLog(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String me = me(principal);
        int days = DEFAULT_ACCESS_DAYS;
        Optional<String> daysParameter = query(req, "days");
        if (daysParameter.isPresent()) {
            String value = daysParameter.get();
            if (!DAYS.matcher(value).matches() || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_ACCESS_DAYS) {
                throw ProblemException.badParameter("days", "must be an integer from 1 to " + MAX_ACCESS_DAYS
                        + ", was '" + EntryPages.abbreviate(value) + "'");
            }
            days = Integer.parseInt(value);
        }
        AccessLog.View view = accessLog.viewFor(me, MAX_ACCESS_RECORDS, days, 2000);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("contractor", me);
        ObjectNode chain = answer.putObject("chain");
        chain.put("verified", view.problem().isEmpty());
        chain.put("length", view.length());
        chain.put("head", view.head());
        chain.put("checked_from", view.checkedFrom());
        view.checkedFromDay().ifPresent(day -> chain.put("checked_from_day", day));
        view.startsAfter().ifPresent(a -> chain.putObject("starts_after").put("n", a.n()).put("prev", a.prev()));
        view.problem().ifPresent(p -> chain.put("problem", p));
        answer.put("days", days);
        answer.put("dropped_since_start", view.droppedTotal());
        ArrayNode records = answer.putArray("records");
        for (AccessLog.Record r : view.records()) {
            ObjectNode o = records.addObject();
            o.put("n", r.n()).put("ts", r.ts()).put("kind", r.kind());
            if (r.kind().equals("dropped")) {
                o.put("dropped", r.dropped());
            } else {
                o.put("principal", r.principal()).put("route", r.route());
            }
        }
        sendJson(res, JSON.writeValueAsBytes(answer));
    }

    // ---------------------------------------------------------------- helpers

    private static String me(Principal principal) {
        return principal.contractor().orElseThrow(() -> new ProblemException(403, "forbidden", "Forbidden",
                "the token names no contractor", List.of(), Map.of()));
    }

    /** A seq that is one of {@code me}'s entries; anything else is the same 404. */
    private long ownSeq(String me, String name, String value) {
        if (!UNSIGNED.matcher(value).matches()) {
            throw ProblemException.badParameter(name, "must be a non-negative integer, was '" + EntryPages.abbreviate(value) + "'");
        }
        long seq = Long.parseLong(value);
        if (Arrays.binarySearch(ledger.contractorSeqs(me), seq) < 0) {
            throw ProblemException.notFound("you have no entry at seq " + seq);
        }
        return seq;
    }

    private static JsonNode readJson(ServerRequest req) throws IOException {
        req.headers().contentType().ifPresent(type -> {
            if (!type.type().equals("application") || !type.subtype().equals("json")) {
                throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                        "Content-Type: must be application/json, was " + type.text(),
                        List.of(new Violation("Content-Type", "must be application/json")), Map.of());
            }
        });
        if (!req.content().hasEntity()) {
            throw invalid("$", "request body is required");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = RequestBodies.readUpTo(in, MAX_DISPUTE_BYTES + 1);
        }
        if (bytes.length > MAX_DISPUTE_BYTES) {
            throw new ProblemException(413, "body-too-large", "Request body too large",
                    "a dispute is at most " + MAX_DISPUTE_BYTES + " bytes", List.of(), Map.of());
        }
        JsonNode node;
        try {
            node = RequestBodies.json(bytes);
        } catch (IOException e) {
            throw invalid("$", "must be a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw invalid("$", "must be a JSON object");
        }
        return node;
    }

    private static ProblemException invalid(String path, String rule) {
        return new ProblemException(400, "invalid-dispute", "Invalid dispute", path + ": " + rule,
                List.of(new Violation(path, rule)), Map.of());
    }

    private static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional();
    }

    private static void sendJson(ServerResponse res, byte[] json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json);
    }
}
