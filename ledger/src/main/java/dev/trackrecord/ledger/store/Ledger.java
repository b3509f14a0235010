package dev.trackrecord.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.json.InvalidJsonException;
import dev.trackrecord.ledger.merkle.CompactRange;
import dev.trackrecord.ledger.merkle.Proofs;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.serializer.persistence.types.Storer;
import org.eclipse.store.storage.embedded.types.EmbeddedStorage;
import org.eclipse.store.storage.embedded.types.EmbeddedStorageFoundation;
import org.eclipse.store.storage.embedded.types.EmbeddedStorageManager;

/**
 * The durable, append-only log of entries: one writer thread sequences appends in batches
 * (group commit), stores each batch in one EclipseStore commit forced to stable storage, then
 * acknowledges every append in it. Readers work on what has been published and never wait for
 * the writer.
 *
 * <p>Per entry the writer assigns {@code seq}, {@code ts} (never decreasing), {@code prev} (the
 * leaf hash of the entry before) and {@code cprev} (the contractor's previous seq), writes the
 * RFC 8785 envelope, hashes it as an RFC 9162 leaf and extends the Merkle tree.
 */
public final class Ledger implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Ledger.class.getName());
    private static final byte[] ZERO_HASH = new byte[32];
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final LedgerOptions options;
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedEntries = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closing;

    // Owned by the writer thread after open; readers use only what published snapshots show.
    private EmbeddedStorageManager storage;
    private SyncingFileWriter fileWriter;
    private LedgerRoot root;
    private EventIndex events;
    private ContractorIndex contractors;
    private CompactRange frontier;
    private byte[] lastLeafHash;
    private long[] chunkStarts;
    private int chunkCount;
    private volatile Snapshot published;
    private volatile StorageFailedException broken;

    /** What readers may see: entries below {@code size}, found through {@code chunkStarts}. */
    private record Snapshot(LedgerRoot root, ContractorIndex contractors, long size, long[] chunkStarts,
                            int chunkCount) {
    }

    private sealed interface Work permits AppendRequest, CheckpointRequest {
    }

    private record AppendRequest(List<Submission> submissions, String source,
                                 CompletableFuture<List<Appended>> result) implements Work {
    }

    private record CheckpointRequest(long treeSize, String note, CompletableFuture<Void> result) implements Work {
    }

    private Ledger(LedgerOptions options) {
        this.options = options;
        load();
        this.writer = Thread.ofPlatform().name("ledger-writer").daemon(true).unstarted(this::runWriter);
        writer.start();
    }

    /** Opens the ledger in {@code options.dataDir()}, creating it when new. */
    public static Ledger open(LedgerOptions options) {
        return new Ledger(options);
    }

    // ---------------------------------------------------------------- appends

    /**
     * Appends {@code submissions} as one unit: either every one is appended (or found to be an
     * identical resend of an earlier entry) or, when any event_id clashes with a different
     * entry, none is and the future fails with {@link EventConflictException}. The future
     * completes once the batch holding them is on stable storage.
     *
     * @throws LedgerBusyException when the queue is full
     */
    public CompletableFuture<List<Appended>> append(List<Submission> submissions, String source) {
        if (submissions.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closing) {
            return CompletableFuture.failedFuture(new IllegalStateException("ledger is closed"));
        }
        int n = submissions.size();
        int queued = queuedEntries.addAndGet(n);
        if (queued > options.maxQueuedEntries() && queued != n) {
            queuedEntries.addAndGet(-n);
            throw new LedgerBusyException(queued - n, options.maxQueuedEntries());
        }
        var request = new AppendRequest(List.copyOf(submissions), source, new CompletableFuture<>());
        queue.add(request);
        return request.result();
    }

    /** Records a signed checkpoint the caller made over the first {@code treeSize} entries. */
    public CompletableFuture<Void> addCheckpoint(long treeSize, String note) {
        var request = new CheckpointRequest(treeSize, note, new CompletableFuture<>());
        queue.add(request);
        return request.result();
    }

    private void runWriter() {
        List<Work> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Work first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int entries = entriesOf(first);
                Work next;
                while (entries < options.maxBatchEntries() && (next = queue.peek()) != null
                        && entries + entriesOf(next) <= options.maxBatchEntries()) {
                    batch.add(queue.poll());
                    entries += entriesOf(next);
                }
                process(batch);
                queuedEntries.addAndGet(-entries);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "ledger writer failed a batch", e);
                failAll(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    private static int entriesOf(Work w) {
        return w instanceof AppendRequest r ? r.submissions().size() : 0;
    }

    private void process(List<Work> batch) {
        if (broken != null && !reload()) {
            failAll(batch, broken);
            return;
        }
        long size = root.size;
        long lastTs = root.lastTsMillis;
        long ts = Math.max(options.clock().millis(), lastTs);
        String tsText = TS.format(Instant.ofEpochMilli(ts));

        CanonicalWriter data = new CanonicalWriter(64 * 1024);
        CanonicalWriter one = new CanonicalWriter(1024);
        IntList offsets = new IntList();
        LongList hashes = new LongList();
        IntList ords = new IntList();
        Map<String, Pending> pendingByEvent = new HashMap<>();
        Map<String, Long> lastSeqInBatch = new HashMap<>();
        List<Runnable> completions = new ArrayList<>();
        List<StoredCheckpoint> checkpoints = new ArrayList<>();
        HexFormat hex = HexFormat.of();

        for (Work work : batch) {
            if (work instanceof CheckpointRequest c) {
                checkpoints.add(new StoredCheckpoint(c.treeSize(), c.note()));
                completions.add(() -> c.result().complete(null));
                continue;
            }
            AppendRequest r = (AppendRequest) work;
            // Check the whole request before appending any of it, so a clash appends nothing.
            Appended[] results = new Appended[r.submissions().size()];
            EventConflictException conflict = null;
            Map<String, Submission> seenInRequest = new HashMap<>();
            for (int i = 0; i < results.length && conflict == null; i++) {
                Submission s = r.submissions().get(i);
                Submission earlier = seenInRequest.putIfAbsent(s.eventId(), s);
                if (earlier != null) {
                    String diff = difference(earlier.kind().wire(), earlier.contractor(), earlier.bodyBytes(), s);
                    if (diff != null) {
                        conflict = new EventConflictException(s.eventId(), -1, diff);
                    }
                    continue;
                }
                Pending p = pendingByEvent.get(s.eventId());
                if (p != null) {
                    String diff = difference(p.kind, p.contractor, p.body, s);
                    if (diff != null) {
                        conflict = new EventConflictException(s.eventId(), p.seq, diff);
                    } else {
                        results[i] = Appended.of(p.seq, p.leafHash, ts, true);
                    }
                    continue;
                }
                long existing = findEvent(s.eventId());
                if (existing >= 0) {
                    StoredEntry e = storedEntry(existing);
                    String diff = difference(e.kind, e.contractor, e.body, s);
                    if (diff != null) {
                        conflict = new EventConflictException(s.eventId(), existing, diff);
                    } else {
                        results[i] = Appended.of(existing, root.tree.node(0, existing), e.tsMillis, true);
                    }
                }
            }
            if (conflict != null) {
                EventConflictException failure = conflict;
                completions.add(() -> r.result().completeExceptionally(failure));
                continue;
            }
            Map<String, Integer> firstIndex = new HashMap<>();
            for (int i = 0; i < results.length; i++) {
                Submission s = r.submissions().get(i);
                Integer first = firstIndex.putIfAbsent(s.eventId(), i);
                if (first != null) {
                    results[i] = new Appended(results[first].seq(), results[first].leafHash(), results[first].ts(), true);
                    continue;
                }
                if (results[i] != null) {
                    continue;
                }
                long seq = size++;
                ContractorIndex.Seqs cs = contractors.getOrAdd(s.contractor());
                if (cs.ordinal == root.contractors.size()) {
                    root.contractors.add(s.contractor());
                }
                Long inBatch = lastSeqInBatch.put(s.contractor(), seq);
                long cprev = inBatch != null ? inBatch : cs.last();
                one.reset();
                writeEnvelope(one, s, seq, tsText, r.source(), hex.formatHex(lastLeafHash), cprev);
                byte[] entryBytes = one.toByteArray();
                byte[] leaf = Rfc9162.leafHash(entryBytes);
                frontier.append(leaf, root.tree::put);
                lastLeafHash = leaf;
                offsets.add(data.size());
                data.raw(entryBytes);
                long eventHash = EventIndex.hash(s.eventId());
                hashes.add(eventHash);
                ords.add(cs.ordinal);
                pendingByEvent.put(s.eventId(), new Pending(seq, leaf, s.kind().wire(), s.contractor(), s.bodyBytes()));
                results[i] = Appended.of(seq, leaf, ts, false);
            }
            List<Appended> answer = List.of(results);
            completions.add(() -> r.result().complete(answer));
        }

        long firstSeq = root.size;
        Chunk chunk = null;
        if (size > firstSeq) {
            offsets.add(data.size());
            int[] offs = offsets.toArray();
            chunk = new Chunk(firstSeq, offs, hashes.toArray(), ords.toArray(), data.toByteArray());
        }
        try {
            commit(chunk, size, chunk != null ? ts : lastTs, checkpoints);
        } catch (RuntimeException e) {
            StorageFailedException failure = new StorageFailedException(
                    "could not store the batch: " + rootCause(e).getMessage() + "; nothing in it was acknowledged", e);
            broken = failure;
            failAll(batch, failure);
            reload();
            return;
        }
        if (chunk != null) {
            addChunkStart(firstSeq);
            for (int i = 0; i < chunk.count(); i++) {
                long seq = firstSeq + i;
                events.add(chunk.eventHashes[i], seq);
                contractors.getOrAdd(contractors.idOf(chunk.contractors[i])).add(seq);
            }
        }
        publish();
        completions.forEach(Runnable::run);
    }

    private void commit(Chunk chunk, long newSize, long lastTs, List<StoredCheckpoint> checkpoints) {
        Storer storer = storage.createStorer();
        if (chunk != null) {
            root.chunks.add(chunk);
        }
        for (StoredCheckpoint c : checkpoints) {
            if (c.treeSize <= newSize && (root.checkpoints.size() == 0
                    || root.checkpoints.get(root.checkpoints.size() - 1).treeSize < c.treeSize)) {
                root.checkpoints.add(c);
            }
        }
        root.chunks.flush(storer);
        root.contractors.flush(storer);
        root.checkpoints.flush(storer);
        root.tree.flush(storer);
        root.size = newSize;
        root.lastTsMillis = lastTs;
        storer.store(root);
        storer.commit();
    }

    private record Pending(long seq, byte[] leafHash, String kind, String contractor, byte[] body) {
    }

    private record StoredEntry(String kind, String contractor, byte[] body, long tsMillis) {
    }

    /** What differs between a stored entry and a resubmission with its event_id, or null. */
    private static String difference(String kind, String contractor, byte[] body, Submission s) {
        if (!kind.equals(s.kind().wire())) {
            return "kind";
        }
        if (!contractor.equals(s.contractor())) {
            return "contractor";
        }
        if (!Arrays.equals(body, s.bodyBytes())) {
            return "body";
        }
        return null;
    }

    private StoredEntry storedEntry(long seq) {
        byte[] bytes = chunkOf(root, chunkStarts, chunkCount, seq).entry(seq);
        try {
            JsonNode node = CanonicalJson.parse(bytes);
            return new StoredEntry(node.get("kind").textValue(), node.get("contractor").textValue(),
                    CanonicalJson.canonicalize(node.get("body")),
                    Instant.parse(node.get("ts").textValue()).toEpochMilli());
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("stored entry " + seq + " is not canonical JSON: " + e.getMessage(), e);
        }
    }

    private long findEvent(String eventId) {
        return events.find(EventIndex.hash(eventId), seq -> eventIdOf(seq).equals(eventId));
    }

    private String eventIdOf(long seq) {
        byte[] bytes = chunkOf(root, chunkStarts, chunkCount, seq).entry(seq);
        try {
            return CanonicalJson.parse(bytes).get("event_id").textValue();
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("stored entry " + seq + " is not canonical JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the RFC 8785 envelope: keys in UTF-16 order body, contractor, cprev, event_id,
     * kind, prev, seq, source, ts, v.
     */
    static void writeEnvelope(CanonicalWriter out, Submission s, long seq, String ts, String source, String prevHex,
                              long cprev) {
        out.ascii("{\"body\":").raw(s.bodyBytes())
                .ascii(",\"contractor\":").string(s.contractor())
                .ascii(",\"cprev\":").number(cprev)
                .ascii(",\"event_id\":").string(s.eventId())
                .ascii(",\"kind\":").string(s.kind().wire())
                .ascii(",\"prev\":\"").ascii(prevHex)
                .ascii("\",\"seq\":").number(seq)
                .ascii(",\"source\":").string(source)
                .ascii(",\"ts\":\"").ascii(ts)
                .ascii("\",\"v\":1}");
    }

    private void failAll(List<Work> batch, Throwable failure) {
        for (Work w : batch) {
            switch (w) {
                case AppendRequest r -> r.result().completeExceptionally(failure);
                case CheckpointRequest c -> c.result().completeExceptionally(failure);
            }
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    // ---------------------------------------------------------------- open, reload, close

    private void load() {
        fileWriter = new SyncingFileWriter();
        EmbeddedStorageFoundation<?> foundation = EmbeddedStorage.Foundation(new DataDirectory(options.dataDir()).store());
        foundation.setWriterProvider(() -> fileWriter);
        storage = foundation.createEmbeddedStorageManager().start();
        try {
            Object r = storage.root();
            if (r == null) {
                root = new LedgerRoot(options.origin());
                storage.setRoot(root);
                storage.storeRoot();
            } else if (r instanceof LedgerRoot existing) {
                root = existing;
            } else {
                throw new LedgerCorruptException("the data directory holds a " + r.getClass().getName()
                        + ", not a ledger");
            }
            if (root.format != LedgerRoot.FORMAT) {
                throw new LedgerCorruptException("unsupported data format " + root.format + "; this build reads "
                        + LedgerRoot.FORMAT);
            }
            rebuildIndexes();
        } catch (RuntimeException | Error e) {
            storage.shutdown();
            fileWriter.close();
            throw e;
        }
    }

    private void rebuildIndexes() {
        contractors = new ContractorIndex();
        for (long i = 0; i < root.contractors.size(); i++) {
            contractors.getOrAdd(root.contractors.get(i));
        }
        long chunks = root.chunks.size();
        chunkStarts = new long[(int) Math.max(16, chunks + 16)];
        chunkCount = 0;
        events = new EventIndex(root.size + 1024, this::eventHashOf);
        long expected = 0;
        for (long c = 0; c < chunks; c++) {
            Chunk chunk = root.chunks.get(c);
            if (chunk.firstSeq != expected) {
                throw new LedgerCorruptException("chunk " + c + " starts at seq " + chunk.firstSeq
                        + " but the entries before it end at " + expected);
            }
            addChunkStart(chunk.firstSeq);
            for (int i = 0; i < chunk.count(); i++) {
                long seq = chunk.firstSeq + i;
                events.add(chunk.eventHashes[i], seq);
                contractors.getOrAdd(contractors.idOf(chunk.contractors[i])).add(seq);
            }
            expected += chunk.count();
        }
        if (expected != root.size) {
            throw new LedgerCorruptException("the chunks hold " + expected + " entries but the log says " + root.size);
        }
        if (root.tree.levelSize(0) != root.size) {
            throw new LedgerCorruptException("the tree holds " + root.tree.levelSize(0) + " leaves but the log holds "
                    + root.size + " entries");
        }
        frontier = CompactRange.fromNodes(root.size, root.tree);
        lastLeafHash = root.size == 0 ? ZERO_HASH : root.tree.node(0, root.size - 1);
        publish();
    }

    private long eventHashOf(long seq) {
        Chunk chunk = chunkOf(root, chunkStarts, chunkCount, seq);
        return chunk.eventHashes[(int) (seq - chunk.firstSeq)];
    }

    /** After a failed commit: drop in-memory state and reopen from what is on disk. */
    private boolean reload() {
        try {
            storage.shutdown();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "storage shutdown after a failed commit", e);
        }
        fileWriter.close();
        try {
            load();
            broken = null;
            LOG.info("storage reloaded after a failed commit; appends resume at seq " + root.size);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "storage still unavailable", e);
            broken = new StorageFailedException("storage unavailable: " + rootCause(e).getMessage(), e);
            return false;
        }
    }

    private void addChunkStart(long firstSeq) {
        if (chunkCount == chunkStarts.length) {
            chunkStarts = Arrays.copyOf(chunkStarts, chunkStarts.length * 2);
        }
        chunkStarts[chunkCount++] = firstSeq;
    }

    private void publish() {
        published = new Snapshot(root, contractors, root.size, chunkStarts, chunkCount);
    }

    /** Stops accepting appends, finishes those queued, and closes the storage. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            storage.shutdown();
        } finally {
            fileWriter.close();
        }
    }

    // ---------------------------------------------------------------- reads

    /** The origin line of this log's checkpoints. */
    public String origin() {
        return published.root().origin;
    }

    /** Number of entries acknowledged so far. */
    public long size() {
        return published.size();
    }

    /** The canonical bytes of entry {@code seq}, if the log holds it. */
    public Optional<byte[]> entry(long seq) {
        Snapshot s = published;
        if (seq < 0 || seq >= s.size()) {
            return Optional.empty();
        }
        return Optional.of(chunkOf(s.root(), s.chunkStarts(), s.chunkCount(), seq).entry(seq));
    }

    /** The RFC 9162 leaf hash of entry {@code seq}. Requires 0 <= seq < size(). */
    public byte[] leafHash(long seq) {
        requireBelow(seq, size(), "seq");
        return published.root().tree.node(0, seq);
    }

    /** The seqs of a contractor's entries, oldest first. */
    public long[] contractorSeqs(String contractor) {
        Snapshot s = published;
        return s.contractors().get(contractor).map(c -> c.below(s.size())).orElse(new long[0]);
    }

    /** Number of distinct contractors with entries. */
    public int contractorCount() {
        return published.contractors().size();
    }

    /** The root hash of the tree over the first {@code treeSize} entries. Requires treeSize <= size(). */
    public byte[] root(long treeSize) {
        Snapshot s = published;
        requireAtMost(treeSize, s.size(), "tree_size");
        return Proofs.root(treeSize, s.root().tree);
    }

    /** RFC 9162 §2.1.3.1 inclusion proof of entry {@code seq} in the tree of {@code treeSize}. */
    public List<byte[]> inclusionProof(long seq, long treeSize) {
        Snapshot s = published;
        requireAtMost(treeSize, s.size(), "tree_size");
        requireBelow(seq, treeSize, "seq");
        return Proofs.inclusionProof(seq, treeSize, s.root().tree);
    }

    /** RFC 9162 §2.1.4.1 consistency proof from tree size {@code size1} to {@code size2}. */
    public List<byte[]> consistencyProof(long size1, long size2) {
        Snapshot s = published;
        requireAtMost(size2, s.size(), "size2");
        if (size1 < 1 || size1 > size2) {
            throw new IllegalArgumentException("size1 must be between 1 and size2 (" + size2 + "), was " + size1);
        }
        return Proofs.consistencyProof(size1, size2, s.root().tree);
    }

    /** The signed checkpoint issued at exactly {@code treeSize}, if one was. */
    public Optional<String> checkpoint(long treeSize) {
        BlockList<StoredCheckpoint> list = published.root().checkpoints;
        long lo = 0;
        long hi = list.size() - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            StoredCheckpoint c = list.get(mid);
            if (c.treeSize == treeSize) {
                return Optional.of(c.note);
            } else if (c.treeSize < treeSize) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.empty();
    }

    /** The newest signed checkpoint, if any was issued. */
    public Optional<String> latestCheckpoint() {
        BlockList<StoredCheckpoint> list = published.root().checkpoints;
        long n = list.size();
        return n == 0 ? Optional.empty() : Optional.of(list.get(n - 1).note);
    }

    /** Tree size of the newest signed checkpoint, or -1. */
    public long latestCheckpointSize() {
        BlockList<StoredCheckpoint> list = published.root().checkpoints;
        long n = list.size();
        return n == 0 ? -1 : list.get(n - 1).treeSize;
    }

    /** Whether the last commit failed and the storage has not come back yet. */
    public Optional<String> storageProblem() {
        StorageFailedException b = broken;
        return b == null ? Optional.empty() : Optional.of(b.getMessage());
    }

    private static Chunk chunkOf(LedgerRoot root, long[] starts, int count, long seq) {
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= seq) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return root.chunks.get(lo);
    }

    private static void requireBelow(long value, long limit, String name) {
        if (value < 0 || value >= limit) {
            throw new IllegalArgumentException(name + " must be between 0 and " + (limit - 1) + ", was " + value);
        }
    }

    private static void requireAtMost(long value, long limit, String name) {
        if (value < 0 || value > limit) {
            throw new IllegalArgumentException(name + " must be between 0 and the log size " + limit + ", was " + value);
        }
    }

    /** A growable long array. */
    private static final class LongList {
        private long[] a = new long[256];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a = new int[256];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
