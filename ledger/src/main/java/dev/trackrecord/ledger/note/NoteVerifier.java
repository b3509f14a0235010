package dev.trackrecord.ledger.note;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A named Ed25519 public key that checks signatures on notes: what a bundle verifier, a
 * peer or a client is configured with.
 *
 * <p>Published as a C2SP verifier key ("vkey", signed-note §Verifier keys; Go's
 * {@code note.NewVerifier} form): {@code <name>+<8 hex key ID>+base64(0x01 || 32-byte key)},
 * e.g. {@code PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW}.
 *
 * <p>Immutable and thread-safe: each verification uses its own {@link Ed25519Signer}.
 */
public final class NoteVerifier {

    /** Signature type byte of Ed25519 (signed-note §Signature types). */
    static final byte ALGORITHM_ED25519 = 0x01;

    static final int PUBLIC_KEY_SIZE = Ed25519PublicKeyParameters.KEY_SIZE;

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final Ed25519PublicKeyParameters parameters;

    private NoteVerifier(String name, byte[] publicKey, Ed25519PublicKeyParameters parameters) {
        this.name = name;
        this.publicKey = publicKey;
        this.parameters = parameters;
        this.keyId = keyId(name, publicKey);
    }

    /**
     * Returns the verifier for an Ed25519 public key under {@code name}.
     *
     * @throws IllegalArgumentException if the name is not a valid key name or the key is
     *     not 32 bytes encoding a point on the curve
     */
    public static NoteVerifier ofEd25519(String name, byte[] publicKey) {
        NoteSyntax.requireKeyName(name);
        if (publicKey.length != PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException(
                    "Ed25519 public key is " + publicKey.length + " bytes, not " + PUBLIC_KEY_SIZE);
        }
        byte[] copy = publicKey.clone();
        return new NoteVerifier(name, copy, new Ed25519PublicKeyParameters(copy));
    }

    /**
     * Parses a verifier key in C2SP text form, checking that the stated key ID is the one the
     * name and key hash to, so a key cannot be published under another key's ID.
     */
    public static NoteVerifier parse(String text) throws NoteException {
        String[] parts = splitKey(text, "verifier key");
        String name = parts[0];
        byte[] key = decodeKeyMaterial(parts, "verifier key");
        return fromKeyMaterial(name, parts[1], key);
    }

    /** Splits {@code name+hex+base64}; base64 may itself contain '+', a name may not. */
    static String[] splitKey(String text, String what) throws NoteException {
        int first = text.indexOf('+');
        int second = first < 0 ? -1 : text.indexOf('+', first + 1);
        if (second < 0) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY,
                    what + " is not of the form <name>+<8 hex key ID>+<base64 key>");
        }
        String name = text.substring(0, first);
        Optional<String> nameProblem = NoteSyntax.keyNameProblem(name);
        if (nameProblem.isPresent()) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY, what + ": " + nameProblem.get());
        }
        String hex = text.substring(first + 1, second);
        if (!hex.matches("[0-9a-f]{8}")) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY,
                    what + ": key ID \"" + hex + "\" is not 8 lowercase hex digits");
        }
        return new String[] {name, hex, text.substring(second + 1)};
    }

    /** Decodes {@code base64(0x01 || 32 bytes)}, returning the 32 bytes. */
    static byte[] decodeKeyMaterial(String[] parts, String what) throws NoteException {
        byte[] material = NoteSyntax.decodeBase64(parts[2]).orElseThrow(() -> new NoteException(
                NoteException.Reason.MALFORMED_KEY, what + ": key is not canonical standard base64"));
        if (material.length == 0) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY, what + ": key is empty");
        }
        if (material[0] != ALGORITHM_ED25519) {
            throw new NoteException(NoteException.Reason.UNSUPPORTED_KEY_ALGORITHM,
                    what + ": signature type 0x" + String.format("%02x", material[0] & 0xFF)
                            + " is not Ed25519 (0x01)");
        }
        if (material.length != 1 + PUBLIC_KEY_SIZE) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY,
                    what + ": Ed25519 key is " + (material.length - 1) + " bytes, not " + PUBLIC_KEY_SIZE);
        }
        return Arrays.copyOfRange(material, 1, material.length);
    }

    /** Builds the verifier and checks the stated key ID against the computed one. */
    static NoteVerifier fromKeyMaterial(String name, String statedHex, byte[] publicKey) throws NoteException {
        Ed25519PublicKeyParameters parameters;
        try {
            parameters = new Ed25519PublicKeyParameters(publicKey);
        } catch (IllegalArgumentException e) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY,
                    "verifier key: not a valid Ed25519 public key");
        }
        NoteVerifier verifier = new NoteVerifier(name, publicKey, parameters);
        checkKeyId(verifier, statedHex);
        return verifier;
    }

    static void checkKeyId(NoteVerifier verifier, String statedHex) throws NoteException {
        String computed = NoteSyntax.hex(verifier.keyId);
        if (!computed.equals(statedHex)) {
            throw new NoteException(NoteException.Reason.KEY_ID_MISMATCH,
                    "key " + verifier.name + " states key ID " + statedHex + " but its name and public key give "
                            + computed);
        }
    }

    /**
     * The key ID: the first four bytes, big-endian, of
     * SHA-256(key name || 0x0A || 0x01 || 32-byte public key). signed-note §Ed25519 signatures.
     */
    static int keyId(String name, byte[] publicKey) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        sha256.update(name.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        sha256.update(ALGORITHM_ED25519);
        byte[] digest = sha256.digest(publicKey);
        return ((digest[0] & 0xFF) << 24) | ((digest[1] & 0xFF) << 16) | ((digest[2] & 0xFF) << 8) | (digest[3] & 0xFF);
    }

    /** The key name; for a log's key, the checkpoint origin. */
    public String name() {
        return name;
    }

    /** The key ID, an unsigned 32-bit value held in an int (print it with %08x). */
    public int keyId() {
        return keyId;
    }

    /** The 32-byte RFC 8032 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The C2SP verifier key text, {@code name+<8 hex key ID>+base64(0x01 || key)}. */
    public String text() {
        byte[] material = new byte[1 + PUBLIC_KEY_SIZE];
        material[0] = ALGORITHM_ED25519;
        System.arraycopy(publicKey, 0, material, 1, PUBLIC_KEY_SIZE);
        return name + "+" + NoteSyntax.hex(keyId) + "+" + NoteSyntax.base64(material);
    }

    /** {@code name+keyid}, how signed-note identifies a key in messages. */
    String label() {
        return name + "+" + NoteSyntax.hex(keyId);
    }

    /** Reports whether {@code signature} (64 bytes, no key ID) is this key's over {@code message}. */
    boolean verify(byte[] message, byte[] signature) {
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, parameters);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NoteVerifier that && name.equals(that.name) && Arrays.equals(publicKey, that.publicKey);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(publicKey);
    }

    /** The verifier key text; a public key is safe to log. */
    @Override
    public String toString() {
        return text();
    }
}
