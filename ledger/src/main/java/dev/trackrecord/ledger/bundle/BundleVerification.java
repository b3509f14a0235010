package dev.trackrecord.ledger.bundle;

import java.util.OptionalLong;

/**
 * What a verified bundle showed: {@code entryCount} entries, each included in the tree of
 * {@code treeSize} leaves whose root the log's key {@code keyText} signed for {@code origin},
 * and, when {@code consistentFrom} is present, that this tree extends the one the log signed at
 * that earlier size.
 */
public record BundleVerification(String origin, long treeSize, long entryCount, OptionalLong consistentFrom,
                                 String keyText, boolean keyTrusted, long personalRecords) {

    /** A verification of a bundle without personal.json. */
    public BundleVerification(String origin, long treeSize, long entryCount, OptionalLong consistentFrom,
                              String keyText, boolean keyTrusted) {
        this(origin, treeSize, entryCount, consistentFrom, keyText, keyTrusted, 0);
    }

    /** One line for a terminal. */
    public String summary() {
        return "OK: " + entryCount + (entryCount == 1 ? " entry" : " entries") + " of " + origin
                + " verified against the checkpoint at tree size " + treeSize
                + (consistentFrom.isPresent() ? ", consistent with tree size " + consistentFrom.getAsLong() : "")
                + (personalRecords > 0 ? ", " + personalRecords + " personal record(s) match their commitments" : "")
                + "; key " + keyText + (keyTrusted ? " (trusted)" : " (from the bundle; pass --key to pin it)");
    }
}
