package dev.trackrecord.ledger.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The length and SHA-256 of every file a ledger stores ({@code store/}, {@code segments/},
 * {@code keys/}), written to {@code DATA/seal} when the ledger closes cleanly and removed when
 * it opens. It lets fsck and the service's open-time check detect any changed byte of a stopped
 * directory, including bytes that no semantic check reads: EclipseStore keeps superseded
 * versions of its records and a transaction log in its files, and a change there alters nothing
 * the ledger would load, so only a digest can notice it.
 *
 * <p>Format, UTF-8 lines: {@code trackrecord-seal/1}, then {@code file <path> <length> <sha256>}
 * per file in path order, then {@code digest <sha256 of the lines before>}. A directory without
 * a seal was not closed cleanly (a crash, or it is open); its checks are the semantic ones only.
 */
public final class StoreSeal {
    static final String FILE = "seal";
    private static final String FORMAT = "trackrecord-seal/1";
    private static final List<String> SCOPE = List.of("store", "segments", "keys");
    /** The one file that may appear in a sealed directory: see {@link #verify}. */
    private static final String ADDED_LATER = "keys/token-issuer.jwk";
    private static final HexFormat HEX = HexFormat.of();
    private static final Logger LOG = Logger.getLogger(StoreSeal.class.getName());

    /**
     * What comparing a directory with its seal found.
     *
     * @param present whether the directory had a seal
     * @param problem the first difference, naming the file
     */
    public record Check(boolean present, Optional<String> problem) {
    }

    private StoreSeal() {
    }

    /** Seals {@code dataDir} as it is now; the caller holds its lock and nothing writes to it. */
    static void write(Path dataDir) throws IOException {
        StringBuilder text = new StringBuilder(FORMAT).append('\n');
        for (Map.Entry<String, Path> f : filesInScope(dataDir).entrySet()) {
            text.append("file ").append(f.getKey()).append(' ').append(Files.size(f.getValue())).append(' ')
                    .append(HEX.formatHex(sha256(f.getValue()))).append('\n');
        }
        String digest = HEX.formatHex(sha256(text.toString().getBytes(StandardCharsets.UTF_8)));
        text.append("digest ").append(digest).append('\n');
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dataDir);
    }

    /** Seals a ledger's directory after it closed, unless its storage had failed; logs a failure to. */
    static void writeOnClose(Path dataDir, boolean healthy) {
        if (!healthy) {
            return;
        }
        try {
            write(dataDir);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not seal " + dataDir + "; the next open check reads everything", e);
        }
    }

    /** Removes the seal before anything in the directory changes; a no-op when there is none. */
    static void remove(Path dataDir) throws IOException {
        if (Files.deleteIfExists(dataDir.resolve(FILE))) {
            syncDirectory(dataDir);
        }
    }

    /** Compares the files of {@code dataDir} with its seal, if it has one. */
    public static Check verify(Path dataDir) throws IOException {
        Path sealFile = dataDir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(sealFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Check(false, Optional.empty());
        } catch (java.nio.charset.CharacterCodingException e) {
            return damaged("it is not UTF-8 text");
        }
        if (lines.size() < 2 || !lines.getFirst().equals(FORMAT) || !lines.getLast().startsWith("digest ")) {
            return damaged("it does not start with " + FORMAT + " and end with a digest line");
        }
        StringBuilder body = new StringBuilder();
        for (String line : lines.subList(0, lines.size() - 1)) {
            body.append(line).append('\n');
        }
        String digest = HEX.formatHex(sha256(body.toString().getBytes(StandardCharsets.UTF_8)));
        if (!lines.getLast().equals("digest " + digest)) {
            return damaged("its lines hash to " + digest + ", not to its digest line");
        }
        Map<String, Path> actual = filesInScope(dataDir);
        Map<String, String[]> sealed = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            String[] f = line.split(" ");
            if (f.length != 4 || !f[0].equals("file")) {
                return damaged("line '" + line + "' is not 'file <path> <length> <sha256>'");
            }
            sealed.put(f[1], f);
        }
        for (Map.Entry<String, String[]> s : sealed.entrySet()) {
            Path file = actual.get(s.getKey());
            if (file == null) {
                return changed(s.getKey() + " is missing; it was there when the log was closed");
            }
            long length = Files.size(file);
            if (!String.valueOf(length).equals(s.getValue()[2])) {
                return changed(s.getKey() + " holds " + length + " bytes; it held " + s.getValue()[2]
                        + " when the log was closed");
            }
            String hash = HEX.formatHex(sha256(file));
            if (!hash.equals(s.getValue()[3])) {
                return changed(s.getKey() + " has changed since the log was closed (SHA-256 " + hash
                        + ", sealed " + s.getValue()[3] + ")");
            }
        }
        for (String name : actual.keySet()) {
            // The token issuer key is made on first use (by serve or token), which may come after
            // a closed log was sealed (simulate, import); once sealed, it is checked like the rest.
            if (!sealed.containsKey(name) && !name.equals(ADDED_LATER)) {
                return changed(name + " was added after the log was closed");
            }
        }
        return new Check(true, Optional.empty());
    }

    private static Check damaged(String why) {
        return new Check(true, Optional.of(FILE + " is damaged: " + why));
    }

    private static Check changed(String what) {
        return new Check(true, Optional.of(what + " (" + FILE + ")"));
    }

    /** Every regular file under the sealed folders, by path relative to the data directory. */
    private static Map<String, Path> filesInScope(Path dataDir) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        for (String folder : SCOPE) {
            Path dir = dataDir.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    files.put(dataDir.relativize(p).toString().replace('\\', '/'), p);
                }
            }
        }
        return files;
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest md = digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return md.digest();
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
