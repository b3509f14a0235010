package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code dispute.resolved}: the outcome of the dispute opened at {@code disputeSeq} about the entry
 * at {@code targetSeq}. {@link Resolution#UPHELD} voids the target's effect on scores.
 */
public record DisputeResolved(Instant occurredAt, long disputeSeq, long targetSeq, Resolution resolution,
                              String reasonCode) implements EntryBody {

    public DisputeResolved {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(resolution, "resolution");
        Objects.requireNonNull(reasonCode, "reasonCode");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.DISPUTE_RESOLVED;
    }

    public enum Resolution {
        UPHELD, REJECTED;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Resolution> fromWire(String wire) {
            return Wire.lookup(values(), Resolution::wire, wire);
        }
    }
}
