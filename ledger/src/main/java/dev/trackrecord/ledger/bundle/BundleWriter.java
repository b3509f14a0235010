package dev.trackrecord.ledger.bundle;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Ledger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the export bundle of DESIGN.md as a zip, streaming: entries are read from the ledger
 * one at a time and written straight out, twice (once for entries.jsonl, once for
 * proofs.jsonl), so the heap holds one entry and one proof at a time whatever the bundle's size.
 *
 * <p>The bundle is made against the latest signed checkpoint; entries appended after it are not
 * exported. The file order is checkpoint, key.vkey, entries.jsonl, proofs.jsonl,
 * consistency.json (when asked for), manifest.json (last, as it counts the entries).
 */
public final class BundleWriter {
    static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private BundleWriter() {
    }

    /**
     * Writes the bundle of the entries {@code query} selects to {@code out}, which is left open.
     * Returns the number of entries written.
     *
     * @param key the log's checkpoint verifier key, written as key.vkey; the latest checkpoint
     *     must verify with it
     * @throws InvalidQueryException if {@code since_size} exceeds the checkpoint or no checkpoint
     *     was issued at it
     * @throws IllegalStateException if the log has no checkpoint yet, or its latest checkpoint
     *     does not verify with {@code key}
     */
    public static long write(Ledger ledger, ExportQuery query, NoteVerifier key, Clock clock, OutputStream out)
            throws IOException {
        return write(ledger, query, key, clock, out, null);
    }

    /**
     * As {@link #write(Ledger, ExportQuery, NoteVerifier, Clock, OutputStream)}, with
     * {@code personal.json} (a contractor's own export: their personal data, format
     * {@code trackrecord-personal/1}) when {@code personalJson} is not null.
     */
    public static long write(Ledger ledger, ExportQuery query, NoteVerifier key, Clock clock, OutputStream out,
                             byte[] personalJson) throws IOException {
        String note = ledger.latestCheckpoint().orElseThrow(() ->
                new IllegalStateException("the log has no signed checkpoint yet; nothing can be exported"));
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.open(note, key);
        } catch (NoteException e) {
            throw new IllegalStateException("the latest checkpoint does not verify with key " + key.text() + ": "
                    + e.getMessage(), e);
        }
        long treeSize = checkpoint.treeSize();
        String checkpoint1 = null;
        if (query.sinceSize().isPresent()) {
            long m = query.sinceSize().getAsLong();
            if (m > treeSize) {
                throw new InvalidQueryException("since_size", "must not exceed the latest checkpoint's tree size "
                        + treeSize + ", was " + m);
            }
            checkpoint1 = ledger.checkpoint(m).orElseThrow(() -> new InvalidQueryException("since_size",
                    "no checkpoint was issued at tree size " + m + "; name the size of a checkpoint you hold"));
        }

        ZipOutputStream zip = new ZipOutputStream(new NonClosing(out), StandardCharsets.UTF_8);
        put(zip, BundleFormat.CHECKPOINT, note.getBytes(StandardCharsets.UTF_8));
        put(zip, BundleFormat.KEY, (key.text() + "\n").getBytes(StandardCharsets.UTF_8));

        Selection selection = new Selection(ledger, query, treeSize);
        zip.putNextEntry(new ZipEntry(BundleFormat.ENTRIES));
        long count = 0;
        for (long i = 0; i < selection.candidates(); i++) {
            long seq = selection.candidate(i);
            byte[] bytes = selection.bytesIfSelected(seq);
            if (bytes != null) {
                zip.write(bytes);
                zip.write('\n');
                count++;
            }
        }
        zip.closeEntry();

        zip.putNextEntry(new ZipEntry(BundleFormat.PROOFS));
        CanonicalWriter line = new CanonicalWriter(4096);
        for (long i = 0; i < selection.candidates(); i++) {
            long seq = selection.candidate(i);
            if (query.kinds().isEmpty() || selection.bytesIfSelected(seq) != null) {
                line.reset();
                BundleFormat.proofLine(line, seq, ledger.leafHash(seq), treeSize, ledger.inclusionProof(seq, treeSize));
                line.ascii("\n");
                zip.write(line.toByteArray());
            }
        }
        zip.closeEntry();

        if (checkpoint1 != null) {
            long m = query.sinceSize().getAsLong();
            CanonicalWriter c = new CanonicalWriter(4096);
            List<byte[]> proof = ledger.consistencyProof(m, treeSize);
            BundleFormat.consistency(c, m, ledger.root(m), checkpoint1, treeSize, proof);
            c.ascii("\n");
            put(zip, BundleFormat.CONSISTENCY, c.toByteArray());
        }

        if (personalJson != null) {
            put(zip, BundleFormat.PERSONAL, personalJson);
        }

        CanonicalWriter manifest = new CanonicalWriter(1024);
        BundleFormat.manifest(manifest, CREATED.format(clock.instant()), count, checkpoint.origin(),
                applied(query, treeSize), treeSize);
        manifest.ascii("\n");
        put(zip, BundleFormat.MANIFEST, manifest.toByteArray());
        zip.finish();
        zip.flush();
        return count;
    }

    /**
     * The query as applied to this checkpoint, which the manifest records: a to_seq beyond the
     * checkpoint's last seq is cut to it, so a verifier can tell a changed to_seq.
     */
    static ExportQuery applied(ExportQuery query, long treeSize) {
        if (query.toSeq().isPresent() && treeSize > 0 && query.toSeq().getAsLong() > treeSize - 1) {
            long to = Math.max(treeSize - 1, query.fromSeq().orElse(0));
            return new ExportQuery(query.contractor(), query.fromSeq(), java.util.OptionalLong.of(to), query.kinds(),
                    query.sinceSize());
        }
        return query;
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    /**
     * The seqs a query may select, in order: a contractor's seqs (from the ledger's index, not a
     * scan of the log) or a range of the log, cut to the query's range and the checkpoint.
     */
    private static final class Selection {
        private final Ledger ledger;
        private final ExportQuery query;
        private final long[] contractorSeqs;
        private final long first;
        private final long end;

        Selection(Ledger ledger, ExportQuery query, long treeSize) {
            this.ledger = ledger;
            this.query = query;
            long from = query.fromSeq().orElse(0);
            long to = Math.min(query.toSeq().orElse(Long.MAX_VALUE - 1), treeSize - 1);
            if (query.contractor().isPresent()) {
                contractorSeqs = ledger.contractorSeqs(query.contractor().get());
                first = lowerBound(contractorSeqs, from);
                end = Math.max(first, lowerBound(contractorSeqs, to + 1));
            } else {
                contractorSeqs = null;
                first = from;
                end = Math.max(from, to + 1);
            }
        }

        long candidates() {
            return end - first;
        }

        long candidate(long i) {
            return contractorSeqs != null ? contractorSeqs[(int) (first + i)] : first + i;
        }

        /** The entry's bytes when the query selects it, else null. */
        byte[] bytesIfSelected(long seq) {
            byte[] bytes = ledger.entry(seq).orElseThrow(() -> new IllegalStateException("entry " + seq + " is missing"));
            if (query.kinds().isEmpty()) {
                return bytes;
            }
            try {
                return query.kinds().contains(Entry.parse(bytes).kind()) ? bytes : null;
            } catch (InvalidEntryException e) {
                throw new IllegalStateException("stored entry " + seq + " is not a valid entry: " + e.getMessage(), e);
            }
        }

        private static long lowerBound(long[] a, long key) {
            int i = Arrays.binarySearch(a, key);
            return i >= 0 ? i : -i - 1;
        }
    }

    /** Lets the zip be finished without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
