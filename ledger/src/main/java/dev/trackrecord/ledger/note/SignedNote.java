package dev.trackrecord.ledger.note;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A C2SP signed note (https://c2sp.org/signed-note@v1.0.0): a text ending in a newline, a
 * blank line, then one or more lines {@code — <key name> base64(4-byte key ID || signature)}.
 *
 * <p>Opening a note is the only way to get its text, and it succeeds only when a known key's
 * signature verifies, because signed-note §Note says the text MUST be ignored otherwise.
 */
final class SignedNote {

    /**
     * Largest note {@link #open} reads. signed-note §Format asks verifiers to bound a note's
     * size but to accept at least 16 signatures of up to about 5 kB (post-quantum) each;
     * 1 MiB holds {@link #MAX_SIGNATURES} of them.
     */
    static final int MAX_NOTE_BYTES = 1 << 20;

    /** Most signature lines {@link #open} reads; the spec's floor is 16, Go's limit is 100. */
    static final int MAX_SIGNATURES = 100;

    private static final int KEY_ID_SIZE = 4;
    private static final int ED25519_SIGNATURE_SIZE = 64;

    /** One signature line: the key it names and its base64 exactly as written. */
    record Signature(String name, int keyId, String base64) {

        String label() {
            return name + "+" + NoteSyntax.hex(keyId);
        }
    }

    private final String text;
    private final List<Signature> signatures;
    private final List<Signature> unverifiedSignatures;

    private SignedNote(String text, List<Signature> signatures, List<Signature> unverifiedSignatures) {
        this.text = text;
        this.signatures = List.copyOf(signatures);
        this.unverifiedSignatures = List.copyOf(unverifiedSignatures);
    }

    /** The note text, including its final newline; verified by at least one known key. */
    String text() {
        return text;
    }

    /** Signatures from known keys, each verified, one per key. */
    List<Signature> signatures() {
        return signatures;
    }

    /** Signatures from keys not known to the caller: kept, not checked (witnesses, rotation). */
    List<Signature> unverifiedSignatures() {
        return unverifiedSignatures;
    }

    /**
     * Signs {@code text} with each signer and returns the signed note.
     *
     * @throws IllegalArgumentException if {@code text} does not end in a newline, holds a
     *     control character other than newline or an unpaired surrogate, if no signer or the
     *     same key twice is given, or if the note would exceed {@link #MAX_NOTE_BYTES}
     */
    static String sign(String text, List<NoteSigner> signers) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must end with a newline");
        }
        NoteSyntax.encodingProblem(text, NoteException.Reason.MALFORMED_NOTE).ifPresent(problem -> {
            throw new IllegalArgumentException("note text: " + problem.getMessage());
        });
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("a signed note needs at least one signer");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder note = new StringBuilder(text.length() + 1 + signers.size() * 120).append(text).append('\n');
        Set<String> seen = new HashSet<>();
        for (NoteSigner signer : signers) {
            String label = signer.verifier().label();
            if (!seen.add(label)) {
                throw new IllegalArgumentException("key " + label + " is given twice");
            }
            byte[] signature = signer.sign(message);
            byte[] line = new byte[KEY_ID_SIZE + signature.length];
            int keyId = signer.keyId();
            line[0] = (byte) (keyId >>> 24);
            line[1] = (byte) (keyId >>> 16);
            line[2] = (byte) (keyId >>> 8);
            line[3] = (byte) keyId;
            System.arraycopy(signature, 0, line, KEY_ID_SIZE, signature.length);
            note.append(NoteSyntax.SIGNATURE_PREFIX).append(signer.name()).append(' ')
                    .append(NoteSyntax.base64(line)).append('\n');
        }
        String signed = note.toString();
        if (signed.getBytes(StandardCharsets.UTF_8).length > MAX_NOTE_BYTES) {
            throw new IllegalArgumentException("signed note would exceed " + MAX_NOTE_BYTES + " bytes");
        }
        return signed;
    }

    /** {@link #open(byte[], Collection)} for a note held as a string. */
    static SignedNote open(String note, Collection<NoteVerifier> known) throws NoteException {
        Optional<NoteException> problem = NoteSyntax.encodingProblem(note, NoteException.Reason.MALFORMED_NOTE);
        if (problem.isPresent()) {
            throw problem.get();
        }
        return open(note.getBytes(StandardCharsets.UTF_8), known);
    }

    /**
     * Parses {@code note} and verifies its signatures against {@code known} keys.
     *
     * <p>signed-note §Signatures: a line whose (name, key ID) matches no known key is kept
     * unverified and otherwise ignored; a line from a known key must verify, or the whole note
     * is rejected; at least one known key's signature must be present.
     *
     * @throws NoteException if the note is malformed, a known key's signature does not
     *     verify, or no known key signed it
     * @throws IllegalArgumentException if two known keys share a name and key ID
     */
    static SignedNote open(byte[] note, Collection<NoteVerifier> known) throws NoteException {
        Map<String, NoteVerifier> verifiers = index(known);
        if (note.length > MAX_NOTE_BYTES) {
            throw malformed(0, "note is " + note.length + " bytes, more than the limit of " + MAX_NOTE_BYTES);
        }
        Optional<NoteException> problem = NoteSyntax.encodingProblem(note, NoteException.Reason.MALFORMED_NOTE);
        if (problem.isPresent()) {
            throw problem.get();
        }
        String whole = new String(note, StandardCharsets.UTF_8);

        // signed-note §Format: the text is separated from the signatures by the last empty line.
        int split = whole.lastIndexOf("\n\n");
        if (split < 0) {
            throw malformed(0, "no blank line separates the text from the signature lines");
        }
        String text = whole.substring(0, split + 1);
        String block = whole.substring(split + 2);
        int line = lineCount(text) + 2;
        if (block.isEmpty()) {
            throw malformed(line, "no signature lines after the blank line");
        }
        if (!block.endsWith("\n")) {
            throw malformed(line + lineCount(block), "missing newline at the end of the note");
        }

        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        List<Signature> verified = new ArrayList<>();
        List<Signature> unverified = new ArrayList<>();
        Set<String> verifiedKeys = new HashSet<>();
        Set<Signature> seenUnverified = new HashSet<>();
        int count = 0;
        for (int start = 0; start < block.length(); line++) {
            int end = block.indexOf('\n', start);
            String raw = block.substring(start, end);
            start = end + 1;
            if (++count > MAX_SIGNATURES) {
                throw malformed(line, "more than " + MAX_SIGNATURES + " signature lines");
            }
            ParsedLine parsed = parseLine(raw, line);
            NoteVerifier verifier = verifiers.get(parsed.signature.label());
            if (verifier == null) {
                if (seenUnverified.add(parsed.signature)) {
                    unverified.add(parsed.signature);
                }
                continue;
            }
            // A known key: its signature must verify, even on a repeated line (spec SHOULD).
            if (parsed.signatureBytes.length != ED25519_SIGNATURE_SIZE
                    || !verifier.verify(message, parsed.signatureBytes)) {
                throw new NoteException(NoteException.Reason.INVALID_SIGNATURE, line,
                        "signature from " + verifier.label() + " does not verify");
            }
            if (verifiedKeys.add(verifier.label())) {
                verified.add(parsed.signature);
            }
        }
        if (verified.isEmpty()) {
            throw new NoteException(NoteException.Reason.NO_VERIFIED_SIGNATURE,
                    "no signature from a known key (signed by " + labels(unverified) + "; known keys: "
                            + String.join(", ", verifiers.keySet().stream().sorted().toList()) + ")");
        }
        return new SignedNote(text, verified, unverified);
    }

    private record ParsedLine(Signature signature, byte[] signatureBytes) {
    }

    /** Parses {@code — <name> <base64>} strictly. signed-note §Format. */
    private static ParsedLine parseLine(String raw, int line) throws NoteException {
        if (!raw.startsWith(NoteSyntax.SIGNATURE_PREFIX)) {
            throw badLine(line, "does not start with an em dash (U+2014) and a space");
        }
        String rest = raw.substring(NoteSyntax.SIGNATURE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space < 0) {
            throw badLine(line, "no space between key name and signature");
        }
        String name = rest.substring(0, space);
        Optional<String> nameProblem = NoteSyntax.keyNameProblem(name);
        if (nameProblem.isPresent()) {
            throw badLine(line, nameProblem.get());
        }
        String base64 = rest.substring(space + 1);
        byte[] bytes = NoteSyntax.decodeBase64(base64)
                .orElseThrow(() -> badLine(line, "signature is not canonical standard base64"));
        if (bytes.length <= KEY_ID_SIZE) {
            throw badLine(line, "signature is " + bytes.length + " bytes; it needs a 4-byte key ID and a signature");
        }
        int keyId = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
        byte[] signature = new byte[bytes.length - KEY_ID_SIZE];
        System.arraycopy(bytes, KEY_ID_SIZE, signature, 0, signature.length);
        return new ParsedLine(new Signature(name, keyId, base64), signature);
    }

    private static Map<String, NoteVerifier> index(Collection<NoteVerifier> known) {
        Map<String, NoteVerifier> byLabel = new HashMap<>();
        for (NoteVerifier verifier : known) {
            NoteVerifier previous = byLabel.putIfAbsent(verifier.label(), verifier);
            if (previous != null && !previous.equals(verifier)) {
                throw new IllegalArgumentException(
                        "two different known keys share the name and key ID " + verifier.label());
            }
        }
        return byLabel;
    }

    private static String labels(List<Signature> signatures) {
        return signatures.isEmpty() ? "no key"
                : String.join(", ", signatures.stream().map(Signature::label).toList());
    }

    private static int lineCount(String text) {
        int lines = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }

    private static NoteException malformed(int line, String message) {
        return new NoteException(NoteException.Reason.MALFORMED_NOTE, line, message);
    }

    private static NoteException badLine(int line, String message) {
        return new NoteException(NoteException.Reason.MALFORMED_SIGNATURE_LINE, line,
                "malformed signature line: " + message);
    }
}
