package dev.trackrecord.ledger.store;

import java.time.Instant;
import java.util.HexFormat;

/**
 * What an acknowledged append answers: where the entry sits, its leaf hash and accept time.
 *
 * @param duplicate true when the event_id was already in the log and nothing was appended
 */
public record Appended(long seq, String leafHash, Instant ts, boolean duplicate) {
    static Appended of(long seq, byte[] leafHash, long tsMillis, boolean duplicate) {
        return new Appended(seq, HexFormat.of().formatHex(leafHash), Instant.ofEpochMilli(tsMillis), duplicate);
    }
}
