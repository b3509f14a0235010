package dev.trackrecord.ledger.store;

import java.time.Instant;
import java.util.HexFormat;

/**
 * What an acknowledged append answers: where the entry sits, its leaf hash and accept time.
 * {@code duplicate} is true when the event_id was already in the log and nothing was appended.
 */
public final class Appended {
    private final long seq;
    private final byte[] leafHash;
    private final Instant ts;
    private final boolean duplicate;

    Appended(long seq, byte[] leafHash, Instant ts, boolean duplicate) {
        this.seq = seq;
        this.leafHash = leafHash;
        this.ts = ts;
        this.duplicate = duplicate;
    }

    public long seq() {
        return seq;
    }

    /** The RFC 9162 leaf hash of the entry, lowercase hex. */
    public String leafHash() {
        return HexFormat.of().formatHex(leafHash);
    }

    byte[] leafHashBytes() {
        return leafHash;
    }

    /** When the ledger accepted the entry (millisecond precision). */
    public Instant ts() {
        return ts;
    }

    public boolean duplicate() {
        return duplicate;
    }

    @Override
    public String toString() {
        return "Appended[seq=" + seq + ", leafHash=" + leafHash() + ", ts=" + ts + ", duplicate=" + duplicate + "]";
    }
}
