package dev.trackrecord.ledger.entry;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The kinds of ledger entry, each with the body schema {@code schemas/json/kinds/<wire name>.schema.json}. */
public enum EntryKind {
    TASK_OUTCOME("task.outcome"),
    AUDIT_RESULT("audit.result"),
    PAYOUT("payout"),
    CREDENTIAL_ISSUED("credential.issued"),
    CREDENTIAL_REVOKED("credential.revoked"),
    CONTRACTOR_STATUS("contractor.status"),
    DISPUTE_OPENED("dispute.opened"),
    DISPUTE_RESOLVED("dispute.resolved"),
    POLICY_PUBLISHED("policy.published"),
    CONTRACTOR_PROFILE("contractor.profile"),
    CONTRACTOR_ERASED("contractor.erased"),
    PERSONAL_SHREDDED("personal.shredded");

    private static final EntryKind[] VALUES = values();

    private final String wire;
    private final byte[] quotedUtf8;

    EntryKind(String wire) {
        this.wire = wire;
        this.quotedUtf8 = ('"' + wire + '"').getBytes(StandardCharsets.US_ASCII);
    }

    /** The name in JSON, e.g. {@code task.outcome}. */
    public String wire() {
        return wire;
    }

    /** The kind named {@code wire} in JSON, if there is one. */
    public static Optional<EntryKind> fromWire(String wire) {
        for (EntryKind kind : VALUES) {
            if (kind.wire.equals(wire)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The wire name as a canonical JSON string, for the envelope writer. */
    byte[] quotedUtf8() {
        return quotedUtf8;
    }

    @Override
    public String toString() {
        return wire;
    }
}
