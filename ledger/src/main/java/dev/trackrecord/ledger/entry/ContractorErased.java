package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code contractor.erased}: every vault key of the contractor was destroyed, so the personal data
 * sealed in the entries at {@code seqs} can no longer be read. Written by the service's erasure
 * route; does not move scores.
 *
 * @param keys the vault key ids destroyed
 */
public record ContractorErased(Instant occurredAt, String reasonCode, List<String> keys, List<Long> seqs)
        implements EntryBody {

    public ContractorErased {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(reasonCode, "reasonCode");
        keys = List.copyOf(keys);
        seqs = List.copyOf(seqs);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CONTRACTOR_ERASED;
    }
}
