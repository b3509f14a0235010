package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code dispute.opened}: the contractor disputes the entry at {@code targetSeq}.
 *
 * @param reason the contractor's explanation, free text of at most 2000 characters
 */
public record DisputeOpened(Instant occurredAt, long targetSeq, ReasonCode reasonCode, String reason)
        implements EntryBody {

    public DisputeOpened {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.DISPUTE_OPENED;
    }

    public enum ReasonCode {
        WRONG_OUTCOME, WRONG_AUDIT, NOT_MY_WORK, PAYOUT_ERROR, OTHER;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<ReasonCode> fromWire(String wire) {
            return Wire.lookup(values(), ReasonCode::wire, wire);
        }
    }
}
