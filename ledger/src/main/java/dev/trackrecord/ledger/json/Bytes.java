package dev.trackrecord.ledger.json;

/** Searching encoded JSON without decoding it, e.g. for a member that marks an entry's kind. */
public final class Bytes {
    private Bytes() {
    }

    /** Where {@code needle} first starts in {@code haystack}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
