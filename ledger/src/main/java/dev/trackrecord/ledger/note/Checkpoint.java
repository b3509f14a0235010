package dev.trackrecord.ledger.note;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A log's signed statement of its tree: a C2SP tlog-checkpoint v1.0.0
 * (https://c2sp.org/tlog-checkpoint@v1.0.0), whose text is
 * {@code <origin>\n<tree size>\n<base64 root hash>\n} and optional extension lines.
 *
 * <p>It travels as a signed note signed by the log's key, whose name is the origin
 * (DESIGN.md, Checkpoints): {@link #sign(NoteSigner)} and {@link #open(String, NoteVerifier)}
 * enforce that, so a key cannot vouch for another log's tree.
 *
 * @param origin the log's identity; non-empty, one line, no control characters
 * @param treeSize the number of leaves, 0 or more
 * @param rootHash the 32-byte RFC 9162 root of the tree at {@code treeSize}; copied in and out
 * @param extensionLines opaque non-empty lines after the root; empty for TrackRecord's own
 *     checkpoints (tlog-checkpoint §Note text: NOT RECOMMENDED, as monitors cannot audit them)
 */
public record Checkpoint(String origin, long treeSize, byte[] rootHash, List<String> extensionLines) {

    /** Size of a SHA-256 root hash. */
    public static final int HASH_SIZE = 32;

    /**
     * @throws IllegalArgumentException if a field breaks the rules above
     */
    public Checkpoint {
        requireLine(origin, "origin");
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize + " is negative");
        }
        if (rootHash.length != HASH_SIZE) {
            throw new IllegalArgumentException("root hash is " + rootHash.length + " bytes, not " + HASH_SIZE);
        }
        rootHash = rootHash.clone();
        extensionLines = List.copyOf(extensionLines);
        for (String line : extensionLines) {
            requireLine(line, "extension line");
        }
    }

    /** A checkpoint without extension lines, the only kind TrackRecord issues. */
    public Checkpoint(String origin, long treeSize, byte[] rootHash) {
        this(origin, treeSize, rootHash, List.of());
    }

    private static void requireLine(String value, String what) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " contains a newline");
        }
        NoteSyntax.encodingProblem(value, NoteException.Reason.MALFORMED_CHECKPOINT).ifPresent(problem -> {
            throw new IllegalArgumentException(what + ": " + problem.getMessage());
        });
    }

    /** The 32-byte root hash (a copy). */
    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The note text: origin, size, root, extension lines, each ending in a newline. */
    public String text() {
        StringBuilder text = new StringBuilder(origin.length() + 70)
                .append(origin).append('\n')
                .append(treeSize).append('\n')
                .append(NoteSyntax.base64(rootHash)).append('\n');
        for (String line : extensionLines) {
            text.append(line).append('\n');
        }
        return text.toString();
    }

    /**
     * Parses checkpoint note text strictly (tlog-checkpoint §Note text): at least three
     * lines, each ending in a newline; a non-empty origin; the size in ASCII decimal with no
     * sign and no leading zeros, at most 2^63-1; the root as canonical base64 of exactly 32
     * bytes; extension lines non-empty.
     */
    public static Checkpoint parse(String text) throws NoteException {
        Optional<NoteException> problem = NoteSyntax.encodingProblem(text, NoteException.Reason.MALFORMED_CHECKPOINT);
        if (problem.isPresent()) {
            throw problem.get();
        }
        if (!text.endsWith("\n")) {
            throw malformed(0, "checkpoint text must end with a newline");
        }
        List<String> lines = Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
        if (lines.size() < 3) {
            throw malformed(0, "checkpoint has " + lines.size()
                    + " line(s); it needs an origin, a tree size and a root hash");
        }
        if (lines.get(0).isEmpty()) {
            throw malformed(1, "origin is empty");
        }
        long treeSize = parseTreeSize(lines.get(1));
        byte[] root = NoteSyntax.decodeBase64(lines.get(2))
                .orElseThrow(() -> malformed(3, "root hash is not canonical standard base64"));
        if (root.length != HASH_SIZE) {
            throw malformed(3, "root hash is " + root.length + " bytes, not " + HASH_SIZE);
        }
        List<String> extensions = new ArrayList<>(lines.subList(3, lines.size()));
        for (int i = 0; i < extensions.size(); i++) {
            if (extensions.get(i).isEmpty()) {
                throw malformed(4 + i, "extension line is empty");
            }
        }
        return new Checkpoint(lines.get(0), treeSize, root, extensions);
    }

    /** tlog-checkpoint §Note text, line 2: ASCII decimal, no leading zeros unless it is 0. */
    private static long parseTreeSize(String line) throws NoteException {
        boolean digits = !line.isEmpty() && line.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (line.length() > 1 && line.charAt(0) == '0')) {
            throw malformed(2, "tree size \"" + line + "\" is not a decimal number without sign or leading zeros");
        }
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw malformed(2, "tree size " + line + " is larger than 2^63-1");
        }
    }

    /**
     * Signs this checkpoint with the log's key and returns the signed note.
     *
     * @throws IllegalArgumentException if the key's name is not this checkpoint's origin
     */
    public String sign(NoteSigner signer) {
        if (!signer.name().equals(origin)) {
            throw new IllegalArgumentException(
                    "key " + signer.name() + " may not sign a checkpoint of origin " + origin
                            + "; the key name must be the origin");
        }
        return SignedNote.sign(text(), List.of(signer));
    }

    /** {@link #open(byte[], NoteVerifier)} for a signed note held as a string. */
    public static Checkpoint open(String signedNote, NoteVerifier verifier) throws NoteException {
        return checkOrigin(parse(SignedNote.open(signedNote, List.of(verifier)).text()), verifier);
    }

    /**
     * Verifies a signed checkpoint with the log's key and returns the checkpoint. Signatures
     * from other keys (witness cosignatures, say) are ignored, as signed-note requires.
     *
     * @throws NoteException if the note is malformed, not signed by {@code verifier}, not a
     *     checkpoint, or of an origin other than the key's name
     */
    public static Checkpoint open(byte[] signedNote, NoteVerifier verifier) throws NoteException {
        return checkOrigin(parse(SignedNote.open(signedNote, List.of(verifier)).text()), verifier);
    }

    private static Checkpoint checkOrigin(Checkpoint checkpoint, NoteVerifier verifier) throws NoteException {
        if (!checkpoint.origin.equals(verifier.name())) {
            throw new NoteException(NoteException.Reason.ORIGIN_MISMATCH, 1,
                    "checkpoint origin \"" + checkpoint.origin + "\" is not the name of key " + verifier.label());
        }
        return checkpoint;
    }

    private static NoteException malformed(int line, String message) {
        return new NoteException(NoteException.Reason.MALFORMED_CHECKPOINT, line, message);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint that
                && treeSize == that.treeSize
                && origin.equals(that.origin)
                && Arrays.equals(rootHash, that.rootHash)
                && extensionLines.equals(that.extensionLines);
    }

    @Override
    public int hashCode() {
        return ((origin.hashCode() * 31 + Long.hashCode(treeSize)) * 31 + Arrays.hashCode(rootHash)) * 31
                + extensionLines.hashCode();
    }

    @Override
    public String toString() {
        return "Checkpoint[origin=" + origin + ", treeSize=" + treeSize + ", rootHash="
                + NoteSyntax.base64(rootHash) + ", extensionLines=" + extensionLines + "]";
    }
}
