package dev.trackrecord.ledger;

import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The layout of a TrackRecord data directory, shared by the service and the command line.
 *
 * <pre>
 * DIR/store/                     EclipseStore database: where everything is, commit by commit
 * DIR/segments/seg-NNNNNN.dat    append-only bulk bytes: entry chunks and full tree tiles
 * DIR/keys/checkpoint.key        C2SP signer key (PRIVATE+KEY+origin+id+...) for checkpoints
 * DIR/keys/checkpoint.vkey       its verifier key, C2SP text form
 * DIR/keys/token-issuer.jwk      EC P-256 private JWK that signs bearer tokens (ES256)
 * </pre>
 */
public record DataDirectory(Path root) {
    public Path store() {
        return root.resolve("store");
    }

    public Path segments() {
        return root.resolve("segments");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path checkpointKey() {
        return keys().resolve("checkpoint.key");
    }

    public Path checkpointVerifierKey() {
        return keys().resolve("checkpoint.vkey");
    }

    public Path tokenIssuerKey() {
        return keys().resolve("token-issuer.jwk");
    }

    /**
     * The checkpoint signer of this directory, created for {@code origin} on first use. An
     * existing key whose name is not {@code origin} is refused: the origin of a log never changes.
     */
    public NoteSigner loadOrCreateCheckpointSigner(String origin) throws IOException {
        Path keyFile = checkpointKey();
        if (Files.exists(keyFile)) {
            NoteSigner signer = loadCheckpointSigner();
            if (!signer.name().equals(origin)) {
                throw new IOException(keyFile + " signs for origin '" + signer.name() + "', not '" + origin
                        + "'; a log keeps its origin");
            }
            return signer;
        }
        NoteSigner signer = NoteSigner.generate(origin, new SecureRandom());
        writePrivate(keyFile, signer.privateKeyText() + "\n");
        writeAtomically(checkpointVerifierKey(), signer.verifier().text() + "\n");
        return signer;
    }

    public NoteSigner loadCheckpointSigner() throws IOException {
        try {
            return NoteSigner.parse(Files.readString(checkpointKey(), StandardCharsets.UTF_8).strip());
        } catch (NoteException e) {
            throw new IOException(checkpointKey() + ": " + e.getMessage(), e);
        }
    }

    public NoteVerifier loadCheckpointVerifier() throws IOException {
        try {
            return NoteVerifier.parse(Files.readString(checkpointVerifierKey(), StandardCharsets.UTF_8).strip());
        } catch (NoteException e) {
            throw new IOException(checkpointVerifierKey() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a secret readable by the owner only, atomically and durably. */
    public static void writePrivate(Path file, String text) throws IOException {
        write(file, text, true);
    }

    /** Writes a file atomically and durably. */
    public static void writeAtomically(Path file, String text) throws IOException {
        write(file, text, false);
    }

    /**
     * Writes {@code file} through a temporary file that is forced to disk before it is renamed,
     * and forces the directory after: a key file must never be found empty after a power cut or
     * a disk error (seen with ext4, whose delayed allocation had not written the key yet).
     */
    private static void write(Path file, String text, boolean secret) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // Not a POSIX file system; the platform's defaults apply.
                }
            }
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
