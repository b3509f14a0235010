package dev.trackrecord.api.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.api.http.ProblemException;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.privacy.PersonalExport;
import dev.trackrecord.ledger.privacy.Retention;
import dev.trackrecord.ledger.privacy.Vault;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Ledger;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The service's side of personal data (docs/privacy.md): seals the personal member of REST
 * submissions into the vault before they are appended, erases a contractor
 * ({@code POST /v1/contractors/{id}/erasure}), and builds personal.json for a contractor's export.
 */
public final class Privacy {
    /** Kinds only the service writes, as the record of what it destroyed. */
    static final Set<EntryKind> SERVICE_ONLY = Set.of(EntryKind.CONTRACTOR_ERASED, EntryKind.PERSONAL_SHREDDED);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTRACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final String DEFAULT_REASON = "data_subject_request";

    private final Ledger ledger;
    private final Vault vault;
    private final Retention retention;
    private final Clock clock;

    public Privacy(Ledger ledger, Vault vault, Retention retention, Clock clock) {
        this.ledger = ledger;
        this.vault = vault;
        this.retention = retention;
        this.clock = clock;
    }

    public Vault vault() {
        return vault;
    }

    public Retention retention() {
        return retention;
    }

    /** Adds the erasure route, admin only, to {@code api}'s table. */
    public void addTo(Api api) {
        api.add(new Api.Route(Method.POST, "/v1/contractors/{id}/erasure", Set.of(Role.ADMIN)), this::erasure);
        api.prepareSubmissionsWith(this::seal);
    }

    /**
     * Refuses the service-only kinds, and seals each submission's personal data into the vault
     * under the key its kind's retention names; data already past retention is refused.
     */
    public List<Submission> seal(List<Submission> submissions) throws IOException {
        List<Violation> violations = new ArrayList<>();
        Instant now = clock.instant();
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            String at = submissions.size() == 1 ? "$" : "$.entries[" + i + "]";
            if (SERVICE_ONLY.contains(s.kind())) {
                violations.add(new Violation(at + ".kind", s.kind() + " is written by the service itself when it"
                        + " destroys personal data (POST /v1/contractors/{id}/erasure, retention)"));
            } else if (s.hasPersonalData()) {
                String key = retention.keyId(s.kind(), s.body().occurredAt());
                Instant expiry = Retention.expiry(key).orElse(Instant.MAX);
                if (!now.isBefore(expiry)) {
                    violations.add(new Violation(at + ".personal", "past its retention: personal data of a " + s.kind()
                            + " that occurred at " + s.body().occurredAt() + " is kept for "
                            + retention.period(s.kind()).orElseThrow() + ", so only until " + expiry));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new ProblemException(400, "invalid-entry", "Invalid entry", violations.get(0).path() + ": "
                    + violations.get(0).rule(), violations, Map.of());
        }
        List<Submission> sealed = new ArrayList<>(submissions.size());
        for (Submission s : submissions) {
            sealed.add(s.hasPersonalData() ? vault.seal(s, retention.keyId(s.kind(), s.body().occurredAt())) : s);
        }
        return sealed;
    }

    /** personal.json for {@code contractor}'s entries below {@code treeSize}. */
    public byte[] personalJson(String contractor, long treeSize) throws IOException {
        List<byte[]> entries = new ArrayList<>();
        for (long seq : ledger.contractorSeqs(contractor)) {
            if (seq < treeSize) {
                entries.add(ledger.entry(seq).orElseThrow());
            }
        }
        return PersonalExport.build(contractor, entries, vault);
    }

    /** The contractor's entries whose body seals personal data under one of {@code keys}. */
    static List<Long> sealedUnder(Ledger ledger, String contractor, java.util.Collection<String> keys) throws IOException {
        List<Long> seqs = new ArrayList<>();
        for (long seq : ledger.contractorSeqs(contractor)) {
            JsonNode e = JSON.readTree(ledger.entry(seq).orElseThrow());
            JsonNode sealed = e.path("body").path("personal");
            if (sealed.isObject() && keys.contains(sealed.path("key").asText())) {
                seqs.add(seq);
            }
        }
        return seqs;
    }

    /** Appends one entry the service writes itself and waits until it is durable. */
    static Appended appendSystemEntry(Ledger ledger, SubmissionValidator validator, ObjectNode submission)
            throws Exception {
        Submission s = validator.validate(submission);
        try {
            return ledger.append(List.of(s), "trackrecord").get().get(0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- erasure

    private void erasure(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        String id = req.path().pathParameters().get("id");
        if (!CONTRACTOR.matcher(id).matches()) {
            throw ProblemException.badParameter("id", "must be a contractor id of 1 to 64 letters, digits, or . _ : -");
        }
        String reason = reasonCode(req);
        long[] seqs = ledger.contractorSeqs(id);
        if (seqs.length == 0) {
            throw ProblemException.notFound("the log holds no entries about contractor " + id);
        }
        List<String> keys = vault.keys(id);
        JsonNode last = JSON.readTree(ledger.entry(seqs[seqs.length - 1]).orElseThrow());
        if (keys.isEmpty() && last.path("kind").asText().equals(EntryKind.CONTRACTOR_ERASED.wire())) {
            // Erased already and nothing sealed since: say so rather than append a second record.
            answer(res, 200, id, last.path("seq").asLong(), last.path("body"), true);
            return;
        }
        List<Long> sealed = sealedUnder(ledger, id, keys);
        ObjectNode submission = JSON.createObjectNode();
        submission.put("kind", EntryKind.CONTRACTOR_ERASED.wire()).put("contractor", id)
                .put("event_id", "erasure:" + id + ":" + seqs[seqs.length - 1]);
        ObjectNode body = submission.putObject("body");
        body.put("occurred_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        body.put("reason_code", reason);
        ArrayNode k = body.putArray("keys");
        keys.forEach(k::add);
        ArrayNode s = body.putArray("seqs");
        sealed.forEach(s::add);
        // The record first, then the keys: a failure between them leaves keys that a retried
        // erasure destroys (and records again), never destroyed keys without a record.
        Appended a = appendSystemEntry(ledger, new SubmissionValidator(clock), submission);
        vault.erase(id);
        answer(res, a.duplicate() ? 200 : 201, id, a.seq(), body, a.duplicate());
    }

    private static String reasonCode(ServerRequest req) throws IOException {
        if (!req.content().hasEntity()) {
            return DEFAULT_REASON;
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            // Answers a body that cannot be read (a malformed chunk, say) with a 400.
            bytes = dev.trackrecord.api.http.RequestBodies.readUpTo(in, 4097);
        }
        if (bytes.length == 0) {
            return DEFAULT_REASON;
        }
        JsonNode node;
        try {
            node = bytes.length > 4096 ? null : dev.trackrecord.api.http.RequestBodies.json(bytes);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw invalid("$", "must be a JSON object of at most 4096 bytes, {\"reason_code\": \"...\"}, or empty");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("reason_code")) {
                throw invalid("$." + field, "is not allowed; an erasure request has only reason_code");
            }
        }
        JsonNode code = node.get("reason_code");
        if (code == null) {
            return DEFAULT_REASON;
        }
        if (!code.isTextual() || !CODE.matcher(code.asText()).matches()) {
            throw invalid("$.reason_code", "must be a lowercase code: 1 to 64 of a-z, 0-9 and _ . -");
        }
        return code.asText();
    }

    private static void answer(ServerResponse res, int status, String contractor, long seq, JsonNode body,
                               boolean duplicate) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("contractor", contractor);
        answer.put("seq", seq);
        answer.set("keys", body.path("keys"));
        answer.set("seqs", body.path("seqs"));
        answer.put("duplicate", duplicate);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JSON.writeValueAsBytes(answer));
    }

    private static ProblemException invalid(String path, String rule) {
        return new ProblemException(400, "invalid-request", "Invalid request", path + ": " + rule,
                List.of(new Violation(path, rule)), Map.of());
    }
}
