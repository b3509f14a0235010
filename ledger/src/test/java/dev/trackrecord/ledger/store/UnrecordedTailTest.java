package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends are acknowledged once their segment bytes are synced; EclipseStore records them later.
 * These tests copy a data directory while its ledger is open, which leaves what a crash leaves,
 * and open the copy.
 */
class UnrecordedTailTest {
    private static final String ORIGIN = "trackrecord.test/ledger";

    @TempDir
    Path dir;

    private LedgerOptions options(Path data) {
        // EclipseStore records nothing on its own within the test: only on open, checkpoints and close.
        return LedgerOptions.defaults(data, ORIGIN).withClock(TestEntries.CLOCK).withRecordInterval(Duration.ofHours(1));
    }

    /** Appends {@code count} entries in batches of {@code batch}, then copies the open directory. */
    private Path crashCopyAfter(int count, int batch, List<byte[]> roots) throws IOException {
        Path live = dir.resolve("live");
        try (Ledger ledger = Ledger.open(options(live))) {
            for (int start = 0; start < count; start += batch) {
                ledger.append(batch(start, Math.min(count, start + batch)), "loader").join();
                roots.add(ledger.root(ledger.size()));
            }
            Path copy = dir.resolve("copy");
            TamperTest.copyTree(live, copy);
            return copy;
        }
    }

    private static List<Submission> batch(int from, int to) {
        List<Submission> subs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            subs.add(TestEntries.audit("e-" + i, "c-" + (i % 37), 5000 + i));
        }
        return subs;
    }

    @Test
    void open_readsBackEveryAcknowledgedBatchThatEclipseStoreHadNotRecorded() throws Exception {
        List<byte[]> roots = new ArrayList<>();
        Path copy = crashCopyAfter(600, 50, roots);

        try (Ledger ledger = Ledger.open(options(copy))) {
            assertThat(ledger.size()).isEqualTo(600);
            assertThat(ledger.root(600)).isEqualTo(roots.get(roots.size() - 1));
            assertThat(ledger.contractorSeqs("c-5")).hasSize(17);
            Appended resend = ledger.append(List.of(TestEntries.audit("e-321", "c-" + (321 % 37), 5321)), "s")
                    .join().get(0);
            assertThat(resend.seq()).isEqualTo(321);
            assertThat(resend.duplicate()).isTrue();
            Appended next = ledger.append(List.of(TestEntries.audit("e-new", "c-5", 1)), "s").join().get(0);
            assertThat(next.seq()).isEqualTo(600);
            Entry e = Entry.parse(ledger.entry(600).orElseThrow());
            assertThat(e.prev()).isEqualTo(ledger.leafHash(599));
            assertThat(e.cprev()).isEqualTo(597);
        }
        assertThat(Fsck.check(copy).problem()).isEmpty();
        // Recorded on that open: a second open has nothing to read back and the same log.
        try (Ledger ledger = Ledger.open(options(copy))) {
            assertThat(ledger.size()).isEqualTo(601);
        }
    }

    /** How a crash leaves the last record of the segment log torn. */
    enum Tear {
        /** Its last bytes never reached the disk, and the zeros written ahead of it are still there. */
        ZEROED,
        /** The file ends inside it. */
        CUT
    }

    @Test
    void anOpenLog_hasZerosWrittenAheadOfItsRecords_andAClosedOneDoesNot() throws Exception {
        List<byte[]> roots = new ArrayList<>();
        Path copy = crashCopyAfter(300, 30, roots);
        Path segment = copy.resolve("segments/seg-000000.dat");
        long records = recordsEnd(segment);

        assertThat(Files.size(segment)).isGreaterThan(records).isLessThanOrEqualTo(records + SegmentLog.ZEROS_AHEAD);
        try (Ledger ledger = Ledger.open(options(copy))) {
            assertThat(ledger.size()).isEqualTo(300);
            ledger.append(batch(300, 310), "loader").join();
        }
        assertThat(Files.size(segment)).isEqualTo(recordsEnd(segment)).isGreaterThan(records);
        assertThat(Fsck.check(copy).problem()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Tear.class)
    void open_cutsOffABatchWhoseChunkWasCutShort(Tear tear) throws Exception {
        List<byte[]> roots = new ArrayList<>();
        Path copy = crashCopyAfter(300, 30, roots);
        // The last batch (seqs 270..299) completes no tile, so its chunk is the last record.
        tearLastRecord(copy, 40, tear);

        try (Ledger ledger = Ledger.open(options(copy))) {
            assertThat(ledger.size()).isEqualTo(270);
            assertThat(ledger.root(270)).isEqualTo(roots.get(8));
            Appended again = ledger.append(List.of(TestEntries.audit("e-280", "c-" + (280 % 37), 5280)), "s")
                    .join().get(0);
            assertThat(again.seq()).isEqualTo(270);
            assertThat(again.duplicate()).isFalse();
        }
        assertThat(Fsck.check(copy).problem()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Tear.class)
    void open_cutsOffABatchWhoseTreeTilesWereCutShort(Tear tear) throws Exception {
        List<byte[]> roots = new ArrayList<>();
        // The last batch (448..511) fills the second tile of leaves and the first of level 1: its
        // chunk is whole, the tiles written after it are not.
        Path copy = crashCopyAfter(512, 64, roots);
        tearLastRecord(copy, 100, tear);

        try (Ledger ledger = Ledger.open(options(copy))) {
            assertThat(ledger.size()).isEqualTo(448);
            assertThat(ledger.root(448)).isEqualTo(roots.get(6));
            ledger.append(batch(448, 512), "loader").join();
            assertThat(ledger.root(512)).isEqualTo(roots.get(7));
        }
        assertThat(Fsck.check(copy).problem()).isEmpty();
    }

    @Test
    void open_afterACleanClose_hasNothingToReadBack() throws Exception {
        Path data = dir.resolve("clean");
        try (Ledger ledger = Ledger.open(options(data))) {
            ledger.append(batch(0, 100), "loader").join();
        }
        long before = segmentBytes(data);
        try (Ledger ledger = Ledger.open(options(data))) {
            assertThat(ledger.size()).isEqualTo(100);
        }
        assertThat(segmentBytes(data)).isEqualTo(before);
        assertThat(Fsck.check(data).problem()).isEmpty();
    }

    private static long segmentBytes(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("segments"))) {
            long total = 0;
            for (Path p : files.toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static void tearLastRecord(Path data, int bytes, Tear tear) throws IOException {
        Path last;
        try (Stream<Path> files = Files.list(data.resolve("segments"))) {
            last = files.sorted().reduce((a, b) -> b).orElseThrow();
        }
        long end = recordsEnd(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            switch (tear) {
                case ZEROED -> ch.write(ByteBuffer.allocate(bytes), end - bytes);
                case CUT -> ch.truncate(end - bytes);
            }
        }
    }

    /** Where the records of a segment end: after its last byte that is not zero. */
    private static long recordsEnd(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return end;
    }
}
