package dev.trackrecord.ledger.note;

import java.util.OptionalInt;

/**
 * A key, signed note or checkpoint that is malformed or does not verify.
 *
 * <p>Checked, because every caller that reads a note from outside (a bundle, a peer, a
 * file) must decide what a forged or damaged one means for it. The message states the
 * rule that was broken and, for notes and checkpoints, the 1-based line it was broken on,
 * e.g. {@code line 4: signature from PeterNeumann+c74f20a3 does not verify}.
 */
public final class NoteException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of rule was broken; stable, so callers can branch on it. */
    public enum Reason {
        /** A verifier or signer key text is malformed (syntax, base64, length, name). */
        MALFORMED_KEY,
        /** A key names a signature algorithm other than Ed25519 (0x01). */
        UNSUPPORTED_KEY_ALGORITHM,
        /** A key's stated key ID is not the one its name and public key hash to. */
        KEY_ID_MISMATCH,
        /** The note as a whole breaks the signed-note format (encoding, layout, limits). */
        MALFORMED_NOTE,
        /** One signature line breaks the signed-note format. */
        MALFORMED_SIGNATURE_LINE,
        /** A signature from a known key does not verify. */
        INVALID_SIGNATURE,
        /** No signature from a known key is present. */
        NO_VERIFIED_SIGNATURE,
        /** The note text is not a tlog-checkpoint. */
        MALFORMED_CHECKPOINT,
        /** The checkpoint's origin is not the name of the key that signed it. */
        ORIGIN_MISMATCH
    }

    private final Reason reason;
    private final int line;

    NoteException(Reason reason, String message) {
        this(reason, 0, message);
    }

    /** {@code line} is 1-based; 0 means the problem is not on one line. */
    NoteException(Reason reason, int line, String message) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.reason = reason;
        this.line = line;
    }

    /** Returns which rule was broken. */
    public Reason reason() {
        return reason;
    }

    /** Returns the 1-based line of the note or checkpoint text at fault, if there is one. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }
}
