package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code credential.issued}: a qualification, certification or check granted to the contractor.
 *
 * @param type           a code such as {@code medical-annotation-cert}
 * @param evidenceSha256 SHA-256 (lowercase hex) of the evidence kept outside the ledger
 * @param validUntil     the end of validity (exclusive), if it expires
 */
public record CredentialIssued(Instant occurredAt, String credentialId, String type, String issuer,
                               String evidenceSha256, Instant validFrom, Optional<Instant> validUntil)
        implements EntryBody {

    public CredentialIssued {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(evidenceSha256, "evidenceSha256");
        Objects.requireNonNull(validFrom, "validFrom");
        Objects.requireNonNull(validUntil, "validUntil");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CREDENTIAL_ISSUED;
    }

    /** Whether {@code time} lies in [validFrom, validUntil); revocations are separate entries. */
    public boolean validAt(Instant time) {
        return !time.isBefore(validFrom) && validUntil.map(time::isBefore).orElse(true);
    }
}
