package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.merkle.CompactRange;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.store.storage.embedded.types.EmbeddedStorage;
import org.eclipse.store.storage.embedded.types.EmbeddedStorageManager;

/**
 * Checks a data directory against itself from first principles, reading the stored entries in
 * one pass: each entry's bytes parse as a canonical entry (which rehashes what is stored, not
 * what was indexed) with the expected {@code seq}, {@code prev} (the previous entry's leaf
 * hash), {@code cprev} (the contractor's previous seq), a unique event_id and a {@code ts} that
 * never decreases; the stored index columns agree with the bytes; every stored tree node equals
 * the one recomputed from the leaves (a compact range, so the recomputation holds O(log n)
 * hashes); and every stored checkpoint carries a valid signature by the directory's verifier
 * key over the recomputed root at its size.
 *
 * <p>Requires that no ledger has the directory open. Stops at the first problem and names it.
 */
public final class Fsck {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * What fsck found.
     *
     * @param entries entries checked
     * @param contractors distinct contractors
     * @param checkpoints signed checkpoints checked
     * @param latestCheckpointSize tree size of the newest checkpoint, if any
     * @param root recomputed root of the whole log, hex
     * @param problem the first problem, if any; naming the seq when an entry is at fault
     * @param badSeq the first bad entry, when the problem is in one
     * @param sealed whether the directory had a {@link StoreSeal} (it was closed cleanly), which
     *               then vouched for every byte of its files
     */
    public record Report(long entries, long contractors, long checkpoints, OptionalLong latestCheckpointSize,
                         String root, Optional<String> problem, OptionalLong badSeq, boolean sealed) {
        public boolean ok() {
            return problem.isEmpty();
        }

        /** One line for a terminal. */
        public String summary() {
            if (problem.isPresent()) {
                return "FAILED: " + problem.get();
            }
            return "OK: " + entries + " entries, " + contractors + " contractors, " + checkpoints
                    + " signed checkpoints verified" + (latestCheckpointSize.isPresent()
                    ? " (latest at tree size " + latestCheckpointSize.getAsLong() + ")" : "") + "; root " + root
                    + (sealed ? "; every file as sealed at the last clean close"
                    : "; no seal (not closed cleanly): checked by content only");
        }
    }

    /** A problem found; unwinds the scan to the report. */
    private static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;
        final long seq;

        Problem(long seq, String message) {
            super(message, null, false, false);
            this.seq = seq;
        }
    }

    private final DataDirectory dir;
    private LedgerRoot root;
    private SegmentLog segments;
    private long[] chunkStarts = new long[64];
    private int chunkCount;
    private long entries;
    private long checkpointsChecked;
    private boolean sealed;
    private CompactRange range = CompactRange.empty();

    private Fsck(DataDirectory dir) {
        this.dir = dir;
    }

    /**
     * Checks the ledger in {@code dataDir}, which no running ledger may have open.
     *
     * @throws IOException if the directory holds no ledger or its files cannot be read
     */
    public static Report check(Path dataDir) throws IOException {
        DataDirectory dir = new DataDirectory(dataDir);
        if (!Files.isDirectory(dir.store())) {
            throw new IOException(dir.store() + ": no ledger store here");
        }
        return new Fsck(dir).run();
    }

    /**
     * The check a service runs before it serves {@code dataDir}: with {@code trustSeal} and a seal
     * (the directory was closed cleanly), only that no stored byte changed since, which reads each
     * file once without parsing it; otherwise {@link #check}. Returns the problem, if any.
     */
    public static Optional<String> checkBeforeServing(Path dataDir, boolean trustSeal) throws IOException {
        if (trustSeal) {
            StoreSeal.Check seal = StoreSeal.verify(dataDir);
            if (seal.present()) {
                return seal.problem();
            }
        }
        return check(dataDir).problem();
    }

    private Report run() throws IOException {
        DirectoryLock lock;
        try {
            lock = DirectoryLock.acquire(dir.root());
        } catch (IOException e) {
            return failed(-1, e.getMessage());
        }
        try (lock) {
            return runLocked();
        }
    }

    /**
     * Compares the files with the seal first (EclipseStore's housekeeping rewrites its files once
     * it starts), then checks the content; a content problem is named before a seal mismatch
     * since it names the entry. A directory that passes is sealed again.
     */
    private Report runLocked() throws IOException {
        StoreSeal.Check seal = StoreSeal.verify(dir.root());
        sealed = seal.present();
        if (seal.problem().isPresent() && !seal.problem().get().startsWith("segments/")
                && !seal.problem().get().startsWith("keys/")) {
            // EclipseStore reads its files with Unsafe and does not bounds-check a damaged record:
            // a changed byte in store/ crashed the JVM (SIGSEGV) once in 1,000 cases. Do not start it.
            return failed(-1, seal.problem().get());
        }
        Report report = checkContent();
        if (report.ok() && seal.problem().isPresent()) {
            return failed(-1, seal.problem().get());
        }
        if (report.ok()) {
            StoreSeal.write(dir.root());
        }
        return report;
    }

    private Report checkContent() throws IOException {
        Optional<NoteVerifier> key;
        try {
            key = Files.exists(dir.checkpointVerifierKey())
                    ? Optional.of(dir.loadCheckpointVerifier()) : Optional.empty();
        } catch (IOException e) {
            return failed(-1, "the checkpoint verifier key is damaged: " + e.getMessage());
        }
        EmbeddedStorageManager storage;
        try {
            storage = EmbeddedStorage.Foundation(dir.store()).createEmbeddedStorageManager().start();
        } catch (RuntimeException e) {
            return failed(-1, "the store cannot be opened: " + e);
        }
        try {
            Object r = storage.root();
            if (!(r instanceof LedgerRoot lr)) {
                return failed(-1, "the store holds " + (r == null ? "nothing" : "a " + r.getClass().getName())
                        + ", not a ledger");
            }
            root = lr;
            try {
                segments = SegmentLog.openForReading(dir.segments(), root.segmentEnd);
                root.tree.attach(segments);
                // The tree's partial tiles are not stored; recompute them from the stored leaves.
                for (long c = 0; c < root.chunks.size(); c++) {
                    Chunk chunk = root.chunks.get(c);
                    chunk.loadColumns(segments);
                    requireWithinSegment(chunk, c);
                    addChunkStart(chunk.firstSeq);
                }
                root.tree.rebuildPartials(root.size,
                        seq -> Rfc9162.leafHash(chunkOf(seq).entry(seq, segments)));
                chunkCount = 0;
            } catch (Problem p) {
                return failed(p.seq, p.getMessage());
            } catch (IOException | RuntimeException e) {
                return failed(-1, "the segment log cannot be opened: " + e.getMessage());
            }
            try {
                scan(key);
                checkSegmentLayout();
                checkKeys(key);
            } catch (Problem p) {
                return failed(p.seq, p.getMessage());
            } catch (RuntimeException e) {
                return failed(entries < root.size ? entries : -1, "reading the store failed at seq " + entries + ": "
                        + e);
            }
            long n = root.checkpoints.size();
            return new Report(entries, root.contractors.size(), checkpointsChecked,
                    n == 0 ? OptionalLong.empty() : OptionalLong.of(root.checkpoints.get(n - 1).treeSize),
                    HEX.formatHex(range.root()), Optional.empty(), OptionalLong.empty(), sealed);
        } finally {
            storage.shutdown();
            if (segments != null) {
                segments.close();
            }
        }
    }

    private Report failed(long seq, String message) {
        return new Report(entries, root == null ? 0 : root.contractors.size(), checkpointsChecked,
                OptionalLong.empty(), "", Optional.of(message), seq >= 0 ? OptionalLong.of(seq) : OptionalLong.empty(),
                sealed);
    }

    private void scan(Optional<NoteVerifier> key) throws Problem {
        if (root.format != LedgerRoot.FORMAT) {
            throw new Problem(-1, "unsupported data format " + root.format);
        }
        long size = root.size;
        if (root.tree.levelSize(0) != size) {
            throw new Problem(-1, "the tree holds " + root.tree.levelSize(0) + " leaves but the log says " + size
                    + " entries");
        }
        long checkpointCount = root.checkpoints.size();
        if (checkpointCount > 0 && key.isEmpty()) {
            throw new Problem(-1, "the log has signed checkpoints but there is no verifier key at "
                    + dir.checkpointVerifierKey() + " to check them with");
        }
        long nextCheckpoint = 0;
        long[] lastOfContractor = new long[(int) root.contractors.size()];
        Arrays.fill(lastOfContractor, -1);
        EventIndex events = new EventIndex(size + 1024, this::eventHashOf);
        byte[] prevLeaf = new byte[Entry.HASH_BYTES];
        Instant prevTs = Instant.EPOCH;
        Problem[] nodeProblem = new Problem[1];
        Problem checksumProblem = null;

        nextCheckpoint = checkCheckpointsAt(0, nextCheckpoint, checkpointCount, key);
        for (long c = 0; c < root.chunks.size(); c++) {
            Chunk chunk = root.chunks.get(c);
            if (chunk.firstSeq != entries) {
                throw new Problem(entries, "chunk " + c + " starts at seq " + chunk.firstSeq
                        + " but the entries before it end at " + entries);
            }
            addChunkStart(chunk.firstSeq);
            chunk.loadColumns(segments);
            requireWithinSegment(chunk, c);
            byte[] data = chunk.data(segments);
            int count = chunk.count();
            if (chunk.offsets.length != count + 1 || chunk.contractors.length != count || chunk.offsets[0] != 0
                    || chunk.offsets[count] != data.length) {
                throw new Problem(chunk.firstSeq, "chunk " + c + " (seqs from " + chunk.firstSeq
                        + ") has inconsistent offsets or columns");
            }
            for (int i = 0; i < count; i++) {
                long seq = chunk.firstSeq + i;
                if (seq >= size) {
                    throw new Problem(seq, "entry " + seq + " is stored beyond the log size " + size);
                }
                int from = chunk.offsets[i];
                int to = chunk.offsets[i + 1];
                if (from > to) {
                    throw new Problem(seq, "entry " + seq + ": offsets decrease");
                }
                byte[] bytes = Arrays.copyOfRange(data, from, to);
                Entry e;
                try {
                    e = Entry.parse(bytes);
                } catch (InvalidEntryException ex) {
                    throw new Problem(seq, "entry " + seq + ": stored bytes are not a canonical entry: " + ex.getMessage());
                }
                if (e.seq() != seq) {
                    throw new Problem(seq, "entry " + seq + ": its seq field says " + e.seq());
                }
                if (!MessageDigest.isEqual(e.prev(), prevLeaf)) {
                    if (seq == 0) {
                        throw new Problem(0, "entry 0: prev " + e.prevHex() + " is not 64 zeros");
                    }
                    throw new Problem(seq - 1, "entry " + (seq - 1) + ": its bytes hash to " + HEX.formatHex(prevLeaf)
                            + " but entry " + seq + " records its leaf hash as " + e.prevHex() + "; entry " + (seq - 1)
                            + " (or the prev of entry " + seq + ") was changed");
                }
                // Checked only now, so that a changed entry is named by the prev link after it
                // rather than by the checkpoint that covers it.
                nextCheckpoint = checkCheckpointsAt(seq, nextCheckpoint, checkpointCount, key);
                if (e.ts().isBefore(prevTs)) {
                    throw new Problem(seq, "entry " + seq + ": ts " + e.ts() + " is before the previous entry's " + prevTs);
                }
                int ord = chunk.contractors[i];
                if (ord < 0 || ord >= lastOfContractor.length || !root.contractors.get(ord).equals(e.contractor())) {
                    throw new Problem(seq, "entry " + seq + ": the contractor column (ordinal " + ord
                            + ") does not name contractor " + e.contractor());
                }
                if (e.cprev() != lastOfContractor[ord]) {
                    throw new Problem(seq, "entry " + seq + ": cprev " + e.cprev() + " is not contractor "
                            + e.contractor() + "'s previous seq " + lastOfContractor[ord]);
                }
                long eventHash = EventIndex.hash(e.eventId());
                if (chunk.eventHashes[i] != eventHash) {
                    throw new Problem(seq, "entry " + seq + ": the event id column does not match event_id "
                            + e.eventId());
                }
                String eventId = e.eventId();
                long earlier = events.find(eventHash, s -> eventIdOf(s).equals(eventId));
                if (earlier >= 0) {
                    throw new Problem(seq, "entry " + seq + ": event_id " + eventId + " was already used by seq " + earlier);
                }
                events.add(eventHash, seq);
                byte[] leaf = Rfc9162.leafHash(bytes);
                byte[] stored = root.tree.node(0, seq);
                if (!MessageDigest.isEqual(leaf, stored)) {
                    throw new Problem(seq, "entry " + seq + ": its bytes hash to " + HEX.formatHex(leaf)
                            + " but the tree stores leaf hash " + HEX.formatHex(stored));
                }
                range.append(leaf, (level, index, hash) -> {
                    if (level > 0 && nodeProblem[0] == null) {
                        nodeProblem[0] = compareNode(level, index, hash, seq);
                    }
                });
                if (nodeProblem[0] != null) {
                    throw nodeProblem[0];
                }
                lastOfContractor[ord] = seq;
                prevLeaf = leaf;
                prevTs = e.ts();
                entries++;
            }
            // Reported only after every other check, so that a changed entry is named by the
            // links and checkpoints; this catches the rest of the record (frame and checksum).
            Optional<String> damage = chunk.checksumProblem(segments);
            if (damage.isPresent() && checksumProblem == null) {
                checksumProblem = new Problem(chunk.firstSeq, "chunk " + c + " (seqs " + chunk.firstSeq + " to "
                        + (chunk.firstSeq + count - 1) + ") " + damage.get());
            }
        }
        if (entries != size) {
            throw new Problem(entries, "the chunks hold " + entries + " entries but the log says " + size);
        }
        nextCheckpoint = checkCheckpointsAt(entries, nextCheckpoint, checkpointCount, key);
        for (int level = 0; level < 64; level++) {
            long want = size >>> level;
            if (root.tree.levelSize(level) != want) {
                throw new Problem(-1, "tree level " + level + " holds " + root.tree.levelSize(level)
                        + " nodes; " + size + " leaves make " + want);
            }
        }
        if (nextCheckpoint < checkpointCount) {
            throw new Problem(-1, "checkpoint at tree size " + root.checkpoints.get(nextCheckpoint).treeSize
                    + " is beyond the log size " + size);
        }
        if (checksumProblem != null) {
            throw checksumProblem;
        }
    }

    /**
     * Requires the committed part of the segment files to be exactly the chunk records and full
     * tiles the store points at, back to back, so that no committed byte goes unchecked.
     */
    private void checkSegmentLayout() throws Problem {
        List<long[]> pieces = new ArrayList<>();
        for (long c = 0; c < root.chunks.size(); c++) {
            Chunk chunk = root.chunks.get(c);
            pieces.add(new long[] {chunk.position, chunk.recordBytes(), c});
        }
        root.tree.forEachFullTile(p -> pieces.add(new long[] {p, TreeTiles.tileBytes(), -1}));
        pieces.sort(Comparator.comparingLong(p -> p[0]));
        long expect = 0;
        for (long[] piece : pieces) {
            String what = piece[2] >= 0 ? "chunk " + piece[2] : "a tree tile";
            int segment = SegmentLog.segmentOf(expect);
            if (SegmentLog.segmentOf(piece[0]) != segment) {
                requireSegmentLength(segment, SegmentLog.offsetOf(expect));
                expect = SegmentLog.position(segment + 1, 0);
            }
            if (piece[0] != expect) {
                throw new Problem(-1, "segment " + SegmentLog.segmentOf(expect) + ": " + what + " is stored at offset "
                        + SegmentLog.offsetOf(piece[0]) + " (segment " + SegmentLog.segmentOf(piece[0])
                        + ") but the records before it end at offset " + SegmentLog.offsetOf(expect));
            }
            expect = piece[0] + piece[1];
        }
        if (expect != root.segmentEnd) {
            throw new Problem(-1, "the chunk records and tiles end at segment " + SegmentLog.segmentOf(expect)
                    + " offset " + SegmentLog.offsetOf(expect) + " but the store says the committed segment log ends at"
                    + " segment " + SegmentLog.segmentOf(root.segmentEnd) + " offset "
                    + SegmentLog.offsetOf(root.segmentEnd));
        }
    }

    /** A damaged offset table must not make fsck allocate gigabytes for a chunk that cannot be there. */
    private void requireWithinSegment(Chunk chunk, long c) throws Problem {
        int segment = SegmentLog.segmentOf(chunk.position);
        long committed = segment == SegmentLog.segmentOf(root.segmentEnd) ? SegmentLog.offsetOf(root.segmentEnd)
                : SegmentLog.MAX_SEGMENT_BYTES;
        if (SegmentLog.offsetOf(chunk.position) + chunk.recordBytes() > committed) {
            throw new Problem(chunk.firstSeq, "chunk " + c + " (seqs from " + chunk.firstSeq + "): its offset table says"
                    + " its entries end past the committed end of segment " + segment + "; entry "
                    + chunk.firstSeq + " or a later one in it has a damaged offset");
        }
    }

    private void requireSegmentLength(int segment, long length) throws Problem {
        Path file = dir.segments().resolve(String.format("seg-%06d.dat", segment));
        try {
            if (Files.size(file) != length) {
                throw new Problem(-1, file + " holds " + Files.size(file) + " bytes but its records end at " + length);
            }
        } catch (IOException e) {
            throw new Problem(-1, file + " cannot be read: " + e.getMessage());
        }
    }

    /** The signer key must belong to the verifier key and both name the log's origin. */
    private void checkKeys(Optional<NoteVerifier> key) throws Problem {
        if (key.isPresent() && !key.get().name().equals(root.origin)) {
            throw new Problem(-1, dir.checkpointVerifierKey() + " is for origin '" + key.get().name()
                    + "' but the log's origin is '" + root.origin + "'");
        }
        if (!Files.exists(dir.checkpointKey())) {
            return;
        }
        NoteSigner signer;
        try {
            signer = dir.loadCheckpointSigner();
        } catch (IOException e) {
            throw new Problem(-1, "the checkpoint signer key is damaged: " + e.getMessage());
        }
        if (key.isPresent() && !signer.verifier().text().equals(key.get().text())) {
            throw new Problem(-1, dir.checkpointKey() + " does not belong to " + dir.checkpointVerifierKey()
                    + ": it verifies as " + signer.verifier().text());
        }
        if (!signer.name().equals(root.origin)) {
            throw new Problem(-1, dir.checkpointKey() + " signs for origin '" + signer.name()
                    + "' but the log's origin is '" + root.origin + "'");
        }
    }

    private Problem compareNode(int level, long index, byte[] hash, long seq) {
        if (root.tree.levelSize(level) <= index) {
            return new Problem(seq, "tree node (" + level + ", " + index + "), complete at entry " + seq
                    + ", is not stored");
        }
        byte[] stored = root.tree.node(level, index);
        if (!MessageDigest.isEqual(stored, hash)) {
            return new Problem(seq, "tree node (" + level + ", " + index + ") stored as " + HEX.formatHex(stored)
                    + " but recomputed as " + HEX.formatHex(hash) + " (completed by entry " + seq + ")");
        }
        return null;
    }

    /** Checks every stored checkpoint at tree size {@code size}; returns the index of the next one. */
    private long checkCheckpointsAt(long size, long next, long count, Optional<NoteVerifier> key) throws Problem {
        while (next < count && root.checkpoints.get(next).treeSize <= size) {
            StoredCheckpoint stored = root.checkpoints.get(next);
            if (stored.treeSize < size || (next > 0 && root.checkpoints.get(next - 1).treeSize >= stored.treeSize)) {
                throw new Problem(-1, "checkpoint " + next + " (tree size " + stored.treeSize
                        + ") is out of order");
            }
            if (key.isPresent()) {
                Checkpoint cp;
                try {
                    cp = Checkpoint.open(stored.note, key.get());
                } catch (NoteException e) {
                    throw new Problem(-1, "checkpoint at tree size " + stored.treeSize + " does not verify with "
                            + dir.checkpointVerifierKey() + ": " + e.getMessage());
                }
                if (cp.treeSize() != stored.treeSize) {
                    throw new Problem(-1, "checkpoint stored for tree size " + stored.treeSize + " signs tree size "
                            + cp.treeSize());
                }
                byte[] computed = range.root();
                if (!MessageDigest.isEqual(cp.rootHash(), computed)) {
                    throw new Problem(size > 0 ? size - 1 : -1, "checkpoint at tree size " + size + " signs root "
                            + HEX.formatHex(cp.rootHash()) + " but the entries give " + HEX.formatHex(computed));
                }
            }
            checkpointsChecked++;
            next++;
        }
        return next;
    }

    private void addChunkStart(long firstSeq) {
        if (chunkCount == chunkStarts.length) {
            chunkStarts = Arrays.copyOf(chunkStarts, chunkCount * 2);
        }
        chunkStarts[chunkCount++] = firstSeq;
    }

    private Chunk chunkOf(long seq) {
        int i = Arrays.binarySearch(chunkStarts, 0, chunkCount, seq);
        return root.chunks.get(i >= 0 ? i : -i - 2);
    }

    private long eventHashOf(long seq) {
        Chunk chunk = chunkOf(seq);
        return chunk.eventHashes[(int) (seq - chunk.firstSeq)];
    }

    private String eventIdOf(long seq) {
        try {
            return Entry.parse(chunkOf(seq).entry(seq, segments)).eventId();
        } catch (InvalidEntryException e) {
            throw new IllegalStateException("entry " + seq + " was checked but no longer parses", e);
        }
    }
}
