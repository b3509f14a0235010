package dev.trackrecord.ledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.entry.Submission;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The personal data vault: a directory of plain files beside the log (never inside EclipseStore,
 * which keeps superseded bytes until its housekeeping runs).
 *
 * <pre>
 * keys/&lt;contractor dir&gt;/&lt;key id&gt;.key     magic, 32-byte AES-256 key, 32-byte HMAC salt, contractor id, key id
 * records/&lt;contractor dir&gt;/&lt;key id&gt;.rec  appended records: int length, 12-byte nonce, AES-GCM ciphertext and tag
 * </pre>
 *
 * <p>The contractor dir is the first 32 hex digits of SHA-256 of the contractor id. A key file is
 * written to a temporary file, forced to disk and renamed into place; destroying it overwrites it
 * with zeros, forces that, unlinks it and forces the directory. A record's plaintext is the
 * canonical JSON {@code {"event_id","fields","kind"}}, its associated data binds it to the
 * contractor and key id. Every method is synchronized: personal data is rare next to scores.
 */
public final class Vault {
    private static final byte[] MAGIC = "TRVAULT1".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_RECORD = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path keys;
    private final Path records;
    private final SecureRandom random = new SecureRandom();

    private Vault(Path root) {
        this.keys = root.resolve("keys");
        this.records = root.resolve("records");
    }

    /**
     * Opens the vault at {@code root} (usually {@code DATA/vault}), creating it if needed, and
     * destroys key files a crash left half-written.
     */
    public static Vault open(Path root) throws IOException {
        Vault vault = new Vault(root);
        Files.createDirectories(vault.keys);
        Files.createDirectories(vault.records);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(vault.keys)) {
            for (Path dir : dirs) {
                try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*.tmp")) {
                    for (Path tmp : tmps) {
                        shred(tmp);
                    }
                }
            }
        }
        return vault;
    }

    /** A contractor's personal data as opened from the vault, with the salt that proves it. */
    public record Opened(Map<String, String> fields, byte[] salt) {
        public Opened {
            fields = Map.copyOf(fields);
            salt = salt.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    /** A key of one contractor. */
    public record KeyRef(String contractor, String keyId) {
    }

    /**
     * Seals the personal data of {@code submission} under the contractor's key {@code keyId}
     * (creating it if needed): encrypts it into the key's record file, forced to disk, and returns
     * the submission with commitments in place of the data. Call before appending; a record whose
     * entry never gets appended is harmless and is shredded with its key.
     *
     * @throws IllegalArgumentException if the submission carries no personal data
     */
    public synchronized Submission seal(Submission submission, String keyId) throws IOException {
        if (!submission.hasPersonalData()) {
            throw new IllegalArgumentException("the submission carries no personal data");
        }
        requireKeyId(keyId);
        String contractor = submission.contractor();
        Key key = loadKey(contractor, keyId).orElse(null);
        if (key == null) {
            key = createKey(contractor, keyId);
        }
        try {
            ObjectNode plain = JSON.createObjectNode();
            plain.put("event_id", submission.eventId());
            ObjectNode fields = plain.putObject("fields");
            submission.personal().forEach(fields::put);
            plain.put("kind", submission.kind().wire());
            byte[] plaintext = JSON.writeValueAsBytes(plain);
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, nonce, contractor, keyId).doFinal(plaintext);
            Arrays.fill(plaintext, (byte) 0);
            ByteBuffer record = ByteBuffer.allocate(4 + NONCE_BYTES + sealed.length);
            record.putInt(NONCE_BYTES + sealed.length).put(nonce).put(sealed).flip();
            Path file = recordFile(contractor, keyId);
            boolean created = !Files.exists(file);
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                while (record.hasRemaining()) {
                    ch.write(record);
                }
                ch.force(true);
            }
            if (created) {
                forceDirectory(file.getParent());
            }
            return submission.sealed(keyId, Commitments.commitAll(key.salt, submission.personal()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        } finally {
            key.wipe();
        }
    }

    /**
     * The personal data sealed for the entry with {@code eventId} under the contractor's key
     * {@code keyId} whose commitments equal {@code commitments}; empty when the key was destroyed
     * (erasure or retention) or no such record exists.
     */
    public synchronized Optional<Opened> open(String contractor, String keyId, String eventId,
                                              Map<String, String> commitments) throws IOException {
        requireKeyId(keyId);
        Optional<Key> found = loadKey(contractor, keyId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Key key = found.get();
        try {
            byte[] all;
            try {
                all = Files.readAllBytes(recordFile(contractor, keyId));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            ByteBuffer in = ByteBuffer.wrap(all);
            // The newest matching record wins; a torn last record (a crash while sealing) is skipped.
            Optional<Opened> match = Optional.empty();
            while (in.remaining() >= 4) {
                int length = in.getInt();
                if (length < NONCE_BYTES + TAG_BITS / 8 || length > in.remaining() || length > MAX_RECORD) {
                    break;
                }
                byte[] nonce = new byte[NONCE_BYTES];
                in.get(nonce);
                byte[] sealed = new byte[length - NONCE_BYTES];
                in.get(sealed);
                byte[] plaintext;
                try {
                    plaintext = cipher(Cipher.DECRYPT_MODE, key, nonce, contractor, keyId).doFinal(sealed);
                } catch (AEADBadTagException e) {
                    throw new IOException(recordFile(contractor, keyId) + ": a record fails its AES-GCM tag");
                }
                JsonNode record = JSON.readTree(plaintext);
                if (!eventId.equals(record.path("event_id").asText())) {
                    continue;
                }
                Map<String, String> fields = new TreeMap<>();
                record.path("fields").properties().forEach(f -> fields.put(f.getKey(), f.getValue().asText()));
                if (Commitments.commitAll(key.salt, fields).equals(new TreeMap<>(commitments))) {
                    match = Optional.of(new Opened(fields, key.salt));
                }
            }
            return match;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        } finally {
            key.wipe();
        }
    }

    /** The ids of the contractor's keys that exist, in order. */
    public synchronized List<String> keys(String contractor) throws IOException {
        List<String> ids = new ArrayList<>();
        Path dir = keys.resolve(contractorDir(contractor));
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.key")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                ids.add(name.substring(0, name.length() - ".key".length()));
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Every key of every contractor whose data is past retention at {@code now}. */
    public synchronized List<KeyRef> expired(Instant now) throws IOException {
        List<KeyRef> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(keys)) {
            for (Path dir : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.key")) {
                    for (Path f : files) {
                        String name = f.getFileName().toString();
                        String keyId = name.substring(0, name.length() - ".key".length());
                        if (Retention.isKeyId(keyId) && Retention.expiry(keyId).map(t -> !now.isBefore(t)).orElse(false)) {
                            out.add(new KeyRef(readContractor(f), keyId));
                        }
                    }
                }
            }
        }
        out.sort(java.util.Comparator.comparing(KeyRef::contractor).thenComparing(KeyRef::keyId));
        return out;
    }

    /** Destroys one key of the contractor and its records; false if it did not exist. */
    public synchronized boolean destroy(String contractor, String keyId) throws IOException {
        requireKeyId(keyId);
        Path keyFile = keyFile(contractor, keyId);
        boolean existed = Files.exists(keyFile);
        // The key first: once it is gone the records are noise, whatever happens next.
        if (existed) {
            shred(keyFile);
        }
        Path recordFile = recordFile(contractor, keyId);
        if (Files.exists(recordFile)) {
            shred(recordFile);
        }
        removeIfEmpty(keyFile.getParent());
        removeIfEmpty(recordFile.getParent());
        return existed;
    }

    /** Destroys every key of the contractor and their records; returns the key ids destroyed. */
    public synchronized List<String> erase(String contractor) throws IOException {
        List<String> ids = keys(contractor);
        for (String id : ids) {
            destroy(contractor, id);
        }
        // Records whose key was never written (a crash between them) go too.
        Path dir = records.resolve(contractorDir(contractor));
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    shred(f);
                }
            }
            removeIfEmpty(dir);
        }
        return ids;
    }

    // ---------------------------------------------------------------- files

    private static final class Key {
        final byte[] aes;
        final byte[] salt;

        Key(byte[] aes, byte[] salt) {
            this.aes = aes;
            this.salt = salt;
        }

        void wipe() {
            Arrays.fill(aes, (byte) 0);
            Arrays.fill(salt, (byte) 0);
        }
    }

    private Key createKey(String contractor, String keyId) throws IOException {
        byte[] aes = new byte[KEY_BYTES];
        byte[] salt = new byte[Commitments.SALT_BYTES];
        random.nextBytes(aes);
        random.nextBytes(salt);
        byte[] c = contractor.getBytes(StandardCharsets.UTF_8);
        byte[] k = keyId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(MAGIC.length + KEY_BYTES + Commitments.SALT_BYTES + 4 + c.length + k.length);
        file.put(MAGIC).put(aes).put(salt).putShort((short) c.length).put(c).putShort((short) k.length).put(k).flip();
        Path target = keyFile(contractor, keyId);
        Files.createDirectories(target.getParent());
        forceDirectory(keys);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (file.hasRemaining()) {
                ch.write(file);
            }
            ch.force(true);
        }
        Arrays.fill(file.array(), (byte) 0);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(target.getParent());
        return new Key(aes, salt);
    }

    private Optional<Key> loadKey(String contractor, String keyId) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(keyFile(contractor, keyId));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < MAGIC.length + KEY_BYTES + Commitments.SALT_BYTES
                || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(keyFile(contractor, keyId) + ": not a vault key file");
        }
        byte[] aes = Arrays.copyOfRange(bytes, MAGIC.length, MAGIC.length + KEY_BYTES);
        byte[] salt = Arrays.copyOfRange(bytes, MAGIC.length + KEY_BYTES, MAGIC.length + KEY_BYTES + Commitments.SALT_BYTES);
        Arrays.fill(bytes, (byte) 0);
        return Optional.of(new Key(aes, salt));
    }

    private static String readContractor(Path keyFile) throws IOException {
        byte[] bytes = Files.readAllBytes(keyFile);
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            in.position(MAGIC.length + KEY_BYTES + Commitments.SALT_BYTES);
            byte[] c = new byte[in.getShort()];
            in.get(c);
            return new String(c, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new IOException(keyFile + ": not a vault key file");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static Cipher cipher(int mode, Key key, byte[] nonce, String contractor, String keyId)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key.aes, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(("trackrecord-vault/1\0" + contractor + "\0" + keyId).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    /** Overwrites {@code file} with zeros, forces it, unlinks it and forces its directory. */
    static void shred(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
            long written = 0;
            while (written < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                written += ch.write(zeros, written);
            }
            ch.force(true);
        } catch (NoSuchFileException e) {
            return;
        }
        Files.delete(file);
        forceDirectory(file.getParent());
    }

    private static void removeIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return;
            }
        }
        Files.delete(dir);
        forceDirectory(dir.getParent());
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for reading; the rename is then as durable as they make it.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    private Path keyFile(String contractor, String keyId) {
        return keys.resolve(contractorDir(contractor)).resolve(keyId + ".key");
    }

    private Path recordFile(String contractor, String keyId) {
        return records.resolve(contractorDir(contractor)).resolve(keyId + ".rec");
    }

    private static String contractorDir(String contractor) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(contractor.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireKeyId(String keyId) {
        if (!Retention.isKeyId(keyId)) {
            throw new IllegalArgumentException("not a vault key id: '" + keyId + "'");
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
