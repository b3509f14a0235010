package dev.trackrecord.ledger.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.merkle.CompactRange;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import dev.trackrecord.ledger.store.SettableClock;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A consistent copy of a live log, and its restore into a new data directory.
 *
 * <p>Format {@code trackrecord-backup/1}, a zip whose members come in this order:
 * <pre>
 * manifest.json         {"format","origin","tree_size","root","checkpoints","created"}
 * keys/checkpoint.vkey  the verifier key (C2SP text)
 * keys/checkpoint.key   the checkpoint signer key: SECRET, a restored log signs with it
 * keys/token-issuer.jwk the token issuer key, when the directory has one: SECRET
 * checkpoints.txt       one line per signed checkpoint up to tree_size: "size base64(note)"
 * entries.jsonl         the canonical bytes of entries 0..tree_size-1, one a line
 * </pre>
 * The copy is of the first {@code tree_size} entries, which never change once written, so a
 * backup taken while appends go on is consistent without stopping them.
 *
 * <p>{@link #verify} and {@link #restore} check everything from first principles: each entry
 * parses as a canonical entry at its seq with {@code prev} the leaf hash of the line before, the
 * root of every checkpoint equals the one the entries give and carries a valid signature by the
 * verifier key, the signer key belongs to the verifier key, and the root at {@code tree_size}
 * equals the manifest's. A failure names the member, the line and what is wrong.
 */
public final class Backup {
    public static final String FORMAT = "trackrecord-backup/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_GROUP = 8192;

    /** What a backup holds. */
    public record Summary(String origin, long treeSize, String root, int checkpoints) {
    }

    private Backup() {
    }

    /** Writes a backup of {@code ledger} (as it is now) and the keys of {@code dir} to {@code out}. */
    public static Summary write(Ledger ledger, DataDirectory dir, OutputStream out, Clock clock) throws IOException {
        long size = ledger.size();
        String root = HEX.formatHex(ledger.root(size));
        List<String> notes = new ArrayList<>();
        for (String note : ledger.checkpoints()) {
            if (treeSizeOf(note) <= size) {
                notes.add(note);
            }
        }
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(out, 1 << 16));
        ObjectNode manifest = JSON.createObjectNode()
                .put("format", FORMAT).put("origin", ledger.origin()).put("tree_size", size).put("root", root)
                .put("checkpoints", notes.size()).put("created", clock.instant().toString());
        member(zip, "manifest.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        member(zip, "keys/checkpoint.vkey", Files.readAllBytes(dir.checkpointVerifierKey()));
        member(zip, "keys/checkpoint.key", Files.readAllBytes(dir.checkpointKey()));
        if (Files.exists(dir.tokenIssuerKey())) {
            member(zip, "keys/token-issuer.jwk", Files.readAllBytes(dir.tokenIssuerKey()));
        }
        StringBuilder cps = new StringBuilder();
        for (String note : notes) {
            cps.append(treeSizeOf(note)).append(' ')
                    .append(Base64.getEncoder().encodeToString(note.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        member(zip, "checkpoints.txt", cps.toString().getBytes(StandardCharsets.UTF_8));
        zip.putNextEntry(new ZipEntry("entries.jsonl"));
        for (long seq = 0; seq < size; seq++) {
            zip.write(ledger.entry(seq).orElseThrow());
            zip.write('\n');
        }
        zip.closeEntry();
        zip.finish();
        zip.flush();
        return new Summary(ledger.origin(), size, root, notes.size());
    }

    /** Checks a backup file without restoring it. */
    public static Summary verify(Path file) throws IOException, BackupException {
        return read(file, null);
    }

    /**
     * Rebuilds a data directory from a backup: the keys, then every entry appended again with its
     * own {@code ts} and {@code source}, so that each restored entry is byte for byte the backed-up
     * one (checked), then the checkpoints. {@code dataDir} must not hold a log.
     */
    public static Summary restore(Path file, Path dataDir) throws IOException, BackupException {
        DataDirectory dir = new DataDirectory(dataDir);
        if (Files.exists(dir.store()) || Files.exists(dir.keys())) {
            throw new BackupException(dataDir + " already holds a log or keys; restore into a new directory");
        }
        Summary checked = verify(file);
        Summary restored = read(file, dir);
        if (!restored.equals(checked)) {
            throw new BackupException("the backup read differently the second time: " + checked + " then " + restored);
        }
        return restored;
    }

    /** Reads and checks a backup; with {@code into}, also restores it there. */
    private static Summary read(Path file, DataDirectory into) throws IOException, BackupException {
        // The members are streamed below; the zip's central directory at the end is checked here,
        // so that a file cut short anywhere is refused even when the cut missed every member.
        try (java.util.zip.ZipFile whole = new java.util.zip.ZipFile(file.toFile())) {
            if (whole.getEntry("entries.jsonl") == null) {
                throw new BackupException(file + ": the zip's directory has no entries.jsonl");
            }
        } catch (ZipException e) {
            throw new BackupException(file + " is not an intact zip (cut short?): " + e.getMessage());
        }
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            JsonNode manifest = json(expect(zip, "manifest.json"), "manifest.json");
            if (!FORMAT.equals(manifest.path("format").asText())) {
                throw new BackupException("manifest.json: format is not " + FORMAT);
            }
            String origin = text(manifest, "origin");
            long size = number(manifest, "tree_size");
            String root = text(manifest, "root");
            byte[] vkey = expect(zip, "keys/checkpoint.vkey");
            byte[] skey = expect(zip, "keys/checkpoint.key");
            NoteVerifier verifier;
            NoteSigner signer;
            try {
                verifier = NoteVerifier.parse(new String(vkey, StandardCharsets.UTF_8).strip());
            } catch (NoteException e) {
                throw new BackupException("keys/checkpoint.vkey: " + e.getMessage());
            }
            try {
                signer = NoteSigner.parse(new String(skey, StandardCharsets.UTF_8).strip());
            } catch (NoteException e) {
                throw new BackupException("keys/checkpoint.key: " + e.getMessage());
            }
            if (!signer.verifier().text().equals(verifier.text())) {
                throw new BackupException("keys/checkpoint.key does not belong to keys/checkpoint.vkey");
            }
            if (!verifier.name().equals(origin)) {
                throw new BackupException("keys/checkpoint.vkey is for origin '" + verifier.name()
                        + "' but manifest.json says '" + origin + "'");
            }
            ZipEntry next = zip.getNextEntry();
            byte[] tokenKey = null;
            if (next != null && next.getName().equals("keys/token-issuer.jwk")) {
                tokenKey = zip.readAllBytes();
                next = zip.getNextEntry();
            }
            if (next == null || !next.getName().equals("checkpoints.txt")) {
                throw new BackupException("checkpoints.txt is missing or out of order");
            }
            Map<Long, Checkpoint> checkpoints = new LinkedHashMap<>();
            Map<Long, String> notes = new LinkedHashMap<>();
            long lastSize = -1;
            String[] cpLines = new String(zip.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < cpLines.length - 1; i++) {
                String where = "checkpoints.txt line " + (i + 1);
                String[] f = cpLines[i].split(" ");
                try {
                    String note = new String(Base64.getDecoder().decode(f[1]), StandardCharsets.UTF_8);
                    Checkpoint cp = Checkpoint.open(note, verifier);
                    if (f.length != 2 || cp.treeSize() != Long.parseLong(f[0]) || cp.treeSize() > size
                            || cp.treeSize() <= lastSize) {
                        throw new BackupException(where + ": tree size " + f[0] + " does not match the note, is"
                                + " out of order or beyond the manifest's " + size);
                    }
                    checkpoints.put(cp.treeSize(), cp);
                    lastSize = cp.treeSize();
                    notes.put(cp.treeSize(), note);
                } catch (NoteException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                    throw new BackupException(where + ": not a checkpoint signed by keys/checkpoint.vkey: "
                            + e.getMessage());
                }
            }
            if (!cpLines[cpLines.length - 1].isEmpty()) {
                throw new BackupException("checkpoints.txt: the last line is cut off");
            }
            next = zip.getNextEntry();
            if (next == null || !next.getName().equals("entries.jsonl")) {
                throw new BackupException("entries.jsonl is missing or out of order");
            }
            Restorer restorer = into == null ? null : new Restorer(into, origin, skey, vkey, tokenKey);
            try {
                byte[] computed = entries(zip, size, checkpoints, restorer);
                if (!HEX.formatHex(computed).equals(root)) {
                    throw new BackupException("entries.jsonl: the entries give root " + HEX.formatHex(computed)
                            + " at tree size " + size + " but manifest.json says " + root);
                }
                if (restorer != null) {
                    restorer.finish(notes, size);
                }
            } finally {
                if (restorer != null) {
                    restorer.close();
                }
            }
            if (zip.getNextEntry() != null) {
                throw new BackupException("unexpected member after entries.jsonl");
            }
            return new Summary(origin, size, root, checkpoints.size());
        } catch (ZipException e) {
            throw new BackupException(file + " is not an intact zip: " + e.getMessage());
        }
    }

    /** Streams entries.jsonl, checking the chain and each checkpoint's root; returns the root at its end. */
    private static byte[] entries(InputStream in, long size, Map<Long, Checkpoint> checkpoints, Restorer restorer)
            throws IOException, BackupException {
        CompactRange range = CompactRange.empty();
        byte[] prev = new byte[Entry.HASH_BYTES];
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        long seq = 0;
        byte[] buf = new byte[1 << 16];
        int n;
        checkCheckpoint(checkpoints, 0, range);
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                    line.write(buf[i]);
                    continue;
                }
                String where = "entries.jsonl line " + (seq + 1) + " (seq " + seq + ")";
                if (seq >= size) {
                    throw new BackupException(where + ": more entries than the manifest's tree size " + size);
                }
                byte[] bytes = line.toByteArray();
                line.reset();
                Entry e;
                try {
                    e = Entry.parse(bytes);
                } catch (InvalidEntryException ex) {
                    throw new BackupException(where + ": not a canonical entry: " + ex.getMessage());
                }
                if (e.seq() != seq) {
                    throw new BackupException(where + ": its seq field says " + e.seq());
                }
                if (!MessageDigest.isEqual(e.prev(), prev)) {
                    throw new BackupException(where + ": prev " + e.prevHex() + " is not the leaf hash of the line"
                            + " before (" + HEX.formatHex(prev) + "); this line or the one before was changed");
                }
                byte[] leaf = Rfc9162.leafHash(bytes);
                range.append(leaf, (level, index, hash) -> { });
                if (restorer != null) {
                    restorer.add(e, leaf, where);
                }
                prev = leaf;
                seq++;
                checkCheckpoint(checkpoints, seq, range);
            }
        }
        if (line.size() > 0) {
            throw new BackupException("entries.jsonl line " + (seq + 1) + ": cut off (no newline at the end)");
        }
        if (seq != size) {
            throw new BackupException("entries.jsonl holds " + seq + " entries but manifest.json says " + size);
        }
        return range.root();
    }

    private static void checkCheckpoint(Map<Long, Checkpoint> checkpoints, long size, CompactRange range)
            throws BackupException {
        Checkpoint cp = checkpoints.get(size);
        if (cp != null && !MessageDigest.isEqual(cp.rootHash(), range.root())) {
            throw new BackupException("checkpoints.txt: the checkpoint at tree size " + size + " signs root "
                    + HEX.formatHex(cp.rootHash()) + " but entries.jsonl gives " + HEX.formatHex(range.root())
                    + "; an entry before line " + (size + 1) + " of entries.jsonl was changed");
        }
    }

    /** Appends the backed-up entries to a new ledger, in groups that share ts and source. */
    private static final class Restorer implements AutoCloseable {
        /** The ledger's clock while restoring: the ts of the group being appended. */
        private final SettableClock clock = new SettableClock();
        private final Ledger ledger;
        private final List<Submission> group = new ArrayList<>();
        private final List<byte[]> leaves = new ArrayList<>();
        private final List<String> places = new ArrayList<>();
        private Instant groupTs;
        private String groupSource;

        Restorer(DataDirectory dir, String origin, byte[] signerKey, byte[] verifierKey, byte[] tokenKey)
                throws IOException {
            DataDirectory.writePrivate(dir.checkpointKey(), new String(signerKey, StandardCharsets.UTF_8));
            DataDirectory.writeAtomically(dir.checkpointVerifierKey(), new String(verifierKey, StandardCharsets.UTF_8));
            if (tokenKey != null) {
                DataDirectory.writePrivate(dir.tokenIssuerKey(), new String(tokenKey, StandardCharsets.UTF_8));
            }
            // The entries were accepted by the backed-up ledger, under the rules of its day, and are
            // checked against its signed checkpoints: reproduce them, do not judge them again.
            ledger = Ledger.open(LedgerOptions.defaults(dir.root(), origin).withClock(clock).withDisputeChecks(false));
        }

        void add(Entry e, byte[] leaf, String where) throws BackupException {
            if (!group.isEmpty() && (!e.ts().equals(groupTs) || !e.source().equals(groupSource)
                    || group.size() == MAX_GROUP)) {
                flush();
            }
            groupTs = e.ts();
            groupSource = e.source();
            group.add(new Submission(e.kind(), e.contractor(), e.eventId(), e.decodeBody(), e.bodyBytes()));
            leaves.add(leaf);
            places.add(where);
        }

        private void flush() throws BackupException {
            if (group.isEmpty()) {
                return;
            }
            clock.set(groupTs.toEpochMilli());
            long first = ledger.size();
            List<Appended> done;
            try {
                done = ledger.append(List.copyOf(group), groupSource).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new BackupException(places.getFirst() + " and the " + (group.size() - 1) + " lines after it:"
                        + " the restored log refused them: " + e.getCause().getMessage());
            }
            for (int i = 0; i < done.size(); i++) {
                Appended a = done.get(i);
                if (a.seq() != first + i || a.duplicate() || !a.leafHash().equals(HEX.formatHex(leaves.get(i)))) {
                    throw new BackupException(places.get(i) + ": the restored entry differs from the backed-up one"
                            + (a.duplicate() ? " (its event_id is used by an earlier line)" : ""));
                }
            }
            group.clear();
            leaves.clear();
            places.clear();
        }

        void finish(Map<Long, String> notes, long size) throws BackupException {
            flush();
            if (ledger.size() != size) {
                throw new BackupException("restored " + ledger.size() + " entries, expected " + size);
            }
            for (Map.Entry<Long, String> n : notes.entrySet()) {
                ledger.addCheckpoint(n.getKey(), n.getValue()).join();
            }
        }

        @Override
        public void close() {
            ledger.close();
        }
    }


    private static long treeSizeOf(String note) {
        String[] lines = note.split("\n", 3);
        return Long.parseLong(lines[1]);
    }

    private static void member(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static byte[] expect(ZipInputStream zip, String name) throws IOException, BackupException {
        ZipEntry e = zip.getNextEntry();
        if (e == null || !e.getName().equals(name)) {
            throw new BackupException(name + " is missing or out of order (found " + (e == null ? "the end" : e.getName())
                    + ")");
        }
        return zip.readAllBytes();
    }

    private static JsonNode json(byte[] bytes, String where) throws BackupException {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new BackupException(where + ": not JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode manifest, String field) throws BackupException {
        JsonNode v = manifest.get(field);
        if (v == null || !v.isTextual()) {
            throw new BackupException("manifest.json: " + field + " must be a string");
        }
        return v.asText();
    }

    private static long number(JsonNode manifest, String field) throws BackupException {
        JsonNode v = manifest.get(field);
        if (v == null || !v.canConvertToLong() || v.asLong() < 0) {
            throw new BackupException("manifest.json: " + field + " must be a non-negative integer");
        }
        return v.asLong();
    }
}
