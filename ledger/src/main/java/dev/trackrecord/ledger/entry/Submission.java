package dev.trackrecord.ledger.entry;

import java.nio.charset.StandardCharsets;
import dev.trackrecord.ledger.json.CanonicalWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A submission that passed {@link SubmissionValidator}: what a client asked to append, before the
 * ledger assigns seq, ts, source, prev and cprev.
 *
 * <p>{@code bodyBytes} is copied in and out, and takes part in equals and hashCode by content.
 *
 * @param body      the body as typed values
 * @param bodyBytes the body's RFC 8785 canonical bytes, as they will appear in the entry
 */
public record Submission(EntryKind kind, String contractor, String eventId, EntryBody body, byte[] bodyBytes) {

    public Submission {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(contractor, "contractor");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(body, "body");
        if (body.kind() != kind) {
            throw new IllegalArgumentException("body is a " + body.kind() + ", not a " + kind);
        }
        bodyBytes = Objects.requireNonNull(bodyBytes, "bodyBytes").clone();
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
                && Arrays.equals(bodyBytes, that.bodyBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, contractor, eventId, body, Arrays.hashCode(bodyBytes));
    }

    @Override
    public String toString() {
        return "Submission[kind=" + kind + ", contractor=" + contractor + ", eventId=" + eventId
                + ", body=" + new String(bodyBytes, StandardCharsets.UTF_8) + "]";
    }
}
