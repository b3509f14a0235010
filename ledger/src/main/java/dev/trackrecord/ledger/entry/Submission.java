package dev.trackrecord.ledger.entry;

import java.nio.charset.StandardCharsets;
import dev.trackrecord.ledger.json.CanonicalWriter;
import java.time.Instant;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.InvalidJsonException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A submission that passed {@link SubmissionValidator}: what a client asked to append, before the
 * ledger assigns seq, ts, source, prev and cprev.
 *
 * <p>{@code bodyBytes} is copied in and out, and takes part in equals and hashCode by content.
 *
 * @param body      the body as typed values
 * @param bodyBytes the body's RFC 8785 canonical bytes, as they will appear in the entry
 * @param personal  personal data in the clear, by field name (personal.schema.json), that must be
 *                  sealed into the vault ({@link #sealed}) before the submission is appended; empty
 *                  for most submissions. Never part of the entry.
 */
public record Submission(EntryKind kind, String contractor, String eventId, EntryBody body, byte[] bodyBytes,
                         Map<String, String> personal) {

    public Submission {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(contractor, "contractor");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(body, "body");
        if (body.kind() != kind) {
            throw new IllegalArgumentException("body is a " + body.kind() + ", not a " + kind);
        }
        bodyBytes = Objects.requireNonNull(bodyBytes, "bodyBytes").clone();
        personal = Collections.unmodifiableSortedMap(new TreeMap<>(personal));
    }

    /** A submission without personal data. */
    public Submission(EntryKind kind, String contractor, String eventId, EntryBody body, byte[] bodyBytes) {
        this(kind, contractor, eventId, body, bodyBytes, Map.of());
    }

    /** Whether it carries personal data that must be sealed before it is appended. */
    public boolean hasPersonalData() {
        return !personal.isEmpty();
    }

    /**
     * This submission with its personal data sealed: the body gains
     * {@code "personal":{"fields":{name: commitment},"key":key}} and the clear values are dropped.
     *
     * @param commitments one lowercase-hex commitment for each personal field, no more
     * @throws IllegalArgumentException if the commitments do not name exactly the personal fields,
     *                                  or the sealed body would exceed {@link SubmissionValidator#MAX_BODY_BYTES}
     */
    public Submission sealed(String key, Map<String, String> commitments) {
        if (!commitments.keySet().equals(personal.keySet())) {
            throw new IllegalArgumentException("commitments must name exactly the personal fields " + personal.keySet()
                    + ", named " + commitments.keySet());
        }
        try {
            ObjectNode node = (ObjectNode) CanonicalJson.parse(bodyBytes);
            ObjectNode sealed = node.putObject("personal");
            sealed.put("key", key);
            ObjectNode fields = sealed.putObject("fields");
            new TreeMap<>(commitments).forEach(fields::put);
            byte[] bytes = CanonicalJson.canonicalize(node);
            if (bytes.length > SubmissionValidator.MAX_BODY_BYTES) {
                throw new IllegalArgumentException("body too large once sealed: " + bytes.length + " bytes, at most "
                        + SubmissionValidator.MAX_BODY_BYTES);
            }
            return new Submission(kind, contractor, eventId, body, bytes, Map.of());
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("a validated body is not canonical JSON: " + e.getMessage(), e);
        }
    }

    /** A copy of the body's canonical bytes. */
    @Override
    public byte[] bodyBytes() {
        return bodyBytes.clone();
    }

    /** The entry this submission becomes at {@code seq}; see {@link Entry} for the requirements. */
    public Entry toEntry(long seq, Instant ts, String source, byte[] prev, long cprev) {
        return new Entry(seq, ts, kind, contractor, eventId, source, prev, cprev, bodyBytes);
    }

    /**
     * Writes the canonical bytes of {@code toEntry(seq, ts, source, prev, cprev)} into
     * {@code out} without building the entry: the ledger's writer does this for every append.
     * Requires 0 <= cprev < seq or cprev = -1, a 32-byte prev (zeros at seq 0), and a source
     * that is a valid principal name.
     */
    public void writeEntry(CanonicalWriter out, long seq, long tsMillis, String source, byte[] prev, long cprev) {
        if (prev.length != Entry.HASH_BYTES || cprev < -1 || cprev >= seq) {
            throw new IllegalArgumentException("prev must be 32 bytes and cprev between -1 and seq - 1");
        }
        Entry.write(out, seq, tsMillis, kind, contractor, eventId, source, prev, cprev, bodyBytes);
    }

    /** Whether {@code other} has the same kind, contractor and body (its event id is not compared). */
    public boolean sameEntryAs(Submission other) {
        return kind == other.kind && contractor.equals(other.contractor) && Arrays.equals(bodyBytes, other.bodyBytes);
    }

    /** Whether the body's canonical bytes equal {@code body}. */
    public boolean bodyEquals(byte[] body) {
        return Arrays.equals(bodyBytes, body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Submission that
                && kind == that.kind
                && contractor.equals(that.contractor)
                && eventId.equals(that.eventId)
                && body.equals(that.body)
                && Arrays.equals(bodyBytes, that.bodyBytes)
                && personal.equals(that.personal);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, contractor, eventId, body, Arrays.hashCode(bodyBytes), personal);
    }

    @Override
    public String toString() {
        return "Submission[kind=" + kind + ", contractor=" + contractor + ", eventId=" + eventId
                + ", body=" + new String(bodyBytes, StandardCharsets.UTF_8)
                // Never the values: this string may reach a log.
                + (personal.isEmpty() ? "" : ", personal fields=" + personal.keySet()) + "]";
    }
}
