package dev.trackrecord.ledger.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The hash functions of the RFC 9162 §2.1.1 Merkle tree with SHA-256: domain-separated
 * leaf and interior node hashes, and the root of the empty tree.
 *
 * <p>The 0x00 and 0x01 prefixes keep a leaf from being passed off as an interior node
 * (second-preimage attack on the tree). Each thread reuses one {@link MessageDigest},
 * since creating one costs more than hashing a few dozen bytes.
 */
public final class Rfc9162 {

    /** Length in bytes of every hash in the tree (SHA-256). */
    public static final int HASH_SIZE = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private static final MessageDigest PROTOTYPE = newSha256();
    private static final ThreadLocal<MessageDigest> DIGEST =
            ThreadLocal.withInitial(Rfc9162::cloneSha256);
    private static final byte[] EMPTY_ROOT = PROTOTYPE.digest(new byte[0]);

    private Rfc9162() {
    }

    /**
     * Returns the leaf hash SHA-256(0x00 ‖ data) of one entry (RFC 9162 §2.1.1).
     *
     * @param canonicalBytes the entry's canonical bytes
     */
    public static byte[] leafHash(byte[] canonicalBytes) {
        return leafHash(canonicalBytes, 0, canonicalBytes.length);
    }

    /**
     * Returns the leaf hash of {@code length} bytes of {@code bytes} starting at {@code offset},
     * so an entry can be hashed in place inside a larger batch buffer.
     * Requires {@code 0 <= offset <= offset + length <= bytes.length}.
     */
    public static byte[] leafHash(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        MessageDigest md = DIGEST.get();
        md.update(LEAF_PREFIX);
        md.update(bytes, offset, length);
        return md.digest();
    }

    /**
     * Returns the interior node hash SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1).
     * Requires both arguments to be 32-byte hashes.
     */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        requireHash(left, "left");
        requireHash(right, "right");
        return nodeHash(DIGEST.get(), left, right);
    }

    /** Returns the root of the empty tree, SHA-256 of the empty string (RFC 9162 §2.1.1). */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /** The calling thread's digest, for loops that hash many nodes. */
    static MessageDigest sha256() {
        return DIGEST.get();
    }

    /** {@link #nodeHash(byte[], byte[])} without argument checks, on a digest the caller holds. */
    static byte[] nodeHash(MessageDigest md, byte[] left, byte[] right) {
        md.update(NODE_PREFIX);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    static void requireHash(byte[] hash, String name) {
        Objects.requireNonNull(hash, name);
        if (hash.length != HASH_SIZE) {
            throw new IllegalArgumentException(
                    name + " must be a " + HASH_SIZE + "-byte hash, got " + hash.length + " bytes");
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    private static MessageDigest cloneSha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }
}
