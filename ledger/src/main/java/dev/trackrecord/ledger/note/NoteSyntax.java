package dev.trackrecord.ledger.note;

import java.util.Base64;
import java.util.Optional;

/**
 * The lexical rules shared by keys, signed notes and checkpoints: key names, canonical
 * base64, and the "valid UTF-8, no control characters but newline" rule.
 *
 * <p>Kept apart so that the signer, the verifier and the parsers cannot drift apart on what
 * a valid name or a valid encoding is.
 */
final class NoteSyntax {

    /** Opens every signature line: em dash (U+2014), space. signed-note §Format. */
    static final String SIGNATURE_PREFIX = "\u2014 ";

    private NoteSyntax() {
    }

    /**
     * Returns why {@code name} cannot be a key name, or empty if it can.
     *
     * <p>signed-note §Format: non-empty, no Unicode spaces, no plus (U+002B); valid UTF-8.
     * Control characters are refused too: a note may not contain them, so a name holding one
     * could sign nothing that verifies.
     */
    static Optional<String> keyNameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("key name is empty");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp == '+') {
                return Optional.of("key name \"" + name + "\" contains a plus sign (U+002B)");
            }
            if (isUnicodeSpace(cp)) {
                return Optional.of("key name \"" + name + "\" contains a space character " + codePoint(cp));
            }
            if (cp < 0x20) {
                return Optional.of("key name contains the control character " + codePoint(cp));
            }
            if (Character.isSurrogate((char) cp)) {
                return Optional.of("key name is not valid UTF-8 (unpaired surrogate at index " + i + ")");
            }
            i += Character.charCount(cp);
        }
        return Optional.empty();
    }

    static String requireKeyName(String name) {
        keyNameProblem(name).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return name;
    }

    /**
     * Unicode white space as Go's {@code unicode.IsSpace} defines it (the reference
     * implementation of signed-note): the Z categories plus TAB, LF, VT, FF, CR and NEL.
     */
    static boolean isUnicodeSpace(int cp) {
        return Character.isSpaceChar(cp) || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85;
    }

    /**
     * Decodes standard base64 (RFC 4648 §4) only if {@code text} is the one canonical
     * encoding of its bytes: padded, no line breaks, zero padding bits.
     *
     * <p>Without the canonical check, several texts decode to the same signature, and a
     * changed character in a note could still verify; every changed byte must fail.
     */
    static Optional<byte[]> decodeBase64(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Base64.getEncoder().encodeToString(bytes).equals(text) ? Optional.of(bytes) : Optional.empty();
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The fixed-length lowercase hex of a key ID (signed-note §Verifier keys). */
    static String hex(int keyId) {
        return String.format("%08x", keyId);
    }

    /**
     * Returns the index of the first byte that starts an ill-formed UTF-8 sequence, or -1 if
     * {@code bytes} is well-formed UTF-8 (RFC 3629 §4: no overlong forms, no surrogates,
     * nothing above U+10FFFF).
     */
    static int invalidUtf8At(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int continuation;
            int low = 0x80;
            int high = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                continuation = 1;
            } else if (b == 0xE0) {
                continuation = 2;
                low = 0xA0;
            } else if (b == 0xED) {
                continuation = 2;
                high = 0x9F;
            } else if (b >= 0xE1 && b <= 0xEF) {
                continuation = 2;
            } else if (b == 0xF0) {
                continuation = 3;
                low = 0x90;
            } else if (b >= 0xF1 && b <= 0xF3) {
                continuation = 3;
            } else if (b == 0xF4) {
                continuation = 3;
                high = 0x8F;
            } else {
                return i;
            }
            if (i + continuation >= bytes.length) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k <= continuation; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return i;
                }
            }
            i += continuation + 1;
        }
        return -1;
    }

    /**
     * Returns why {@code bytes} may not be a signed note, or empty: it must be valid UTF-8
     * and hold no ASCII control character other than newline (signed-note §Format).
     */
    static Optional<NoteException> encodingProblem(byte[] bytes, NoteException.Reason reason) {
        int bad = invalidUtf8At(bytes);
        int end = bad < 0 ? bytes.length : bad;
        for (int i = 0; i < end; i++) {
            int b = bytes[i];
            if (b >= 0 && b < 0x20 && b != '\n') {
                return Optional.of(new NoteException(reason, lineOf(bytes, i),
                        "control character " + codePoint(b) + " at byte " + i
                                + "; only newline is allowed"));
            }
        }
        if (bad >= 0) {
            return Optional.of(new NoteException(reason, lineOf(bytes, bad), "invalid UTF-8 at byte " + bad));
        }
        return Optional.empty();
    }

    /**
     * The same rule for text already in a Java string, where invalid UTF-8 shows up as an
     * unpaired surrogate (which {@code getBytes(UTF_8)} would silently turn into '?').
     */
    static Optional<NoteException> encodingProblem(String text, NoteException.Reason reason) {
        int line = 1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp == '\n') {
                line++;
            } else if (cp < 0x20) {
                return Optional.of(new NoteException(reason, line,
                        "control character " + codePoint(cp) + " at char " + i + "; only newline is allowed"));
            } else if (Character.isSurrogate((char) cp)) {
                return Optional.of(new NoteException(reason, line,
                        "not valid UTF-8: unpaired surrogate at char " + i));
            }
            i += Character.charCount(cp);
        }
        return Optional.empty();
    }

    private static int lineOf(byte[] bytes, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    static String codePoint(int cp) {
        return String.format("U+%04X", cp);
    }
}
