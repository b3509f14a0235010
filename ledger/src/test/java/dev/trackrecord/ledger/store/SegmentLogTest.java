package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentLogTest {
    private static final long SEGMENT = 3 * SegmentLog.ZEROS_AHEAD / 2;

    @TempDir
    Path dir;

    @Test
    void anAppendThatGrowsTheFile_writesZerosAhead_whichLaterAppendsOverwrite() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, 0, SEGMENT)) {
            log.append(bytes(1, 100), 0, 100);
            assertThat(Files.size(segment(0))).isEqualTo(100 + SegmentLog.ZEROS_AHEAD);
            log.append(bytes(2, 100), 0, 100);
            log.sync();
            assertThat(Files.size(segment(0))).as("an append in place leaves the length as it was")
                    .isEqualTo(100 + SegmentLog.ZEROS_AHEAD);
            assertThat(log.read(SegmentLog.position(0, 100), 100)).isEqualTo(bytes(2, 100));
            assertThat(log.end()).isEqualTo(200);
        }
        assertThat(Files.size(segment(0))).as("closed: the file ends with its records").isEqualTo(200);
    }

    @Test
    void aSegmentLeftBehind_endsWithItsLastRecord_andReopeningReadsEveryPiece() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        List<long[]> pieces = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        long end;
        try (SegmentLog log = SegmentLog.open(dir, 0, SEGMENT)) {
            while (SegmentLog.segmentOf(log.end()) < 2) {
                byte[] piece = bytes(random.nextInt(), 1 + random.nextInt(100_000));
                pieces.add(new long[] {log.append(piece, 0, piece.length), piece.length});
                written.add(piece);
            }
            log.sync();
            end = log.end();
            for (int s = 0; s < 2; s++) {
                long last = 0;
                for (long[] p : pieces) {
                    if (SegmentLog.segmentOf(p[0]) == s) {
                        last = Math.max(last, SegmentLog.offsetOf(p[0]) + p[1]);
                    }
                }
                assertThat(Files.size(segment(s))).as("segment %d", s).isEqualTo(last);
            }
            assertThat(Files.size(segment(2))).isGreaterThan(SegmentLog.offsetOf(end));
        }
        try (SegmentLog log = SegmentLog.open(dir, end, SEGMENT)) {
            for (int i = 0; i < pieces.size(); i++) {
                assertThat(log.read(pieces.get(i)[0], (int) pieces.get(i)[1])).as("piece %d", i)
                        .isEqualTo(written.get(i));
            }
            assertThat(log.nextRecord(1)).as("nothing after the end").isEmpty();
        }
    }

    @Test
    void theZerosAhead_areNotReadAsARecord_andOpeningCutsThem() throws IOException {
        long end;
        try (SegmentLog log = SegmentLog.open(dir, 0, SEGMENT)) {
            log.append(bytes(3, 500), 0, 500);
            log.sync();
            end = log.end();
            // A crash: the process dies with the zeros still ahead of the records.
            Files.copy(segment(0), dir.resolve("crashed.dat"));
        }
        Files.move(dir.resolve("crashed.dat"), segment(0), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(segment(0))).isEqualTo(500 + SegmentLog.ZEROS_AHEAD);
        try (SegmentLog log = SegmentLog.open(dir, end, SEGMENT)) {
            assertThat(Chunk.readWhole(log, log.end(), 0)).isEmpty();
            log.cutAt(log.end());
            assertThat(Files.size(segment(0))).isEqualTo(500);
            log.append(bytes(4, 10), 0, 10);
            assertThat(log.read(SegmentLog.position(0, 500), 10)).isEqualTo(bytes(4, 10));
        }
    }

    private Path segment(int s) {
        return dir.resolve(String.format("seg-%06d.dat", s));
    }

    private static byte[] bytes(int seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = 1;
            }
        }
        return Arrays.copyOf(b, length);
    }

    @Test
    void aReadPastACut_reportsTheShortSegment_andWhatIsBeforeTheCutStillReads() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, 0, SEGMENT)) {
            byte[] piece = bytes(5, 100_000);
            log.append(piece, 0, piece.length);
            log.append(piece, 0, piece.length);
            log.sync();
            log.cutAt(SegmentLog.position(0, 150_000));
            assertThatThrownBy(() -> log.read(SegmentLog.position(0, 160_000), 10))
                    .isInstanceOf(LedgerCorruptException.class).hasMessageContaining("ends before offset");
            assertThat(log.read(SegmentLog.position(0, 1000), 10)).isEqualTo(Arrays.copyOfRange(piece, 1000, 1010));
            assertThat(log.end()).isEqualTo(150_000);
        }
    }
}
