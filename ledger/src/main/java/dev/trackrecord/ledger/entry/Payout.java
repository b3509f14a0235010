package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code payout}: a payment to the contractor for the listed tasks. A reversal is a new entry with
 * the same {@code payoutId} and status {@link Status#REVERSED}.
 *
 * @param amountMinor the amount in minor units of {@code currency}, never negative
 */
public record Payout(Instant occurredAt, String payoutId, List<String> taskIds, long amountMinor, String currency,
                     Status status) implements EntryBody {

    public Payout {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(payoutId, "payoutId");
        taskIds = List.copyOf(taskIds);
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.PAYOUT;
    }

    public enum Status {
        INITIATED, SETTLED, REVERSED;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Status> fromWire(String wire) {
            return Wire.lookup(values(), Status::wire, wire);
        }
    }
}
