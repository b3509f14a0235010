package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** {@code contractor.status}: a change of the contractor's standing. */
public record ContractorStatus(Instant occurredAt, Status status, String reasonCode) implements EntryBody {

    public ContractorStatus {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reasonCode, "reasonCode");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CONTRACTOR_STATUS;
    }

    /** Suspended and offboarded contractors score zero in routing queries. */
    public enum Status {
        ACTIVE, SUSPENDED, OFFBOARDED;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Status> fromWire(String wire) {
            return Wire.lookup(values(), Status::wire, wire);
        }
    }
}
