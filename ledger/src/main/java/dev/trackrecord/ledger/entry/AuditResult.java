package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code audit.result}: the result of auditing the contractor's work on one task.
 *
 * @param auditor        who or what audited: a reviewer's pseudonym, a service, a model
 * @param scoreBp        the score in basis points, 0 to 10000
 * @param skills         the skills the result is about; empty when the body names none
 * @param errorTags      codes of the errors found, possibly none
 * @param evidenceSha256 SHA-256 (lowercase hex) of the evidence kept outside the ledger
 * @param items          how many items the audit covered, when the body says
 */
public record AuditResult(Instant occurredAt, String auditId, String taskId, Method method, String auditor,
                          Verdict verdict, long scoreBp, List<String> skills, List<String> errorTags,
                          String evidenceSha256, OptionalLong items) implements EntryBody {

    public AuditResult {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(auditId, "auditId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(auditor, "auditor");
        Objects.requireNonNull(verdict, "verdict");
        skills = List.copyOf(skills);
        errorTags = List.copyOf(errorTags);
        Objects.requireNonNull(evidenceSha256, "evidenceSha256");
        Objects.requireNonNull(items, "items");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.AUDIT_RESULT;
    }

    /** How the work was audited; {@code consensus} results come from Dawid-Skene estimates. */
    public enum Method {
        GOLD, REVIEW, CONSENSUS, MODEL;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Method> fromWire(String wire) {
            return Wire.lookup(values(), Method::wire, wire);
        }
    }

    public enum Verdict {
        PASS, FAIL, PARTIAL;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Verdict> fromWire(String wire) {
            return Wire.lookup(values(), Verdict::wire, wire);
        }
    }
}
