package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Reads JSON bodies into {@link EntryBody} records. It checks only what the records need (members
 * present, of the right JSON type, enum values known); patterns and ranges are the schema's job.
 */
final class Bodies {
    /**
     * One shared instance of each skill code seen, up to this many codes. A marketplace has tens
     * of skills and millions of entries naming them: the reputation index finds a skill among a
     * contractor's by comparing codes, which for the same instance ends at the reference check
     * instead of reading a copy made by some earlier entry from wherever it lies in the heap.
     */
    private static final int SKILL_CODES = 4096;
    private static final ConcurrentHashMap<String, String> CODES = new ConcurrentHashMap<>();

    private Bodies() {
    }

    /** The shared instance of {@code code}; {@code code} itself once {@link #SKILL_CODES} are shared. */
    static String canonicalCode(String code) {
        String shared = CODES.get(code);
        if (shared != null) {
            return shared;
        }
        if (CODES.size() >= SKILL_CODES) {
            return code;
        }
        shared = CODES.putIfAbsent(code, code);
        return shared != null ? shared : code;
    }

    /**
     * @param path the JSONPath of {@code body}, for messages
     * @throws MalformedBodyException naming the first member the record cannot be built from
     */
    static EntryBody parse(EntryKind kind, JsonNode body, String path) {
        Reader r = new Reader(body, path);
        return switch (kind) {
            case TASK_OUTCOME -> new TaskOutcome(r.instant("occurred_at"), r.string("task_id"), r.string("project_id"),
                    r.codes("skills"), r.choice("outcome", TaskOutcome.Outcome::fromWire), r.integer("duration_s"),
                    r.bool("late"), r.optionalInstant("due_at"), r.integer("value_minor"), r.string("currency"));
            case AUDIT_RESULT -> new AuditResult(r.instant("occurred_at"), r.string("audit_id"), r.string("task_id"),
                    r.choice("method", AuditResult.Method::fromWire), r.string("auditor"),
                    r.choice("verdict", AuditResult.Verdict::fromWire), r.integer("score_bp"),
                    r.optionalCodes("skills"), r.strings("error_tags"), r.string("evidence_sha256"),
                    r.optionalInteger("items"));
            case PAYOUT -> new Payout(r.instant("occurred_at"), r.string("payout_id"), r.strings("task_ids"),
                    r.integer("amount_minor"), r.string("currency"), r.choice("status", Payout.Status::fromWire));
            case CREDENTIAL_ISSUED -> new CredentialIssued(r.instant("occurred_at"), r.string("credential_id"),
                    r.string("type"), r.string("issuer"), r.string("evidence_sha256"), r.instant("valid_from"),
                    r.optionalInstant("valid_until"));
            case CREDENTIAL_REVOKED -> new CredentialRevoked(r.instant("occurred_at"), r.string("credential_id"),
                    r.string("reason_code"));
            case CONTRACTOR_STATUS -> new ContractorStatus(r.instant("occurred_at"),
                    r.choice("status", ContractorStatus.Status::fromWire), r.string("reason_code"));
            case DISPUTE_OPENED -> new DisputeOpened(r.instant("occurred_at"), r.integer("target_seq"),
                    r.choice("reason_code", DisputeOpened.ReasonCode::fromWire), r.string("reason"));
            case DISPUTE_RESOLVED -> new DisputeResolved(r.instant("occurred_at"), r.integer("dispute_seq"),
                    r.integer("target_seq"), r.choice("resolution", DisputeResolved.Resolution::fromWire),
                    r.string("reason_code"));
            case POLICY_PUBLISHED -> new PolicyPublished(r.instant("occurred_at"), r.string("policy_id"),
                    r.integers("params"));
            case CONTRACTOR_PROFILE -> new ContractorProfile(r.instant("occurred_at"));
            case CONTRACTOR_ERASED -> new ContractorErased(r.instant("occurred_at"), r.string("reason_code"),
                    r.strings("keys"), r.longs("seqs"));
            case PERSONAL_SHREDDED -> new PersonalShredded(r.instant("occurred_at"), r.strings("keys"),
                    r.longs("seqs"));
        };
    }

    /** A body member that a record cannot be built from. */
    static final class MalformedBodyException extends IllegalArgumentException {
        private final String path;
        private final String rule;

        MalformedBodyException(String path, String rule) {
            super(path + ": " + rule);
            this.path = path;
            this.rule = rule;
        }

        String path() {
            return path;
        }

        String rule() {
            return rule;
        }
    }

    private static final class Reader {
        private final JsonNode body;
        private final String path;

        Reader(JsonNode body, String path) {
            if (body == null || !body.isObject()) {
                throw new MalformedBodyException(path, "must be an object");
            }
            this.body = body;
            this.path = path;
        }

        private JsonNode member(String name) {
            JsonNode value = body.get(name);
            if (value == null || value.isNull()) {
                throw new MalformedBodyException(at(name), "required");
            }
            return value;
        }

        private String at(String name) {
            return CanonicalJson.childPath(path, name);
        }

        String string(String name) {
            JsonNode value = member(name);
            if (!value.isTextual()) {
                throw new MalformedBodyException(at(name), "must be a string");
            }
            return value.textValue();
        }

        long integer(String name) {
            return integer(member(name), at(name));
        }

        private static long integer(JsonNode value, String path) {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw new MalformedBodyException(path, "must be an integer");
            }
            return value.longValue();
        }

        OptionalLong optionalInteger(String name) {
            return body.has(name) ? OptionalLong.of(integer(name)) : OptionalLong.empty();
        }

        boolean bool(String name) {
            JsonNode value = member(name);
            if (!value.isBoolean()) {
                throw new MalformedBodyException(at(name), "must be true or false");
            }
            return value.booleanValue();
        }

        Instant instant(String name) {
            String text = string(name);
            try {
                return Timestamps.parseInstant(text);
            } catch (DateTimeParseException e) {
                throw new MalformedBodyException(at(name), "must be an RFC 3339 date-time in UTC");
            }
        }

        Optional<Instant> optionalInstant(String name) {
            return body.has(name) ? Optional.of(instant(name)) : Optional.empty();
        }

        List<String> strings(String name) {
            JsonNode value = member(name);
            if (!value.isArray()) {
                throw new MalformedBodyException(at(name), "must be an array of strings");
            }
            List<String> list = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isTextual()) {
                    throw new MalformedBodyException(at(name) + "[" + i + "]", "must be a string");
                }
                list.add(item.textValue());
            }
            return list;
        }

        /** {@link #strings}, each the shared instance of its code ({@link Bodies#canonicalCode}). */
        List<String> codes(String name) {
            List<String> list = strings(name);
            list.replaceAll(Bodies::canonicalCode);
            return list;
        }

        List<String> optionalCodes(String name) {
            return body.has(name) ? codes(name) : List.of();
        }

        List<Long> longs(String name) {
            JsonNode value = member(name);
            if (!value.isArray()) {
                throw new MalformedBodyException(at(name), "must be an array of integers");
            }
            List<Long> list = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                list.add(integer(value.get(i), at(name) + "[" + i + "]"));
            }
            return list;
        }

        <E> E choice(String name, Function<String, Optional<E>> fromWire) {
            String text = string(name);
            return fromWire.apply(text).orElseThrow(() -> new MalformedBodyException(at(name), "unknown value"));
        }

        Map<String, Long> integers(String name) {
            JsonNode value = member(name);
            if (!value.isObject()) {
                throw new MalformedBodyException(at(name), "must be an object of integers");
            }
            Map<String, Long> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                map.put(field.getKey(), integer(field.getValue(), CanonicalJson.childPath(at(name), field.getKey())));
            }
            return map;
        }
    }
}
