package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Objects;

/**
 * {@code contractor.profile}: who the pseudonymous contractor is. The legal name, e-mail, tax id
 * and address travel in the submission's personal member and are sealed into the vault; the
 * stored body holds only their commitments ({@code body.personal}). Does not move scores.
 */
public record ContractorProfile(Instant occurredAt) implements EntryBody {

    public ContractorProfile {
        Objects.requireNonNull(occurredAt, "occurredAt");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CONTRACTOR_PROFILE;
    }
}
