package dev.trackrecord.api.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Which shard holds a contractor: a stable hash every node and producer computes alike. */
public final class Shards {
    private Shards() {
    }

    /**
     * The shard of {@code contractor} among {@code shards}: the first 4 bytes of SHA-256 of its
     * UTF-8 id, read as an unsigned big-endian number, modulo {@code shards}. Requires shards >= 1.
     */
    public static int shardOf(String contractor, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, was " + shards);
        }
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(contractor.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
        long first4 = ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
        return (int) (first4 % shards);
    }

    /** The origin of shard {@code n} of the log {@code origin}. */
    public static String origin(String origin, int n) {
        return origin + "/shard-" + n;
    }
}
