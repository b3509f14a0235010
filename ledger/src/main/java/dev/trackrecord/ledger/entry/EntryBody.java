package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The kind-specific payload of an entry, as typed values. The JSON body, kept as canonical bytes
 * in {@link Submission} and {@link Entry}, stays the authority; these records are what scoring
 * and the service read.
 */
public sealed interface EntryBody permits TaskOutcome, AuditResult, Payout, CredentialIssued, CredentialRevoked,
        ContractorStatus, DisputeOpened, DisputeResolved, PolicyPublished, ContractorProfile, ContractorErased,
        PersonalShredded {

    EntryKind kind();

    /** When the event happened in the world; scoring and time decay use this, not the ledger's ts. */
    Instant occurredAt();

    /**
     * Builds the typed body of {@code kind} from a JSON body that passed the kind's schema.
     *
     * @throws IllegalArgumentException if a member the record needs is missing or of the wrong
     *                                  type; the message names it as a JSONPath from the body
     */
    static EntryBody from(EntryKind kind, JsonNode body) {
        return Bodies.parse(kind, body, "$");
    }
}
