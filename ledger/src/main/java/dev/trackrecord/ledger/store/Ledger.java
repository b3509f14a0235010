package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.DisputeResolved;
import dev.trackrecord.ledger.entry.DisputeRules;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryBody;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.json.Bytes;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.merkle.CompactRange;
import dev.trackrecord.ledger.merkle.Proofs;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * (group commit), appends each batch to the segment log, forces it to stable storage (one
 * fsync), then acknowledges every append in it. EclipseStore records where everything is every
 * so often and whenever a checkpoint is added; on open, batches that reached the segment log
 * after its last commit are read back and checked (see {@link SegmentLog}). Readers work on
 * what has been published and never wait for the writer.
 *
 * <p>Per entry the writer assigns {@code seq}, {@code ts} (never decreasing), {@code prev} (the
 * leaf hash of the entry before) and {@code cprev} (the contractor's previous seq), writes the
 * RFC 8785 envelope, hashes it as an RFC 9162 leaf and extends the Merkle tree.
 */
public final class Ledger implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Ledger.class.getName());
    private static final byte[] ZERO_HASH = new byte[32];

    private final LedgerOptions options;
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedEntries = new AtomicInteger();
    private final Thread writer;
    private final ExecutorService committer = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("ledger-committer").daemon(true).unstarted(r));
    /** Runs EclipseStore commits, apart from the segment syncs that acknowledge batches. */
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("ledger-recorder").daemon(true).unstarted(r));
    private volatile boolean closing;

    // Owned by the writer thread after open; readers use only what published snapshots show.
    private EmbeddedStorageManager storage;
    private SyncingFileWriter fileWriter;
    private SegmentLog segments;
    private DirectoryLock lock;
    private LedgerRoot root;
    private EventIndex events;
    private ContractorIndex contractors;
    private CompactRange frontier;
    private byte[] lastLeafHash;
    private final CanonicalWriter batchBuffer = new CanonicalWriter(1 << 20);
    /** Seq the next sequenced entry gets; ahead of {@code root.size} while a batch commits. */
    private long nextSeq;
    private long lastTsMillis;
    private long[] chunkStarts;
    private int chunkCount;
    private volatile Snapshot published;
    /**
     * The log's size after the last batch whose hand-over to the listener is over (told, failed,
     * or no listener was set), or after the log was read on open or reload, whose entries are
     * never handed over. Written after the listener returns: see {@link #handedOver()}.
     */
    private volatile long handedOver;
    /** The failure a reload after it cleared from {@code broken}, until a batch is stored again. */
    private volatile StorageFailedException unresolved;
    private volatile StorageFailedException broken;
    private volatile AppendListener listener;
    /** The EclipseStore commit in flight, if any; at most one storer exists at a time. */
    private CompletableFuture<Void> storing = CompletableFuture.completedFuture(null);
    private long lastStoreNanos = System.nanoTime();
    /** The segment log of the published snapshot while a reload after a failed commit has not succeeded. */
    private SegmentLog retired;

    /** What readers may see: entries below {@code size}, found through {@code chunkStarts}. */
    private record Snapshot(LedgerRoot root, ContractorIndex contractors, SegmentLog segments, long size,
                            long[] chunkStarts, int chunkCount, long checkpointCount) {
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
        try {
            load();
        } catch (RuntimeException | Error e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
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
     * identical resend of an earlier entry) or none is, and the future fails with
     * {@link EventConflictException} when any event_id clashes with a different entry, or with
     * {@link DisputeConflictException} when a new dispute breaks {@link DisputeRules}. The future
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

    /** Told about the entries of each batch once they are durable, in seq order. */
    public interface AppendListener {
        /**
         * Entries {@code firstSeq} onwards, as submitted, are durable and published; their callers
         * are answered once this returns. Runs on the writer thread: hand the work to another
         * thread.
         *
         * @param contractorOrdinals each entry's contractor as the log numbers them: from 0 in the
         *        order they first appeared, the same number for the same contractor for the life
         *        of the log, so a follower can find its state for them without comparing ids;
         *        read it, do not change it
         */
        void appended(long firstSeq, List<Submission> entries, int[] contractorOrdinals);
    }

    /**
     * Sets the one listener told of each durable batch (entries resent with a known event_id are
     * not new and not told). Entries read back on open are not told: read them from the log.
     */
    public void onAppended(AppendListener l) {
        this.listener = l;
    }

    /** Records a signed checkpoint the caller made over the first {@code treeSize} entries. */
    public CompletableFuture<Void> addCheckpoint(long treeSize, String note) {
        var request = new CheckpointRequest(treeSize, note, new CompletableFuture<>());
        queue.add(request);
        return request.result();
    }

    private void runWriter() {
        try {
            buildEventIndex();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "could not build the event index", e);
            broken = new StorageFailedException("could not build the event index: " + e, e);
        }
        Prepared inFlight = null;
        while (!closing || !queue.isEmpty() || inFlight != null) {
            List<Work> batch = new ArrayList<>();
            if (broken == null && storing.isCompletedExceptionally()) {
                broken = new StorageFailedException("could not record the log's positions: "
                        + rootCause(storing.exceptionNow()).getMessage(), storing.exceptionNow());
            }
            try {
                Work first = inFlight == null ? queue.poll(50, TimeUnit.MILLISECONDS) : queue.poll();
                if (first == null) {
                    if (inFlight != null) {
                        Prepared done = inFlight;
                        inFlight = null;
                        finish(done);
                    }
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
                queuedEntries.addAndGet(-entries);
                if (broken != null && inFlight == null && !reload()) {
                    failAll(batch, broken);
                    continue;
                }
                // Sequence this batch while the previous one is being forced to disk.
                Sequenced sequenced = sequence(batch);
                if (inFlight != null) {
                    Prepared done = inFlight;
                    inFlight = null;
                    boolean ok = finish(done);
                    if (!ok) {
                        failAll(batch, broken);
                        reload();
                        continue;
                    }
                }
                Prepared prepared = apply(sequenced);
                SegmentLog log = segments;
                prepared.commit = CompletableFuture.runAsync(() -> {
                    try {
                        log.sync();
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not force the segment log to disk", e);
                    }
                }, committer);
                if (!prepared.checkpointCompletions.isEmpty()
                        || (storing.isDone() && System.nanoTime() - lastStoreNanos > options.recordInterval().toNanos())) {
                    prepared.stored = record(prepared.commit);
                }
                inFlight = prepared;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "ledger writer failed a batch", e);
                // A batch the disk refused (full, read-only) is a storage failure: retry later, not a bug.
                failAll(batch, rootCause(e) instanceof IOException ? new StorageFailedException("could not store the"
                        + " batch: " + rootCause(e).getMessage() + "; nothing in it was acknowledged", e) : e);
                if (inFlight != null) {
                    Prepared done = inFlight;
                    inFlight = null;
                    finish(done);
                }
                broken = new StorageFailedException("the writer failed: " + e, e);
                reload();
            }
        }
        if (broken == null) {
            try {
                record(CompletableFuture.completedFuture(null)).join();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not record the log on close; the next open reads it back", e);
            }
        }
    }

    /**
     * Serializes everything changed since the last EclipseStore commit into a storer and commits
     * it once {@code durable} (the sync of the segment bytes it points at) is done. Waits for the
     * previous commit first: EclipseStore must not serialize one storer while another commits
     * (they deadlock).
     */
    private CompletableFuture<Void> record(CompletableFuture<Void> durable) {
        storing.join();
        Storer storer = storeChanges();
        lastStoreNanos = System.nanoTime();
        storing = durable.thenRunAsync(storer::commit, recorder);
        return storing;
    }

    /** A storer holding everything changed since the last EclipseStore commit, up to the segment log's end. */
    private Storer storeChanges() {
        Storer storer = storage.createStorer();
        root.segmentEnd = segments.end();
        root.chunks.flush(storer);
        root.contractors.flush(storer);
        root.checkpoints.flush(storer);
        root.tree.flush(storer);
        storer.store(root);
        return storer;
    }

    private static int entriesOf(Work w) {
        return w instanceof AppendRequest r ? r.submissions().size() : 0;
    }

    /** A batch applied to the persisted structures, waiting for its segment bytes to be synced. */
    private static final class Prepared {
        final List<Work> batch;
        final List<Runnable> completions;
        final List<Runnable> checkpointCompletions;
        final Snapshot snapshot;
        final long firstSeq;
        final List<Submission> fresh;
        final int[] freshOrdinals;
        /** The sync of the batch's segment bytes; appends are acknowledged after it. */
        CompletableFuture<Void> commit;
        /** The EclipseStore commit that records the batch, when one was started with it. */
        CompletableFuture<Void> stored;

        Prepared(List<Work> batch, List<Runnable> completions, List<Runnable> checkpointCompletions,
                 Snapshot snapshot, long firstSeq, List<Submission> fresh, int[] freshOrdinals) {
            this.firstSeq = firstSeq;
            this.fresh = fresh;
            this.freshOrdinals = freshOrdinals;
            this.batch = batch;
            this.completions = completions;
            this.checkpointCompletions = checkpointCompletions;
            this.snapshot = snapshot;
        }
    }

    /**
     * Waits for the sync of {@code p}, then publishes it and answers its callers; checkpoints
     * are answered once EclipseStore recorded them too.
     */
    private boolean finish(Prepared p) {
        try {
            p.commit.join();
        } catch (RuntimeException e) {
            Throwable cause = rootCause(e);
            StorageFailedException failure = new StorageFailedException(
                    "could not store the batch: " + cause.getMessage() + "; nothing in it was acknowledged", cause);
            broken = failure;
            failAll(p.batch, failure);
            return false;
        }
        published = p.snapshot;
        unresolved = null;
        // The listener is told before the callers are answered, whose futures may run their code
        // here: a follower waiting for the batch should not find the log ahead of it meanwhile.
        try {
            AppendListener l = listener;
            if (l != null && !p.fresh.isEmpty()) {
                try {
                    l.appended(p.firstSeq, p.fresh, p.freshOrdinals);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "an append listener failed", e);
                }
            }
        } finally {
            handedOver = p.snapshot.size();
            p.completions.forEach(Runnable::run);
        }
        if (!p.checkpointCompletions.isEmpty()) {
            try {
                p.stored.join();
            } catch (RuntimeException e) {
                Throwable cause = rootCause(e);
                StorageFailedException failure = new StorageFailedException(
                        "could not store a checkpoint: " + cause.getMessage(), cause);
                broken = failure;
                for (Work w : p.batch) {
                    if (w instanceof CheckpointRequest c) {
                        c.result().completeExceptionally(failure);
                    }
                }
                return false;
            }
            p.checkpointCompletions.forEach(Runnable::run);
        }
        return true;
    }

    /** A batch sequenced in memory, not yet applied to the persisted structures. */
    private record Sequenced(List<Work> batch, List<Runnable> completions, List<Runnable> checkpointCompletions,
                             long firstSeq, long size, long ts, Chunk chunk, List<StoredCheckpoint> checkpoints,
                             List<Object[]> nodes, List<Submission> fresh, int[] freshOrdinals) {
    }

    /**
     * Sequences a batch: checks idempotency, assigns seq, ts, prev and cprev, writes the
     * envelopes into one chunk and computes the tree nodes they complete. Touches only the
     * writer's own state, so it may run while the previous batch commits.
     */
    private Sequenced sequence(List<Work> batch) {
        long size = nextSeq;
        long lastTs = lastTsMillis;
        long ts = Math.max(options.clock().millis(), lastTs);
        Instant tsInstant = Instant.ofEpochMilli(ts);

        int batchEntries = 0;
        for (Work w : batch) {
            batchEntries += entriesOf(w);
        }
        // The writer's buffer is reused batch after batch; it only grows.
        CanonicalWriter data = batchBuffer;
        data.reset();
        IntList offsets = new IntList();
        LongList hashes = new LongList();
        IntList ords = new IntList();
        Map<String, Pending> pendingByEvent = new HashMap<>(Math.max(16, batchEntries * 2));
        List<Runnable> completions = new ArrayList<>(batch.size());
        List<Runnable> checkpointCompletions = new ArrayList<>();
        List<StoredCheckpoint> checkpoints = new ArrayList<>();
        List<Object[]> nodes = new ArrayList<>();
        List<Submission> fresh = new ArrayList<>(batchEntries);
        long firstSeq = size;

        for (Work work : batch) {
            if (work instanceof CheckpointRequest c) {
                checkpoints.add(new StoredCheckpoint(c.treeSize(), c.note()));
                checkpointCompletions.add(() -> c.result().complete(null));
                continue;
            }
            AppendRequest r = (AppendRequest) work;
            List<Submission> subs = r.submissions();
            // Check the whole request before appending any of it, so a clash appends nothing.
            Appended[] results = new Appended[subs.size()];
            EventConflictException conflict = null;
            Map<String, Integer> firstInRequest = subs.size() > 1 ? new HashMap<>(subs.size() * 2) : null;
            for (int i = 0; i < results.length && conflict == null; i++) {
                Submission s = subs.get(i);
                if (firstInRequest != null) {
                    Integer earlier = firstInRequest.putIfAbsent(s.eventId(), i);
                    if (earlier != null) {
                        String diff = difference(subs.get(earlier), s);
                        if (diff != null) {
                            conflict = new EventConflictException(s.eventId(), -1, diff);
                        }
                        continue;
                    }
                }
                Pending p = pendingByEvent.get(s.eventId());
                if (p != null) {
                    String diff = difference(p.submission(), s);
                    if (diff != null) {
                        conflict = new EventConflictException(s.eventId(), p.seq, diff);
                    } else {
                        results[i] = new Appended(p.seq, p.leafHash, tsInstant, true);
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
                        results[i] = new Appended(existing, root.tree.node(0, existing), Instant.ofEpochMilli(e.tsMillis), true);
                    }
                }
            }
            LogConflictException refused = conflict != null ? conflict
                    : disputeConflict(subs, results, firstInRequest, firstSeq, size, fresh);
            if (refused != null) {
                completions.add(() -> r.result().completeExceptionally(refused));
                continue;
            }
            for (int i = 0; i < results.length; i++) {
                Submission s = subs.get(i);
                if (firstInRequest != null) {
                    int first = firstInRequest.get(s.eventId());
                    if (first != i) {
                        Appended a = results[first];
                        results[i] = new Appended(a.seq(), a.leafHashBytes(), a.ts(), true);
                        continue;
                    }
                }
                if (results[i] != null) {
                    continue;
                }
                long seq = size++;
                ContractorIndex.Seqs cs = contractors.getOrAdd(s.contractor());
                int start = data.size();
                s.writeEntry(data, seq, ts, r.source(), lastLeafHash, cs.last());
                byte[] leaf = Rfc9162.leafHash(data.buffer(), start, data.size() - start);
                frontier.append(leaf, (level, index, hash) -> nodes.add(new Object[] {level, index, hash}));
                lastLeafHash = leaf;
                offsets.add(start);
                long eventHash = EventIndex.hash(s.eventId());
                hashes.add(eventHash);
                ords.add(cs.ordinal);
                cs.add(seq);
                pendingByEvent.put(s.eventId(), new Pending(seq, leaf, s));
                fresh.add(s);
                results[i] = new Appended(seq, leaf, tsInstant, false);
            }
            List<Appended> answer = Arrays.asList(results);
            completions.add(() -> r.result().complete(answer));
        }

        Chunk chunk = null;
        int[] ordinals = ords.toArray();
        if (size > firstSeq) {
            offsets.add(data.size());
            try {
                chunk = Chunk.write(segments, firstSeq, offsets.toArray(), hashes.toArray(), ordinals,
                        data.buffer(), data.size());
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the batch to the segment log", e);
            }
            lastTsMillis = ts;
        }
        nextSeq = size;
        return new Sequenced(batch, completions, checkpointCompletions, firstSeq, size, ts, chunk, checkpoints, nodes,
                fresh, ordinals);
    }

    /**
     * Applies a sequenced batch to the persisted structures (in memory; EclipseStore records
     * them later) and writes the tree tiles it filled to the segment log.
     */
    private Prepared apply(Sequenced b) {
        Chunk chunk = b.chunk();
        applyToRoot(b.nodes(), chunk, b.ts(), b.size());
        if (chunk != null) {
            for (int i = 0; i < chunk.count(); i++) {
                events.add(chunk.eventHashes[i], chunk.firstSeq + i);
            }
        }
        for (StoredCheckpoint c : b.checkpoints()) {
            if (c.treeSize <= b.size() && (root.checkpoints.size() == 0
                    || root.checkpoints.get(root.checkpoints.size() - 1).treeSize < c.treeSize)) {
                root.checkpoints.add(c);
            }
        }
        return new Prepared(b.batch(), b.completions(), b.checkpointCompletions(), snapshot(), b.firstSeq(),
                b.fresh(), b.freshOrdinals());
    }

    /** The tree nodes, new contractors and chunk of a batch, into the persisted structures. */
    private void applyToRoot(List<Object[]> nodes, Chunk chunk, long ts, long size) {
        for (Object[] n : nodes) {
            root.tree.put((Integer) n[0], (Long) n[1], (byte[]) n[2]);
        }
        for (long o = root.contractors.size(); o < contractors.size(); o++) {
            root.contractors.add(contractors.idOf((int) o));
        }
        if (chunk != null) {
            root.chunks.add(chunk);
            addChunkStart(chunk.firstSeq);
            root.lastTsMillis = ts;
        }
        root.size = size;
    }

    private record Pending(long seq, byte[] leafHash, Submission submission) {
    }

    /**
     * What the new entries of one request break of {@link DisputeRules}, or null. They would be
     * appended from seq {@code size} on, after this batch's entries {@code fresh} (from
     * {@code firstSeq}); {@code results} marks resends, which are not new.
     */
    private DisputeConflictException disputeConflict(List<Submission> subs, Appended[] results,
                                                     Map<String, Integer> firstInRequest, long firstSeq, long size,
                                                     List<Submission> fresh) {
        if (!options.checkDisputes() || !anyDispute(subs)) {
            return null;
        }
        List<Submission> ahead = new ArrayList<>();
        WriterHistory history = new WriterHistory(firstSeq, size, fresh, ahead);
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < subs.size(); i++) {
            Submission s = subs.get(i);
            if (results[i] != null || (firstInRequest != null && firstInRequest.get(s.eventId()) != i)) {
                continue;
            }
            String path = subs.size() == 1 ? "$" : "$.entries[" + i + "]";
            violations.addAll(DisputeRules.check(s, size + ahead.size(), history, path));
            ahead.add(s);
        }
        return violations.isEmpty() ? null : new DisputeConflictException(violations);
    }

    private static boolean anyDispute(List<Submission> subs) {
        for (Submission s : subs) {
            if (DisputeRules.isDispute(s.kind())) {
                return true;
            }
        }
        return false;
    }

    /** The kind member of a {@code dispute.resolved} entry's canonical bytes. */
    private static final byte[] RESOLVED_KIND = ("\"kind\":\"" + EntryKind.DISPUTE_RESOLVED.wire() + "\"")
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * The log as the writer sees it while sequencing a request: the stored entries below
     * {@code firstSeq}, this batch's up to {@code size}, then the request's own new entries.
     */
    private final class WriterHistory implements DisputeRules.History {
        private final long firstSeq;
        private final long size;
        private final List<Submission> fresh;
        private final List<Submission> ahead;

        WriterHistory(long firstSeq, long size, List<Submission> fresh, List<Submission> ahead) {
            this.firstSeq = firstSeq;
            this.size = size;
            this.fresh = fresh;
            this.ahead = ahead;
        }

        @Override
        public DisputeRules.Logged entry(long seq) {
            if (seq < firstSeq) {
                Entry e = storedEntryParsed(seq);
                return new DisputeRules.Logged(e.kind(), e.contractor(), e.decodeBody());
            }
            Submission s = unstored(seq);
            return new DisputeRules.Logged(s.kind(), s.contractor(), s.body());
        }

        private Submission unstored(long seq) {
            return seq < size ? fresh.get((int) (seq - firstSeq)) : ahead.get((int) (seq - size));
        }

        /**
         * Reads the contractor's entries after the dispute: a resolution comes a handful of them
         * later, and a stored entry is parsed only when its bytes name the resolution's kind.
         */
        @Override
        public OptionalLong resolutionOf(long disputeSeq, String contractor) {
            long[] later = contractors.get(contractor).map(cs -> cs.after(disputeSeq)).orElse(new long[0]);
            for (long seq : later) {
                if (seq < firstSeq) {
                    byte[] bytes = storedBytes(seq);
                    if (Bytes.indexOf(bytes, RESOLVED_KIND) >= 0
                            && resolves(storedEntryParsed(seq, bytes).decodeBody(), disputeSeq)) {
                        return OptionalLong.of(seq);
                    }
                } else if (resolves(fresh.get((int) (seq - firstSeq)).body(), disputeSeq)) {
                    return OptionalLong.of(seq);
                }
            }
            for (int i = 0; i < ahead.size(); i++) {
                Submission s = ahead.get(i);
                if (s.contractor().equals(contractor) && resolves(s.body(), disputeSeq)) {
                    return OptionalLong.of(size + i);
                }
            }
            return OptionalLong.empty();
        }

        private static boolean resolves(EntryBody body, long disputeSeq) {
            return body instanceof DisputeResolved r && r.disputeSeq() == disputeSeq;
        }
    }

    private record StoredEntry(String kind, String contractor, byte[] body, long tsMillis) {
    }

    /** What differs between two submissions with one event_id, or null. */
    private static String difference(Submission earlier, Submission s) {
        if (earlier.sameEntryAs(s)) {
            return null;
        }
        return difference(earlier.kind().wire(), earlier.contractor(), earlier.bodyBytes(), s);
    }

    /** What differs between a stored entry and a resubmission with its event_id, or null. */
    private static String difference(String kind, String contractor, byte[] body, Submission s) {
        if (!kind.equals(s.kind().wire())) {
            return "kind";
        }
        if (!contractor.equals(s.contractor())) {
            return "contractor";
        }
        if (!s.bodyEquals(body)) {
            return "body";
        }
        return null;
    }

    private StoredEntry storedEntry(long seq) {
        Entry e = storedEntryParsed(seq);
        return new StoredEntry(e.kind().wire(), e.contractor(), e.bodyBytes(), e.ts().toEpochMilli());
    }

    private Entry storedEntryParsed(long seq) {
        return storedEntryParsed(seq, storedBytes(seq));
    }

    private byte[] storedBytes(long seq) {
        return chunkOf(root, chunkStarts, chunkCount, seq).entry(seq, segments);
    }

    private static Entry storedEntryParsed(long seq, byte[] bytes) {
        try {
            return Entry.parse(bytes);
        } catch (InvalidEntryException e) {
            throw new LedgerCorruptException("stored entry " + seq + " is damaged: " + e.getMessage());
        }
    }

    private long findEvent(String eventId) {
        return events.find(EventIndex.hash(eventId), seq -> eventIdOf(seq).equals(eventId));
    }

    private String eventIdOf(long seq) {
        return storedEntryParsed(seq).eventId();
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
        try {
            load(-1);
        } catch (ReplayCut cut) {
            // The last batch read back lacks some of its tree tiles, so it was never acknowledged:
            // open again (load closed the storage) and stop before it.
            load(cut.position);
        }
    }

    /** Stops reading back the unrecorded tail at a batch whose tiles are incomplete. */
    private static final class ReplayCut extends RuntimeException {
        final long position;

        ReplayCut(long position) {
            super(null, null, false, false);
            this.position = position;
        }
    }

    private void load(long replayLimit) {
        if (lock == null) {
            try {
                lock = DirectoryLock.acquire(options.dataDir());
                StoreSeal.remove(options.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
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
            segments = SegmentLog.open(new DataDirectory(options.dataDir()).segments(), root.segmentEnd);
            root.tree.attach(segments);
            rebuildIndexes();
            replayTail(replayLimit);
        } catch (IOException e) {
            closeStorage();
            throw new UncheckedIOException("could not open the segment log: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeStorage();
            throw e;
        }
    }

    private void rebuildIndexes() {
        long chunks = root.chunks.size();
        chunkStarts = new long[(int) Math.max(16, chunks + 16)];
        chunkCount = 0;
        List<int[]> ordinals = new ArrayList<>((int) chunks);
        long expected = 0;
        for (long c = 0; c < chunks; c++) {
            Chunk chunk = root.chunks.get(c);
            chunk.loadColumns(segments);
            if (chunk.firstSeq != expected) {
                throw new LedgerCorruptException("chunk " + c + " starts at seq " + chunk.firstSeq
                        + " but the entries before it end at " + expected);
            }
            addChunkStart(chunk.firstSeq);
            ordinals.add(chunk.contractors);
            expected += chunk.count();
        }
        if (expected != root.size) {
            throw new LedgerCorruptException("the chunks hold " + expected + " entries but the log says " + root.size);
        }
        List<String> ids = new ArrayList<>();
        for (long i = 0; i < root.contractors.size(); i++) {
            ids.add(root.contractors.get(i));
        }
        for (int[] ords : ordinals) {
            for (int o : ords) {
                if (o < 0 || o >= ids.size()) {
                    throw new LedgerCorruptException("an entry names contractor ordinal " + o + " but the log knows "
                            + ids.size() + " contractors");
                }
            }
        }
        contractors = ContractorIndex.rebuild(ids, ordinals);
        root.tree.rebuildPartials(root.size,
                seq -> Rfc9162.leafHash(chunkOf(root, chunkStarts, chunkCount, seq).entry(seq, segments)));
        frontier = CompactRange.fromNodes(root.size, root.tree);
        nextSeq = root.size;
        lastTsMillis = root.lastTsMillis;
        lastLeafHash = root.size == 0 ? ZERO_HASH : root.tree.node(0, root.size - 1);
        events = null;
        publish();
    }

    /**
     * Reads back the batches that reached the segment log after EclipseStore's last commit (they
     * were acknowledged once synced), checks each against the log before it, applies it as the
     * writer did, and cuts off what follows the last whole batch: a batch cut short by a crash
     * was never acknowledged. Then records the result, so the next open starts from it.
     *
     * @param limit a position to stop at, or -1
     */
    private void replayTail(long limit) throws IOException {
        long before = nextSeq;
        long committedEnd = segments.end();
        long validEnd = committedEnd;
        segments.verifyAppends(true);
        try {
            while (true) {
                var at = segments.nextRecord(Chunk.FRAME_BYTES);
                if (at.isEmpty() || (limit >= 0 && at.getAsLong() >= limit)) {
                    break;
                }
                Optional<Chunk> read = Chunk.readWhole(segments, at.getAsLong(), nextSeq);
                if (read.isEmpty()) {
                    break;
                }
                Chunk chunk = read.get();
                segments.advanceTo(chunk.end());
                try {
                    replay(chunk);
                } catch (SegmentLog.Mismatch m) {
                    LOG.warning("the batch from seq " + chunk.firstSeq + " lacks tree tiles (" + m.getMessage()
                            + "); it was never acknowledged and is cut off");
                    throw new ReplayCut(chunk.position);
                }
                validEnd = segments.end();
            }
        } finally {
            segments.verifyAppends(false);
        }
        segments.cutAt(validEnd);
        if (nextSeq > before) {
            LOG.info("read back " + (nextSeq - before) + " entries (seqs " + before + " to " + (nextSeq - 1)
                    + ") that were acknowledged after the last recorded commit");
            storeChanges().commit();
            publish();
        }
    }

    /** Applies one read-back chunk, checking every entry's links against the log before it. */
    private void replay(Chunk chunk) {
        byte[] data = chunk.data(segments);
        List<Object[]> nodes = new ArrayList<>();
        long ts = lastTsMillis;
        for (int i = 0; i < chunk.count(); i++) {
            long seq = chunk.firstSeq + i;
            byte[] bytes = Arrays.copyOfRange(data, chunk.offsets[i], chunk.offsets[i + 1]);
            Entry e;
            try {
                e = Entry.parse(bytes);
            } catch (InvalidEntryException x) {
                throw new LedgerCorruptException("entry " + seq + ", read back from the segment log, is damaged: "
                        + x.getMessage());
            }
            ContractorIndex.Seqs cs = contractors.getOrAdd(e.contractor());
            String problem = e.seq() != seq ? "has seq " + e.seq()
                    : !Arrays.equals(e.prev(), lastLeafHash) ? "does not link to the entry before it (prev)"
                    : e.cprev() != cs.last() ? "has cprev " + e.cprev() + " but the contractor's last entry is " + cs.last()
                    : cs.ordinal != chunk.contractors[i] ? "names another contractor than its chunk's column"
                    : EventIndex.hash(e.eventId()) != chunk.eventHashes[i] ? "has another event_id than its chunk's column"
                    : e.ts().toEpochMilli() < ts ? "has a ts before the entry before it"
                    : null;
            if (problem != null) {
                throw new LedgerCorruptException("entry " + seq + ", read back from the segment log, " + problem);
            }
            byte[] leaf = Rfc9162.leafHash(bytes);
            frontier.append(leaf, (level, index, hash) -> nodes.add(new Object[] {level, index, hash}));
            lastLeafHash = leaf;
            cs.add(seq);
            ts = e.ts().toEpochMilli();
        }
        nextSeq = chunk.firstSeq + chunk.count();
        lastTsMillis = ts;
        applyToRoot(nodes, chunk, ts, nextSeq);
    }

    /**
     * Builds event_id to seq from the chunks' hash columns. Runs on the writer thread before it
     * takes the first batch, so reads are served while it runs (about a second at 10M entries).
     */
    private void buildEventIndex() {
        if (events != null) {
            return;
        }
        EventIndex index = new EventIndex(root.size + 1024, this::eventHashOf);
        for (int c = 0; c < chunkCount; c++) {
            Chunk chunk = root.chunks.get(c);
            for (int i = 0; i < chunk.count(); i++) {
                index.add(chunk.eventHashes[i], chunk.firstSeq + i);
            }
        }
        events = index;
    }

    private long eventHashOf(long seq) {
        Chunk chunk = chunkOf(root, chunkStarts, chunkCount, seq);
        return chunk.eventHashes[(int) (seq - chunk.firstSeq)];
    }

    /** After a failed commit: drop in-memory state and reopen from what is on disk. */
    private boolean reload() {
        // Readers keep the published snapshot, and so its segment files, until a reload succeeds.
        if (segments != null) {
            retired = segments;
            segments = null;
        }
        try {
            closeStorage();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "storage shutdown after a failed commit", e);
        }
        StorageFailedException was = broken;
        try {
            load();
            buildEventIndex();
            broken = null;
            // Appends may go on, but until one is stored the disk has not shown that it takes them.
            if (was != null) {
                unresolved = was;
            }
            closeRetired();
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

    private Snapshot snapshot() {
        return new Snapshot(root, contractors, segments, root.size, chunkStarts, chunkCount, root.checkpoints.size());
    }

    private void publish() {
        published = snapshot();
        handedOver = published.size();
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
        committer.shutdown();
        try {
            closeStorage();
            recorder.shutdown();
            closeRetired();
            StoreSeal.writeOnClose(options.dataDir(), broken == null);
        } finally {
            lock.close();
        }
    }

    private void closeRetired() {
        if (retired != null) {
            retired.close();
            retired = null;
        }
    }

    private void closeStorage() {
        try {
            storing.handle((ok, e) -> null).join();
            storing = CompletableFuture.completedFuture(null);
            storage.shutdown();
        } finally {
            fileWriter.close();
            if (segments != null) {
                segments.close();
                segments = null;
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** The origin line of this log's checkpoints. */
    public String origin() {
        return published.root().origin;
    }

    /**
     * The log's size once the last batch published was handed to the append listener (or
     * would have been, had one been set), or as read on open: at most {@link #size}. A follower
     * that reads this after {@code size()} and finds it as large knows that every entry below
     * that size it was not handed was never going to be: it was published before the follower
     * listened, or the listener dropped or failed it.
     */
    public long handedOver() {
        return handedOver;
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
        return Optional.of(chunkOf(s.root(), s.chunkStarts(), s.chunkCount(), seq).entry(seq, s.segments()));
    }

    /**
     * The canonical bytes of the entries from {@code from} (inclusive) to {@code to} (exclusive),
     * read a chunk at a time rather than an entry at a time. Requires 0 <= from <= to <= size().
     */
    public List<byte[]> entries(long from, long to) {
        Snapshot s = published;
        requireAtMost(to, s.size(), "to");
        if (from < 0 || from > to) {
            throw new IllegalArgumentException("from must be between 0 and to (" + to + "), was " + from);
        }
        List<byte[]> out = new ArrayList<>((int) Math.min(to - from, 1 << 16));
        long seq = from;
        while (seq < to) {
            Chunk chunk = chunkOf(s.root(), s.chunkStarts(), s.chunkCount(), seq);
            long end = Math.min(to, chunk.firstSeq + chunk.count());
            chunk.entries(seq, end, s.segments(), out);
            seq = end;
        }
        return out;
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
        Snapshot s = published;
        BlockList<StoredCheckpoint> list = s.root().checkpoints;
        long lo = 0;
        long hi = s.checkpointCount() - 1;
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
        Snapshot s = published;
        BlockList<StoredCheckpoint> list = s.root().checkpoints;
        long n = s.checkpointCount();
        return n == 0 ? Optional.empty() : Optional.of(list.get(n - 1).note);
    }

    /** Every signed checkpoint issued, oldest first (for backups). */
    public List<String> checkpoints() {
        Snapshot s = published;
        List<String> notes = new ArrayList<>((int) s.checkpointCount());
        for (long i = 0; i < s.checkpointCount(); i++) {
            notes.add(s.root().checkpoints.get(i).note);
        }
        return notes;
    }

    /** Tree size of the newest signed checkpoint, or -1. */
    public long latestCheckpointSize() {
        Snapshot s = published;
        BlockList<StoredCheckpoint> list = s.root().checkpoints;
        long n = s.checkpointCount();
        return n == 0 ? -1 : list.get(n - 1).treeSize;
    }

    /**
     * Why the last batch failed on storage, while no batch has been stored since: the storage has
     * not come back, or it was reopened but has taken nothing yet (a full disk reopens fine and
     * refuses the next write again).
     */
    public Optional<String> storageProblem() {
        StorageFailedException b = broken;
        if (b == null) {
            b = unresolved;
        }
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
