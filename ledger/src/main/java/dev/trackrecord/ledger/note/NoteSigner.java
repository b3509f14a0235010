package dev.trackrecord.ledger.note;

import java.security.SecureRandom;
import java.util.Arrays;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A named Ed25519 private key that signs notes: the log's checkpoint key.
 *
 * <p>Stored either as its 32 raw bytes ({@link #privateKey()}, the RFC 8032 private key that
 * Go calls the seed) next to the name, or as the Go / C2SP signer key text
 * {@code PRIVATE+KEY+<name>+<8 hex key ID>+base64(0x01 || 32-byte private key)}, whose
 * "PRIVATE+KEY" prefix keeps it from being mistaken for the public verifier key.
 *
 * <p>Thread-safe: each signature uses its own {@link Ed25519Signer}, which costs an object
 * allocation and no key expansion, so concurrent checkpoint and on-demand signing need no lock.
 * {@link #toString()} never shows the private key.
 */
public final class NoteSigner {

    private static final String PRIVATE_KEY_PREFIX = "PRIVATE+KEY+";

    static final int PRIVATE_KEY_SIZE = Ed25519PrivateKeyParameters.KEY_SIZE;

    private final Ed25519PrivateKeyParameters privateKey;
    private final Ed25519PublicKeyParameters publicKey;
    private final NoteVerifier verifier;

    private NoteSigner(String name, Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey();
        this.verifier = NoteVerifier.ofEd25519(name, publicKey.getEncoded());
    }

    /**
     * Generates a new key named {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid key name (non-empty, no
     *     spaces, no '+', no control characters)
     */
    public static NoteSigner generate(String name, SecureRandom random) {
        NoteSyntax.requireKeyName(name);
        return new NoteSigner(name, new Ed25519PrivateKeyParameters(random));
    }

    /**
     * Loads a key from the 32 bytes {@link #privateKey()} returned.
     *
     * @throws IllegalArgumentException if the name is invalid or the key is not 32 bytes
     */
    public static NoteSigner fromPrivateKey(String name, byte[] privateKey) {
        NoteSyntax.requireKeyName(name);
        if (privateKey.length != PRIVATE_KEY_SIZE) {
            throw new IllegalArgumentException(
                    "Ed25519 private key is " + privateKey.length + " bytes, not " + PRIVATE_KEY_SIZE);
        }
        return new NoteSigner(name, new Ed25519PrivateKeyParameters(privateKey.clone()));
    }

    /**
     * Parses a signer key in Go / C2SP text form. The key ID covers the public key, so it is
     * checked after deriving the public key from the private one.
     */
    public static NoteSigner parse(String text) throws NoteException {
        if (!text.startsWith(PRIVATE_KEY_PREFIX)) {
            throw new NoteException(NoteException.Reason.MALFORMED_KEY,
                    "signer key does not start with " + PRIVATE_KEY_PREFIX);
        }
        String[] parts = NoteVerifier.splitKey(text.substring(PRIVATE_KEY_PREFIX.length()), "signer key");
        byte[] seed = NoteVerifier.decodeKeyMaterial(parts, "signer key");
        NoteSigner signer = new NoteSigner(parts[0], new Ed25519PrivateKeyParameters(seed));
        NoteVerifier.checkKeyId(signer.verifier, parts[1]);
        return signer;
    }

    /** The key name; for a log's key, the checkpoint origin. */
    public String name() {
        return verifier.name();
    }

    /** The key ID, an unsigned 32-bit value held in an int. */
    public int keyId() {
        return verifier.keyId();
    }

    /** The public half, to publish as {@link NoteVerifier#text()}. */
    public NoteVerifier verifier() {
        return verifier;
    }

    /** The 32-byte RFC 8032 private key. Secret: whoever holds it can sign checkpoints. */
    public byte[] privateKey() {
        return privateKey.getEncoded();
    }

    /** The Go / C2SP signer key text. Secret, like {@link #privateKey()}. */
    public String privateKeyText() {
        byte[] material = new byte[1 + PRIVATE_KEY_SIZE];
        material[0] = NoteVerifier.ALGORITHM_ED25519;
        privateKey.encode(material, 1);
        String text = PRIVATE_KEY_PREFIX + verifier.label() + "+" + NoteSyntax.base64(material);
        Arrays.fill(material, (byte) 0);
        return text;
    }

    /** Returns the 64-byte Ed25519 signature of {@code message}. RFC 8032 §5.1.6. */
    byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Names the key without revealing it. */
    @Override
    public String toString() {
        return "NoteSigner[" + verifier.label() + "]";
    }
}
