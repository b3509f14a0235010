package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.ContractorStatus;
import dev.trackrecord.ledger.entry.EntryKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A contractor's reputation as of one point of the log, evaluated at one time under one policy.
 *
 * @param asOfSeq     the last seq of the log the scores include
 * @param evaluatedAt the time the decay was evaluated at
 * @param skills      per skill, in skill order
 * @param credentials the credentials valid at {@code evaluatedAt} and not revoked
 * @param explanation the entries that moved the overall score most, largest effect first; empty
 *                    unless asked for
 */
public record Reputation(String contractor, String policyId, long asOfSeq, Instant evaluatedAt,
                         ContractorStatus.Status status, Score overall, Map<String, Score> skills,
                         List<Credential> credentials, List<Effect> explanation) {

    public Reputation {
        skills = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(skills));
        credentials = List.copyOf(credentials);
        explanation = List.copyOf(explanation);
    }

    /** Whether routing queries may return this contractor: only active ones. */
    public boolean routable() {
        return status == ContractorStatus.Status.ACTIVE;
    }

    /** A credential valid at evaluation time. */
    public record Credential(String credentialId, String type, String issuer, Instant validFrom,
                             Optional<Instant> validUntil, long seq) {
    }

    /**
     * What one entry did to the overall score: {@code effect} is the score with it minus the score
     * without it (leave-one-out, under the same policy and evaluation time). An entry voided by an
     * upheld dispute has effect 0 and names the dispute's seq in {@code voidedBy}.
     */
    public record Effect(long seq, EntryKind kind, Instant occurredAt, double effect, long voidedBy) {
    }
}
