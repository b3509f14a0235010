package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.json.InvalidJsonException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks what clients submit against the JSON Schemas in {@code schemas/json/} and the rules a
 * schema cannot state, and turns it into {@link Submission}s. Every violation is reported, each
 * with the JSONPath of the value at fault.
 *
 * <p>Rules beyond the schema:
 * <ul>
 *   <li>{@code occurred_at} at most {@link #CLOCK_SKEW} after the ledger's clock. Only
 *       {@code occurred_at}: {@code due_at}, {@code valid_from} and {@code valid_until} name
 *       scheduled times, which may lie ahead.</li>
 *   <li>contractor {@code _system} for {@code policy.published} and for nothing else.</li>
 *   <li>the body's canonical form at most {@link #MAX_BODY_BYTES} bytes.</li>
 *   <li>{@code credential.issued}: {@code valid_until} after {@code valid_from};
 *       {@code dispute.resolved}: {@code dispute_seq} after {@code target_seq}. What a dispute
 *       must keep with the entries before it, the ledger's writer checks ({@link DisputeRules}).</li>
 *   <li>{@code personal}: only the fields {@link PersonalFields} allows for the kind, and only
 *       when the validator accepts personal data at all (the service's REST append, which seals it
 *       into its vault); {@code contractor.profile} requires it. {@code body.personal} is written
 *       by the ledger, never by a client.</li>
 * </ul>
 *
 * <p>Thread-safe. The schemas are loaded from the classpath once per JVM, on first use.
 */
public final class SubmissionValidator {
    /** How far {@code occurred_at} may be ahead of the ledger's clock. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** Largest canonical body, in bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    /** The contractor id of entries about no one contractor. */
    public static final String SYSTEM_CONTRACTOR = "_system";

    private static final ObjectMapper MAPPER = CanonicalJson.mapper(CanonicalJson.Limits.DEFAULT);

    private final Clock clock;
    private final Schemas schemas;
    private final boolean personalData;

    /** A validator that judges "the future" by {@code clock} and refuses personal data. */
    public SubmissionValidator(Clock clock) {
        this(clock, false);
    }

    /**
     * @param personalData whether submissions may carry a {@code personal} member: only where the
     *                     caller seals it into a vault before appending ({@link Submission#sealed});
     *                     elsewhere it would be dropped, so it is refused
     */
    public SubmissionValidator(Clock clock, boolean personalData) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.schemas = Schemas.get();
        this.personalData = personalData;
    }

    /**
     * Validates one submission, {@code {"kind","contractor","event_id","body"}}.
     *
     * @throws EntryRejectedException listing every violation
     */
    public Submission validate(JsonNode submission) throws EntryRejectedException {
        return validate(submission, false);
    }

    private Submission validate(JsonNode submission, boolean canonicalChecked) throws EntryRejectedException {
        Violations violations = new Violations();
        if (!canonicalChecked) {
            violations.addCanonicalJsonViolations(submission);
        }
        schemas.validateSubmission(submission, violations, violations.paths());
        Submission result = checkRules(submission, "$", clock.instant(), violations, canonicalChecked);
        if (result == null) {
            throw violations.rejection();
        }
        return result;
    }

    /**
     * Parses and validates one submission from UTF-8 JSON text. Text that is not JSON, has
     * duplicate member names or is not valid UTF-8 is refused with a single violation.
     *
     * @throws EntryRejectedException listing every violation
     */
    public Submission parse(byte[] json) throws EntryRejectedException {
        Parsed parsed = read(json);
        return validate(parsed.node(), parsed.canonicalChecked());
    }

    /**
     * Validates the body of an append request: one submission, or {@code {"entries":[...]}} with
     * 1 to 1000. A batch is accepted or rejected as a whole; violations in a batch have paths such
     * as {@code $.entries[3].body.score_bp}.
     *
     * @return the submissions in request order
     * @throws EntryRejectedException listing every violation in every submission
     */
    public List<Submission> validateRequest(JsonNode request) throws EntryRejectedException {
        return validateRequest(request, false);
    }

    private List<Submission> validateRequest(JsonNode request, boolean canonicalChecked) throws EntryRejectedException {
        if (!request.isObject() || !request.has("entries")) {
            return List.of(validate(request, canonicalChecked));
        }
        Violations violations = new Violations();
        if (!canonicalChecked) {
            violations.addCanonicalJsonViolations(request);
        }
        schemas.validateAppendRequest(request, violations, violations.paths());
        JsonNode entries = request.get("entries");
        if (violations.has("$") || violations.has("$.entries") || !entries.isArray()) {
            throw violations.rejection();
        }
        Instant now = clock.instant();
        List<Submission> submissions = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            submissions.add(checkRules(entries.get(i), "$.entries[" + i + "]", now, violations, canonicalChecked));
        }
        if (!violations.isEmpty()) {
            throw violations.rejection();
        }
        return submissions;
    }

    /**
     * Parses and validates the body of an append request from UTF-8 JSON text.
     *
     * @see #validateRequest(JsonNode)
     */
    public List<Submission> parseRequest(byte[] json) throws EntryRejectedException {
        Parsed parsed = read(json);
        return validateRequest(parsed.node(), parsed.canonicalChecked());
    }

    /** A parsed document, and whether it passed CanonicalJson's checks already. */
    private record Parsed(JsonNode node, boolean canonicalChecked) {
    }

    private static Parsed read(byte[] json) throws EntryRejectedException {
        try {
            return new Parsed(CanonicalJson.parse(json), true);
        } catch (InvalidJsonException e) {
            if (!e.path().equals("$")) {
                // Well-formed but not canonicalizable (a float, say): read it as it is, so that
                // validation reports every such value together with everything else.
                try {
                    return new Parsed(MAPPER.readTree(json), false);
                } catch (IOException | RuntimeException ignored) {
                    // fall through to the parser's own report
                }
            }
            throw new EntryRejectedException(List.of(new Violation(e.path(), e.rule())));
        }
    }

    /**
     * Checks the rules beyond the schema for the submission at {@code path}, each rule as far as
     * the members it reads passed the schema, so that they are reported together with the schema's
     * findings.
     *
     * @param canonicalChecked whether the whole document passed {@link CanonicalJson#check} already
     * @return the submission, or null if it or anything found before at {@code path} broke a rule
     */
    private Submission checkRules(JsonNode node, String path, Instant now, Violations violations,
                                  boolean canonicalChecked) {
        if (!node.isObject()) {
            return null;
        }
        String kindPath = CanonicalJson.childPath(path, "kind");
        String contractorPath = CanonicalJson.childPath(path, "contractor");
        String bodyPath = CanonicalJson.childPath(path, "body");
        EntryKind kind = violations.has(kindPath) || !node.path("kind").isTextual()
                ? null : EntryKind.fromWire(node.get("kind").textValue()).orElse(null);
        String contractor = violations.has(contractorPath) || !node.path("contractor").isTextual()
                ? null : node.get("contractor").textValue();
        JsonNode body = node.path("body");

        if (kind == EntryKind.POLICY_PUBLISHED && contractor != null && !contractor.equals(SYSTEM_CONTRACTOR)) {
            violations.add(contractorPath, "policy.published entries must have contractor " + SYSTEM_CONTRACTOR);
        } else if (kind != null && kind != EntryKind.POLICY_PUBLISHED && SYSTEM_CONTRACTOR.equals(contractor)) {
            violations.add(contractorPath, SYSTEM_CONTRACTOR + " is only for policy.published entries");
        }
        if (!body.isObject()) {
            return null;
        }
        Instant occurredAt = instant(body, bodyPath, "occurred_at", violations);
        if (occurredAt != null && occurredAt.isAfter(now.plus(CLOCK_SKEW))) {
            violations.add(CanonicalJson.childPath(bodyPath, "occurred_at"), "must not be in the future (more than "
                    + CLOCK_SKEW.toMinutes() + " minutes after the ledger's clock, " + now + ")");
        }
        if (kind == EntryKind.CREDENTIAL_ISSUED) {
            Instant validFrom = instant(body, bodyPath, "valid_from", violations);
            Instant validUntil = instant(body, bodyPath, "valid_until", violations);
            if (validFrom != null && validUntil != null && !validUntil.isAfter(validFrom)) {
                violations.add(CanonicalJson.childPath(bodyPath, "valid_until"), "must be after valid_from");
            }
        } else if (kind == EntryKind.DISPUTE_RESOLVED) {
            long disputeSeq = integer(body, bodyPath, "dispute_seq", violations);
            long targetSeq = integer(body, bodyPath, "target_seq", violations);
            if (disputeSeq >= 0 && targetSeq >= 0 && disputeSeq <= targetSeq) {
                violations.add(CanonicalJson.childPath(bodyPath, "dispute_seq"),
                        "must be after target_seq (a dispute follows its target)");
            }
        }

        Map<String, String> personal = personal(node, path, kind, violations);

        byte[] bodyBytes = canonicalBytes(body, bodyPath, violations, canonicalChecked);
        if (bodyBytes == null || violations.hasAtOrUnder(path) || kind == null || contractor == null) {
            return null;
        }
        EntryBody typed;
        try {
            typed = Bodies.parse(kind, body, bodyPath);
        } catch (Bodies.MalformedBodyException e) {
            // The schema should have caught it; report rather than fail.
            violations.add(e.path(), e.rule());
            return null;
        }
        return new Submission(kind, contractor, node.get("event_id").textValue(), typed, bodyBytes, personal);
    }

    /** The submission's personal data by field, checking the rules the schema cannot state. */
    private Map<String, String> personal(JsonNode node, String path, EntryKind kind, Violations violations) {
        String personalPath = CanonicalJson.childPath(path, "personal");
        String sealedPath = CanonicalJson.childPath(CanonicalJson.childPath(path, "body"), "personal");
        if (node.path("body").has("personal")) {
            violations.add(sealedPath, "is written by the ledger when it seals personal data; send personal data"
                    + " in the submission's personal member instead");
        }
        JsonNode personal = node.get("personal");
        if (personal == null) {
            if (kind == EntryKind.CONTRACTOR_PROFILE) {
                violations.add(personalPath, "required: a contractor.profile carries at least one of "
                        + PersonalFields.allowed(kind));
            }
            return Map.of();
        }
        if (!personalData) {
            violations.add(personalPath, "personal data is accepted only by the service's POST /v1/entries, which"
                    + " seals it into its vault; this path cannot keep it out of the log");
            return Map.of();
        }
        if (!personal.isObject() || violations.hasAtOrUnder(personalPath) || kind == null) {
            return Map.of();
        }
        Map<String, String> values = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : personal.properties()) {
            if (!PersonalFields.allowed(kind).contains(field.getKey())) {
                violations.add(CanonicalJson.childPath(personalPath, field.getKey()), PersonalFields.allowed(kind).isEmpty()
                        ? kind + " takes no personal data"
                        : "not a personal field of " + kind + "; it takes " + PersonalFields.allowed(kind));
            } else {
                values.put(field.getKey(), field.getValue().textValue());
            }
        }
        return values;
    }

    /** The body's canonical bytes if it can be canonicalized, adding a violation if it is too large. */
    private static byte[] canonicalBytes(JsonNode body, String bodyPath, Violations violations,
                                         boolean canonicalChecked) {
        if (!canonicalChecked) {
            try {
                CanonicalJson.check(body, bodyPath);
            } catch (InvalidJsonException e) {
                return null; // reported already
            }
        }
        CanonicalWriter out = new CanonicalWriter(512);
        CanonicalJson.write(body, out);
        if (out.size() > MAX_BODY_BYTES) {
            violations.add(bodyPath, "too large: " + out.size() + " bytes in canonical form, at most " + MAX_BODY_BYTES);
            return null;
        }
        return out.toByteArray();
    }

    /** The time in member {@code name} of {@code body}, or null if absent or found wrong already. */
    private static Instant instant(JsonNode body, String bodyPath, String name, Violations violations) {
        JsonNode value = body.get(name);
        if (value == null || !value.isTextual() || violations.has(CanonicalJson.childPath(bodyPath, name))) {
            return null;
        }
        try {
            return Timestamps.parseInstant(value.textValue());
        } catch (java.time.format.DateTimeParseException e) {
            return null; // the schema's pattern and format rules report it
        }
    }

    /** The non-negative integer in member {@code name}, or -1 if absent or found wrong already. */
    private static long integer(JsonNode body, String bodyPath, String name, Violations violations) {
        JsonNode value = body.get(name);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || violations.has(CanonicalJson.childPath(bodyPath, name))) {
            return -1;
        }
        return value.longValue();
    }

    /** The clock this validator judges "the future" by. */
    public Clock clock() {
        return clock;
    }
}
