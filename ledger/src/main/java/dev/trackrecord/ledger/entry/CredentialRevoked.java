package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Objects;

/** {@code credential.revoked}: the credential stops being valid from {@code occurredAt} on. */
public record CredentialRevoked(Instant occurredAt, String credentialId, String reasonCode) implements EntryBody {

    public CredentialRevoked {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(reasonCode, "reasonCode");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CREDENTIAL_REVOKED;
    }
}
