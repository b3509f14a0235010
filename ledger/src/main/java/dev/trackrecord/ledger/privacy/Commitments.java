package dev.trackrecord.ledger.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The salted commitment an entry holds instead of a personal value:
 * {@code HMAC-SHA-256(key = salt, message = UTF-8(field) || 0x00 || UTF-8(value))}, lowercase hex.
 * Whoever holds the value and the salt can show that it matches; without the salt the commitment
 * reveals nothing a guess could be checked against.
 */
public final class Commitments {
    /** Bytes of a salt. */
    public static final int SALT_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    private Commitments() {
    }

    /** The commitment to {@code value} of {@code field} under {@code salt}. */
    public static String commit(byte[] salt, String field, String value) {
        if (salt.length != SALT_BYTES) {
            throw new IllegalArgumentException("salt must be " + SALT_BYTES + " bytes, was " + salt.length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            mac.update(field.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HEX.formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** One commitment for each field of {@code values}, in field order. */
    public static Map<String, String> commitAll(byte[] salt, Map<String, String> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((field, value) -> out.put(field, commit(salt, field, value)));
        return out;
    }

    /** Whether {@code value} of {@code field} under {@code salt} gives {@code commitment}, compared in constant time. */
    public static boolean matches(byte[] salt, String field, String value, String commitment) {
        return MessageDigest.isEqual(commit(salt, field, value).getBytes(StandardCharsets.US_ASCII),
                commitment.getBytes(StandardCharsets.US_ASCII));
    }
}
