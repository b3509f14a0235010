package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code personal.shredded}: vault keys of the contractor whose retention ended were destroyed, so
 * the personal data sealed in the entries at {@code seqs} can no longer be read. Written by the
 * service's retention job; does not move scores.
 */
public record PersonalShredded(Instant occurredAt, List<String> keys, List<Long> seqs) implements EntryBody {

    public PersonalShredded {
        Objects.requireNonNull(occurredAt, "occurredAt");
        keys = List.copyOf(keys);
        seqs = List.copyOf(seqs);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.PERSONAL_SHREDDED;
    }
}
