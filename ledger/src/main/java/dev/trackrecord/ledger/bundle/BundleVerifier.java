package dev.trackrecord.ledger.bundle;

import static dev.trackrecord.ledger.bundle.BundleFormat.CHECKPOINT;
import static dev.trackrecord.ledger.bundle.BundleFormat.CONSISTENCY;
import static dev.trackrecord.ledger.bundle.BundleFormat.ENTRIES;
import static dev.trackrecord.ledger.bundle.BundleFormat.HEX;
import static dev.trackrecord.ledger.bundle.BundleFormat.KEY;
import static dev.trackrecord.ledger.bundle.BundleFormat.MANIFEST;
import static dev.trackrecord.ledger.bundle.BundleFormat.PROOFS;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.json.InvalidJsonException;
import dev.trackrecord.ledger.merkle.ProofException;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Verifies an export bundle offline, needing nothing but the bundle (and, to pin the log's
 * identity, its verifier key). Stops at the first failure and says where it is.
 *
 * <p>What is verified:
 * <ul>
 * <li>the zip holds exactly the bundle's files, each once;
 * <li>key.vkey is a well-formed C2SP verifier key, equal to the trusted key when one is given;
 * <li>the checkpoint is signed by that key and its origin is the key's name;
 * <li>every entries.jsonl line is an entry in canonical form (RFC 8785, {@link Entry#parse});
 *     its leaf hash equals the leaf_hash of the same line of proofs.jsonl, whose tree_size is the
 *     checkpoint's and whose seq is the entry's; the inclusion proof leads to the checkpoint root;
 * <li>seqs ascend; {@code ts} never decreases; {@code prev} equals the previous line's leaf hash
 *     when that line is seq - 1 (and is 64 zeros at seq 0);
 * <li>{@code cprev}: see {@link #checkCprev}; every entry matches the manifest's query;
 * <li>the manifest is canonical JSON naming this format, origin and tree size, and its entry
 *     count matches; a full-range query (no contractor, no kinds) must hold every seq of its range;
 * <li>consistency.json, present exactly when the query names since_size: checkpoint1 is signed
 *     by the key, at size1 = since_size with root1, and the proof leads from it to the checkpoint.
 * <li>personal.json, only in a contractor's export of their own record: every value in it gives,
 *     under its salt, the commitment the entry at its seq holds; every entry with sealed personal
 *     data is accounted for, as a record or as shredded.
 * </ul>
 *
 * <p>What cannot be verified from a bundle: that the checkpoint is the newest the log issued or
 * the one everyone else sees (compare it, or check consistency with a checkpoint you hold);
 * that a contractor export holds that contractor's entries after its last exported one (cprev
 * links point backwards only); that a kinds-filtered export left none out; the manifest's
 * {@code created} time, which nothing signs; and zip metadata (comments, timestamps, compression),
 * which is not content. The verifier keeps 8 bytes per exported entry (to look up cprev targets)
 * and one map slot per distinct contractor; everything else streams.
 */
public final class BundleVerifier {
    private static final int MAX_ENTRY_LINE = 1 << 20;
    private static final int MAX_PROOF_LINE = 16 * 1024;
    private static final int MAX_SMALL_FILE = 64 * 1024;
    private static final java.util.regex.Pattern CREATED =
            java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    private BundleVerifier() {
    }

    /**
     * Verifies the bundle in {@code zip}.
     *
     * @param trustedKey the log's verifier key, if the caller has it; without it the bundle's own
     *     key.vkey is used, which proves integrity but not which log made the bundle
     * @throws BundleVerificationException at the first failure, naming the file, line and seq
     * @throws IOException if {@code zip} cannot be read at all
     */
    public static BundleVerification verify(Path zip, Optional<NoteVerifier> trustedKey)
            throws BundleVerificationException, IOException {
        if (!Files.isRegularFile(zip)) {
            throw new java.io.FileNotFoundException(zip + ": no such file");
        }
        ZipFile file;
        try {
            file = new ZipFile(zip.toFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BundleVerificationException("(zip)", 0, -1, "not a readable zip archive: " + e.getMessage(), e);
        }
        try (file) {
            return new Run(file, trustedKey).verify();
        }
    }

    /**
     * Verifies a bundle read from {@code in}; it is copied to a temporary file first, since
     * entries.jsonl and proofs.jsonl are read side by side.
     */
    public static BundleVerification verify(InputStream in, Optional<NoteVerifier> trustedKey)
            throws BundleVerificationException, IOException {
        Path tmp = Files.createTempFile("trackrecord-bundle", ".zip");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return verify(tmp, trustedKey);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One verification: the state carried from line to line. */
    private static final class Run {
        private final ZipFile zip;
        private final Optional<NoteVerifier> trustedKey;
        private NoteVerifier key;
        private Checkpoint checkpoint;
        private ExportQuery query;
        private long manifestCount;

        Run(ZipFile zip, Optional<NoteVerifier> trustedKey) {
            this.zip = zip;
            this.trustedKey = trustedKey;
        }

        BundleVerification verify() throws BundleVerificationException {
            checkFileList();
            key = readKey();
            checkpoint = readCheckpoint();
            readManifest();
            OptionalLong consistentFrom = checkConsistency();
            long count = checkEntries();
            if (count != manifestCount) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "entry_count is " + manifestCount
                        + " but entries.jsonl holds " + count + " entries");
            }
            long personalRecords = zip.getEntry(BundleFormat.PERSONAL) == null ? 0 : checkPersonal();
            return new BundleVerification(checkpoint.origin(), checkpoint.treeSize(), count, consistentFrom,
                    key.text(), trustedKey.isPresent(), personalRecords);
        }

        private void checkFileList() throws BundleVerificationException {
            Set<String> seen = new HashSet<>();
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!BundleFormat.FILES.contains(name)) {
                    throw new BundleVerificationException(name, 0, -1, "not a file of a trackrecord bundle (expected "
                            + String.join(", ", BundleFormat.FILES) + ")");
                }
                if (!seen.add(name)) {
                    throw new BundleVerificationException(name, 0, -1, "appears more than once in the zip");
                }
            }
            for (String required : List.of(CHECKPOINT, KEY, ENTRIES, PROOFS, MANIFEST)) {
                if (!seen.contains(required)) {
                    throw new BundleVerificationException(required, 0, -1, "missing from the bundle");
                }
            }
        }

        private NoteVerifier readKey() throws BundleVerificationException {
            String text = utf8(KEY, readSmall(KEY));
            if (!text.endsWith("\n")) {
                throw new BundleVerificationException(KEY, 1, -1, "must be one line ending in a newline");
            }
            NoteVerifier parsed;
            try {
                parsed = NoteVerifier.parse(text.substring(0, text.length() - 1));
            } catch (NoteException e) {
                throw new BundleVerificationException(KEY, 1, -1, "not a verifier key: " + e.getMessage(), e);
            }
            if (!(parsed.text() + "\n").equals(text)) {
                throw new BundleVerificationException(KEY, 1, -1, "not in C2SP verifier key text form");
            }
            if (trustedKey.isPresent() && !trustedKey.get().equals(parsed)) {
                throw new BundleVerificationException(KEY, 1, -1, "key " + parsed.text()
                        + " is not the trusted key " + trustedKey.get().text());
            }
            return trustedKey.orElse(parsed);
        }

        private Checkpoint readCheckpoint() throws BundleVerificationException {
            byte[] note = readSmall(CHECKPOINT);
            Checkpoint opened;
            try {
                opened = Checkpoint.open(note, key);
            } catch (NoteException e) {
                throw new BundleVerificationException(CHECKPOINT, e.line().orElse(0), -1,
                        "not a checkpoint signed by " + key.text() + ": " + e.getMessage(), e);
            }
            requireOneSignature(CHECKPOINT, new String(note, StandardCharsets.UTF_8));
            return opened;
        }

        /**
         * A signed note may carry signatures by other keys, which a verifier ignores; a bundle's
         * notes carry only the log's, so that no byte of them goes unchecked.
         */
        private static void requireOneSignature(String file, String note) throws BundleVerificationException {
            int blank = note.indexOf("\n\n");
            long signatures = note.substring(blank + 2).chars().filter(c -> c == '\n').count();
            if (signatures != 1) {
                throw new BundleVerificationException(file, 0, -1, "carries " + signatures
                        + " signature lines; a bundle's checkpoint carries only the log's signature");
            }
        }

        private void readManifest() throws BundleVerificationException {
            byte[] bytes = readSmall(MANIFEST);
            JsonNode m = json(MANIFEST, 1, -1, bytes);
            requireFields(MANIFEST, 1, -1, m, Set.of("created", "entry_count", "format", "origin", "query",
                    "tree_size"));
            String format = text(MANIFEST, 1, m, "format");
            if (!format.equals(BundleFormat.FORMAT)) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "format is \"" + format + "\", this verifier reads "
                        + BundleFormat.FORMAT);
            }
            String origin = text(MANIFEST, 1, m, "origin");
            if (!origin.equals(checkpoint.origin())) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "origin \"" + origin
                        + "\" is not the checkpoint's origin \"" + checkpoint.origin() + "\"");
            }
            long treeSize = number(MANIFEST, 1, -1, m, "tree_size");
            if (treeSize != checkpoint.treeSize()) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "tree_size " + treeSize
                        + " is not the checkpoint's tree size " + checkpoint.treeSize());
            }
            manifestCount = number(MANIFEST, 1, -1, m, "entry_count");
            String created = text(MANIFEST, 1, m, "created");
            try {
                if (!CREATED.matcher(created).matches()) {
                    throw new DateTimeParseException("not yyyy-mm-ddThh:mm:ss.sssZ", created, 0);
                }
                Instant.parse(created);
            } catch (DateTimeParseException e) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "created \"" + created
                        + "\" is not an RFC 3339 UTC time with milliseconds", e);
            }
            query = query(m.get("query"));
            if (!BundleWriter.applied(query, treeSize).equals(query)) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "query.to_seq " + query.toSeq().getAsLong()
                        + " is beyond the checkpoint's last seq " + (treeSize - 1)
                        + "; the writer records the range it applied");
            }
            CanonicalWriter expected = new CanonicalWriter(1024);
            BundleFormat.manifest(expected, created, manifestCount, origin, query, treeSize);
            expected.ascii("\n");
            if (!Arrays.equals(expected.toByteArray(), bytes)) {
                throw new BundleVerificationException(MANIFEST, 1, -1,
                        "not in canonical form (RFC 8785 JSON followed by one newline)");
            }
        }

        private ExportQuery query(JsonNode q) throws BundleVerificationException {
            if (q == null || !q.isObject()) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "query must be an object");
            }
            requireFields(MANIFEST, 1, -1, q, Set.of("contractor", "from_seq", "to_seq", "kinds", "since_size"));
            Set<EntryKind> kinds = EnumSet.noneOf(EntryKind.class);
            if (q.has("kinds")) {
                if (!q.get("kinds").isArray() || q.get("kinds").isEmpty()) {
                    throw new BundleVerificationException(MANIFEST, 1, -1, "query.kinds must be a non-empty array");
                }
                for (JsonNode k : q.get("kinds")) {
                    kinds.add(EntryKind.fromWire(k.isTextual() ? k.textValue() : "").orElseThrow(() ->
                            new BundleVerificationException(MANIFEST, 1, -1, "query.kinds: unknown kind " + k)));
                }
            }
            try {
                return new ExportQuery(
                        q.has("contractor") ? Optional.of(text(MANIFEST, 1, q, "contractor")) : Optional.empty(),
                        optionalNumber(q, "from_seq"), optionalNumber(q, "to_seq"), kinds,
                        optionalNumber(q, "since_size"));
            } catch (InvalidQueryException e) {
                throw new BundleVerificationException(MANIFEST, 1, -1, "query." + e.getMessage(), e);
            }
        }

        private OptionalLong optionalNumber(JsonNode q, String name) throws BundleVerificationException {
            return q.has(name) ? OptionalLong.of(number(MANIFEST, 1, -1, q, name)) : OptionalLong.empty();
        }

        private OptionalLong checkConsistency() throws BundleVerificationException {
            boolean present = zip.getEntry(CONSISTENCY) != null;
            if (query.sinceSize().isEmpty()) {
                if (present) {
                    throw new BundleVerificationException(CONSISTENCY, 0, -1,
                            "present, but the manifest's query names no since_size");
                }
                return OptionalLong.empty();
            }
            if (!present) {
                throw new BundleVerificationException(CONSISTENCY, 0, -1,
                        "missing, but the manifest's query names since_size " + query.sinceSize().getAsLong());
            }
            byte[] bytes = readSmall(CONSISTENCY);
            JsonNode c = json(CONSISTENCY, 1, -1, bytes);
            requireFields(CONSISTENCY, 1, -1, c, Set.of("size1", "root1", "checkpoint1", "size2", "hashes"));
            long size1 = number(CONSISTENCY, 1, -1, c, "size1");
            long size2 = number(CONSISTENCY, 1, -1, c, "size2");
            byte[] root1 = hash(CONSISTENCY, 1, -1, c.get("root1"), "root1");
            List<byte[]> hashes = hashes(CONSISTENCY, 1, -1, c.get("hashes"));
            String note1 = text(CONSISTENCY, 1, c, "checkpoint1");
            CanonicalWriter expected = new CanonicalWriter(4096);
            BundleFormat.consistency(expected, size1, root1, note1, size2, hashes);
            expected.ascii("\n");
            if (!Arrays.equals(expected.toByteArray(), bytes)) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1,
                        "not in the exact form {\"size1\":..,\"root1\":..,\"checkpoint1\":..,\"size2\":..,\"hashes\":[..]}"
                                + " followed by one newline");
            }
            if (size1 != query.sinceSize().getAsLong()) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1, "size1 " + size1
                        + " is not the query's since_size " + query.sinceSize().getAsLong());
            }
            if (size2 != checkpoint.treeSize()) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1, "size2 " + size2
                        + " is not the checkpoint's tree size " + checkpoint.treeSize());
            }
            Checkpoint first;
            try {
                first = Checkpoint.open(note1, key);
            } catch (NoteException e) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1, "checkpoint1 is not a checkpoint signed by "
                        + key.text() + ": " + e.getMessage(), e);
            }
            requireOneSignature(CONSISTENCY, note1);
            if (first.treeSize() != size1 || !MessageDigest.isEqual(first.rootHash(), root1)) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1, "checkpoint1 signs tree size "
                        + first.treeSize() + " with root " + HEX.formatHex(first.rootHash()) + ", not size1 " + size1
                        + " with root1 " + HEX.formatHex(root1));
            }
            try {
                ProofVerifier.verifyConsistency(size1, size2, hashes, root1, checkpoint.rootHash());
            } catch (ProofException e) {
                throw new BundleVerificationException(CONSISTENCY, 1, -1,
                        "consistency proof from size " + size1 + " to " + size2 + " does not verify: " + e.getMessage(), e);
            }
            return OptionalLong.of(size1);
        }

        private long checkEntries() throws BundleVerificationException {
            long treeSize = checkpoint.treeSize();
            byte[] root = checkpoint.rootHash();
            boolean fullRange = query.contractor().isEmpty() && query.kinds().isEmpty();
            boolean fullContractor = query.contractor().isPresent() && query.kinds().isEmpty();
            long from = query.fromSeq().orElse(0);
            long to = Math.min(query.toSeq().orElse(Long.MAX_VALUE - 1), treeSize - 1);
            Map<String, Long> lastOfContractor = new HashMap<>();
            LongList exported = new LongList();
            long prevSeq = -1;
            byte[] prevLeaf = null;
            Instant prevTs = Instant.EPOCH;
            int line = 0;
            try (LineReader entries = new LineReader(open(ENTRIES), ENTRIES, MAX_ENTRY_LINE);
                 LineReader proofs = new LineReader(open(PROOFS), PROOFS, MAX_PROOF_LINE)) {
                while (true) {
                    byte[] entryLine = entries.next();
                    byte[] proofLine = proofs.next();
                    line++;
                    if (entryLine == null && proofLine == null) {
                        break;
                    }
                    if (proofLine == null) {
                        throw new BundleVerificationException(PROOFS, line, -1,
                                "missing: entries.jsonl has more lines than proofs.jsonl");
                    }
                    if (entryLine == null) {
                        throw new BundleVerificationException(ENTRIES, line, -1,
                                "missing: proofs.jsonl has more lines than entries.jsonl");
                    }
                    Entry e;
                    try {
                        e = Entry.parse(entryLine);
                    } catch (InvalidEntryException ex) {
                        throw new BundleVerificationException(ENTRIES, line, -1, "not a canonical entry: "
                                + ex.getMessage(), ex);
                    }
                    long seq = e.seq();
                    byte[] leaf = Rfc9162.leafHash(entryLine);
                    Proof p = proof(proofLine, line, seq);
                    if (p.seq != seq) {
                        throw new BundleVerificationException(PROOFS, line, seq, "seq " + p.seq
                                + " is not the seq of entries.jsonl line " + line);
                    }
                    if (p.treeSize != treeSize) {
                        throw new BundleVerificationException(PROOFS, line, seq, "tree_size " + p.treeSize
                                + " is not the checkpoint's tree size " + treeSize);
                    }
                    if (seq <= prevSeq) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "seq does not ascend (the line before"
                                + " has seq " + prevSeq + ")");
                    }
                    if (seq >= treeSize) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "seq is beyond the checkpoint's tree"
                                + " size " + treeSize);
                    }
                    checkInclusion(line, seq, leaf, p, treeSize, root);
                    if (!query.matches(e)) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "entry (contractor " + e.contractor()
                                + ", kind " + e.kind().wire() + ") is not selected by the manifest's query");
                    }
                    if (fullRange && seq != (prevSeq < 0 ? from : prevSeq + 1)) {
                        long missing = prevSeq < 0 ? from : prevSeq + 1;
                        throw new BundleVerificationException(ENTRIES, line, seq, "seq " + missing
                                + " is missing: the query selects every entry from seq " + from + " to " + to);
                    }
                    if (seq == 0 && !Arrays.equals(e.prev(), new byte[Entry.HASH_BYTES])) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "prev of seq 0 must be 64 zeros");
                    }
                    if (prevLeaf != null && prevSeq == seq - 1 && !MessageDigest.isEqual(e.prev(), prevLeaf)) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "prev " + e.prevHex()
                                + " is not the leaf hash " + HEX.formatHex(prevLeaf) + " of seq " + prevSeq
                                + " on line " + (line - 1));
                    }
                    if (e.ts().isBefore(prevTs)) {
                        throw new BundleVerificationException(ENTRIES, line, seq, "ts " + e.ts()
                                + " is before the previous entry's ts " + prevTs);
                    }
                    checkCprev(line, e, lastOfContractor.get(e.contractor()), exported, fullContractor, from);
                    lastOfContractor.put(e.contractor(), seq);
                    exported.add(seq);
                    prevSeq = seq;
                    prevLeaf = leaf;
                    prevTs = e.ts();
                }
            }
            long count = line - 1;
            if (fullRange && to >= from && count != to - from + 1) {
                throw new BundleVerificationException(ENTRIES, line, -1, "ends at seq " + prevSeq
                        + ", but the query selects every entry from seq " + from + " to " + to);
            }
            return count;
        }

        private void checkInclusion(int line, long seq, byte[] leaf, Proof p, long treeSize, byte[] root)
                throws BundleVerificationException {
            byte[] calculated;
            try {
                calculated = ProofVerifier.rootFromInclusionProof(seq, treeSize, leaf, p.hashes);
            } catch (ProofException ex) {
                throw new BundleVerificationException(PROOFS, line, seq, "inclusion proof is malformed: "
                        + ex.getMessage(), ex);
            }
            boolean entryIncluded = MessageDigest.isEqual(calculated, root);
            if (entryIncluded && !MessageDigest.isEqual(leaf, p.leafHash)) {
                throw new BundleVerificationException(PROOFS, line, seq, "leaf_hash " + HEX.formatHex(p.leafHash)
                        + " is not the leaf hash " + HEX.formatHex(leaf) + " of entries.jsonl line " + line);
            }
            if (!entryIncluded) {
                String detail = "";
                if (!MessageDigest.isEqual(leaf, p.leafHash)) {
                    detail = "; the line hashes to " + HEX.formatHex(leaf) + " but proofs.jsonl line " + line
                            + " has leaf_hash " + HEX.formatHex(p.leafHash) + ", so the entry line was changed";
                }
                throw new BundleVerificationException(ENTRIES, line, seq,
                        "inclusion proof does not lead to the checkpoint root (expected " + HEX.formatHex(root)
                                + ", calculated " + HEX.formatHex(calculated) + ")" + detail);
            }
        }

        /**
         * Checks {@code cprev} as far as the bundle allows. Always: it is below the entry's seq,
         * not below the seq of the same contractor's previous exported entry L (a later one of
         * theirs would have been its cprev), and when it names an exported entry that entry is L
         * (so it is the same contractor's). When the query selects a contractor's whole record in
         * its range (no kinds filter), also: the first entry's cprev lies before the range
         * (-1 when the range starts at 0) and every later cprev is exactly L. Entries a kinds filter
         * or the range left out cannot be checked: cprev may then name a seq that is not here.
         */
        private static void checkCprev(int line, Entry e, Long last, LongList exported, boolean fullContractor,
                                       long from) throws BundleVerificationException {
            long seq = e.seq();
            long cprev = e.cprev();
            if (cprev >= seq || cprev < -1) {
                throw new BundleVerificationException(ENTRIES, line, seq, "cprev " + cprev + " is not an earlier seq");
            }
            if (last != null && cprev < last) {
                throw new BundleVerificationException(ENTRIES, line, seq, "cprev " + cprev + " skips seq " + last
                        + ", an exported entry of the same contractor " + e.contractor());
            }
            if (cprev >= 0 && exported.contains(cprev) && (last == null || cprev != last)) {
                throw new BundleVerificationException(ENTRIES, line, seq, "cprev " + cprev
                        + " names an exported entry of another contractor than " + e.contractor());
            }
            if (fullContractor) {
                if (last == null && cprev >= from) {
                    throw new BundleVerificationException(ENTRIES, line, seq, "cprev " + cprev + " names seq " + cprev
                            + ", which the export of contractor " + e.contractor() + "'s whole record from seq " + from
                            + " should hold but does not");
                }
                if (last != null && cprev != last) {
                    throw new BundleVerificationException(ENTRIES, line, seq, "cprev " + cprev
                            + " is not the contractor's previous exported entry, seq " + last);
                }
            }
        }

        private record Proof(long seq, byte[] leafHash, long treeSize, List<byte[]> hashes) {
        }

        private Proof proof(byte[] bytes, int line, long seq) throws BundleVerificationException {
            JsonNode p = json(PROOFS, line, seq, bytes);
            requireFields(PROOFS, line, seq, p, Set.of("seq", "leaf_hash", "tree_size", "hashes"));
            Proof proof = new Proof(number(PROOFS, line, seq, p, "seq"), hash(PROOFS, line, seq, p.get("leaf_hash"),
                    "leaf_hash"), number(PROOFS, line, seq, p, "tree_size"), hashes(PROOFS, line, seq, p.get("hashes")));
            CanonicalWriter expected = new CanonicalWriter(bytes.length + 16);
            BundleFormat.proofLine(expected, proof.seq, proof.leafHash, proof.treeSize, proof.hashes);
            if (!Arrays.equals(expected.toByteArray(), bytes)) {
                throw new BundleVerificationException(PROOFS, line, seq,
                        "not in the exact form {\"seq\":..,\"leaf_hash\":..,\"tree_size\":..,\"hashes\":[..]}");
            }
            return proof;
        }

        /**
         * personal.json against the entries: a second pass over entries.jsonl (verified by now)
         * collects each entry's sealed personal data, {@code body.personal}.
         */
        private long checkPersonal() throws BundleVerificationException {
            final String file = BundleFormat.PERSONAL;
            if (query.contractor().isEmpty() || !query.kinds().isEmpty()) {
                throw new BundleVerificationException(file, 0, -1,
                        "only a contractor's own export of their whole record carries personal data");
            }
            Map<Long, JsonNode> sealed = new HashMap<>();
            try (LineReader entries = new LineReader(open(ENTRIES), ENTRIES, MAX_ENTRY_LINE)) {
                byte[] line;
                int n = 0;
                while ((line = entries.next()) != null) {
                    n++;
                    JsonNode e = json(ENTRIES, n, -1, line);
                    if (e.path("body").has("personal")) {
                        sealed.put(e.get("seq").asLong(), e.get("body").get("personal"));
                    }
                }
            }
            byte[] bytes;
            try (InputStream in = open(file)) {
                bytes = in.readNBytes(MAX_ENTRY_LINE * 16 + 1);
            } catch (IOException e) {
                throw new BundleVerificationException(file, 0, -1, "cannot be read: " + e.getMessage(), e);
            }
            JsonNode p = json(file, 1, -1, bytes);
            requireFields(file, 1, -1, p, Set.of("contractor", "format", "records", "shredded"));
            if (!BundleFormat.PERSONAL_FORMAT.equals(p.path("format").asText())) {
                throw new BundleVerificationException(file, 1, -1, "format must be " + BundleFormat.PERSONAL_FORMAT);
            }
            if (!query.contractor().get().equals(p.path("contractor").asText())) {
                throw new BundleVerificationException(file, 1, -1, "contractor \"" + p.path("contractor").asText()
                        + "\" is not the exported contractor \"" + query.contractor().get() + "\"");
            }
            Set<Long> accounted = new HashSet<>();
            long count = 0;
            for (JsonNode r : p.path("records")) {
                long seq = number(file, 1, -1, r, "seq");
                JsonNode s = sealedAt(sealed, seq, r, accounted);
                byte[] salt;
                try {
                    salt = HEX.parseHex(r.path("salt").asText());
                } catch (IllegalArgumentException e) {
                    throw new BundleVerificationException(file, 1, seq, "salt must be hex");
                }
                if (salt.length != dev.trackrecord.ledger.privacy.Commitments.SALT_BYTES) {
                    throw new BundleVerificationException(file, 1, seq, "salt must be "
                            + dev.trackrecord.ledger.privacy.Commitments.SALT_BYTES + " bytes");
                }
                JsonNode fields = r.path("fields");
                Set<String> names = new HashSet<>();
                fields.fieldNames().forEachRemaining(names::add);
                Set<String> committed = new HashSet<>();
                s.path("fields").fieldNames().forEachRemaining(committed::add);
                if (!names.equals(committed)) {
                    throw new BundleVerificationException(file, 1, seq, "fields " + names
                            + " are not the fields the entry commits to " + committed);
                }
                for (String name : names) {
                    if (!dev.trackrecord.ledger.privacy.Commitments.matches(salt, name, fields.get(name).asText(),
                            s.path("fields").path(name).asText())) {
                        throw new BundleVerificationException(file, 1, seq, "the value of " + name
                                + " does not give the entry's commitment under the salt");
                    }
                }
                count++;
            }
            for (JsonNode r : p.path("shredded")) {
                sealedAt(sealed, number(file, 1, -1, r, "seq"), r, accounted);
            }
            for (long seq : sealed.keySet()) {
                if (!accounted.contains(seq)) {
                    throw new BundleVerificationException(file, 1, seq,
                            "the entry holds sealed personal data that personal.json neither gives nor lists as shredded");
                }
            }
            return count;
        }

        private static JsonNode sealedAt(Map<Long, JsonNode> sealed, long seq, JsonNode record, Set<Long> accounted)
                throws BundleVerificationException {
            JsonNode s = sealed.get(seq);
            if (s == null) {
                throw new BundleVerificationException(BundleFormat.PERSONAL, 1, seq,
                        "no entry of the bundle holds sealed personal data at this seq");
            }
            if (!s.path("key").asText().equals(record.path("key").asText())) {
                throw new BundleVerificationException(BundleFormat.PERSONAL, 1, seq, "key \""
                        + record.path("key").asText() + "\" is not the entry's key \"" + s.path("key").asText() + "\"");
            }
            if (!accounted.add(seq)) {
                throw new BundleVerificationException(BundleFormat.PERSONAL, 1, seq, "listed more than once");
            }
            return s;
        }

        // ------------------------------------------------------------ reading

        private InputStream open(String name) throws BundleVerificationException {
            try {
                return new BufferedInputStream(zip.getInputStream(zip.getEntry(name)), 64 * 1024);
            } catch (IOException e) {
                throw new BundleVerificationException(name, 0, -1, "cannot be read: " + e.getMessage(), e);
            }
        }

        private byte[] readSmall(String name) throws BundleVerificationException {
            ZipEntry entry = zip.getEntry(name);
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] bytes = in.readNBytes(MAX_SMALL_FILE + 1);
                if (bytes.length > MAX_SMALL_FILE) {
                    throw new BundleVerificationException(name, 0, -1, "larger than " + MAX_SMALL_FILE + " bytes");
                }
                return bytes;
            } catch (IOException e) {
                throw new BundleVerificationException(name, 0, -1, "cannot be read: " + e.getMessage(), e);
            }
        }

        private static String utf8(String file, byte[] bytes) throws BundleVerificationException {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new BundleVerificationException(file, 0, -1, "not UTF-8", e);
            }
        }

        private static JsonNode json(String file, int line, long seq, byte[] bytes) throws BundleVerificationException {
            JsonNode node;
            try {
                node = CanonicalJson.parse(bytes);
            } catch (InvalidJsonException e) {
                throw new BundleVerificationException(file, line, seq, "not valid JSON: " + e.getMessage(), e);
            }
            if (!node.isObject()) {
                throw new BundleVerificationException(file, line, seq, "must be a JSON object");
            }
            return node;
        }

        private static void requireFields(String file, int line, long seq, JsonNode node, Set<String> allowed)
                throws BundleVerificationException {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!allowed.contains(name)) {
                    throw new BundleVerificationException(file, line, seq, "unknown field \"" + name + "\"");
                }
            }
        }

        private static String text(String file, int line, JsonNode node, String name) throws BundleVerificationException {
            JsonNode v = node.get(name);
            if (v == null || !v.isTextual()) {
                throw new BundleVerificationException(file, line, -1, name + " must be a string");
            }
            return v.textValue();
        }

        private static long number(String file, int line, long seq, JsonNode node, String name)
                throws BundleVerificationException {
            JsonNode v = node.get(name);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new BundleVerificationException(file, line, seq, name + " must be a non-negative integer");
            }
            return v.longValue();
        }

        private static byte[] hash(String file, int line, long seq, JsonNode v, String name)
                throws BundleVerificationException {
            if (v == null || !v.isTextual() || v.textValue().length() != 64
                    || !v.textValue().chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new BundleVerificationException(file, line, seq, name + " must be 64 lowercase hex digits");
            }
            return HEX.parseHex(v.textValue());
        }

        private static List<byte[]> hashes(String file, int line, long seq, JsonNode v)
                throws BundleVerificationException {
            if (v == null || !v.isArray() || v.size() > 64) {
                throw new BundleVerificationException(file, line, seq, "hashes must be an array of at most 64 hashes");
            }
            List<byte[]> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                out.add(hash(file, line, seq, v.get(i), "hashes[" + i + "]"));
            }
            return out;
        }
    }

    /** Splits a stream into lines ending in '\n', refusing a last line without one. */
    private static final class LineReader implements AutoCloseable {
        private final InputStream in;
        private final String file;
        private final int max;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
        private int line;

        LineReader(InputStream in, String file, int max) {
            this.in = in;
            this.file = file;
            this.max = max;
        }

        /** The next line without its '\n', or null at the end. */
        byte[] next() throws BundleVerificationException {
            buf.reset();
            line++;
            try {
                int b;
                while ((b = in.read()) != -1) {
                    if (b == '\n') {
                        return buf.toByteArray();
                    }
                    if (buf.size() == max) {
                        throw new BundleVerificationException(file, line, -1, "longer than " + max + " bytes");
                    }
                    buf.write(b);
                }
            } catch (IOException e) {
                throw new BundleVerificationException(file, line, -1, "cannot be read: " + e.getMessage(), e);
            }
            if (buf.size() > 0) {
                throw new BundleVerificationException(file, line, -1, "does not end with a newline");
            }
            return null;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // Read-only; nothing to lose.
            }
        }
    }

    /** Ascending seqs of the exported entries, 8 bytes each, searched by bisection. */
    private static final class LongList {
        private long[] a = new long[1024];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        boolean contains(long v) {
            return Arrays.binarySearch(a, 0, n, v) >= 0;
        }
    }
}
