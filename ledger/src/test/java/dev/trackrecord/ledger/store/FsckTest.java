package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsckTest {
    private static final String ORIGIN = "trackrecord.test/fsck";

    @TempDir
    Path dir;


    private byte[] leaf2;
    private byte[] leaf3;

    /** Ten entries in three commits, checkpoints at 4 and 10, then closed. */
    @BeforeEach
    void setUp() throws Exception {
        NoteSigner signer = new DataDirectory(dir).loadOrCreateCheckpointSigner(ORIGIN);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, ORIGIN).withClock(TestEntries.CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            List<dev.trackrecord.ledger.entry.Submission> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(TestEntries.audit("e-" + i, "c-" + (i % 3), 9000));
            }
            ledger.append(batch, "qa").join();
            checkpointer.checkpointNow();
            for (int i = 4; i < 10; i++) {
                ledger.append(List.of(TestEntries.audit("e-" + i, "c-" + (i % 3), 8000)), "qa").join();
            }
            checkpointer.checkpointNow();
            leaf2 = ledger.leafHash(2);
            leaf3 = ledger.leafHash(3);
        }
    }

    @Test
    void check_intactLog_isOk() throws Exception {
        Fsck.Report report = Fsck.check(dir);

        assertThat(report.problem()).isEmpty();
        assertThat(report.entries()).isEqualTo(10);
        assertThat(report.contractors()).isEqualTo(3);
        assertThat(report.checkpoints()).isEqualTo(2);
        assertThat(report.latestCheckpointSize()).hasValue(10);
        assertThat(report.summary()).startsWith("OK: 10 entries, 3 contractors, 2 signed checkpoints verified");
    }

    @Test
    void check_bodyByteChangedInSegments_namesTheEntryThroughTheNextPrevLink() throws Exception {
        int changed = replaceInStore("\"audit_id\":\"a-e-3\"".getBytes(StandardCharsets.UTF_8), 12);

        Fsck.Report report = Fsck.check(dir);

        assertThat(changed).isPositive();
        assertThat(report.ok()).isFalse();
        assertThat(report.badSeq()).hasValue(3);
        assertThat(report.problem().orElseThrow()).startsWith("entry 3: its bytes hash to ")
                .contains("but entry 4 records its leaf hash as " + java.util.HexFormat.of().formatHex(leaf3));
    }

    @Test
    void check_lastEntryChanged_isCaughtByTheSignedCheckpoint() throws Exception {
        int changed = replaceInStore("\"audit_id\":\"a-e-9\"".getBytes(StandardCharsets.UTF_8), 12);

        Fsck.Report report = Fsck.check(dir);

        assertThat(changed).isPositive();
        assertThat(report.problem().orElseThrow()).startsWith("checkpoint at tree size 10 signs root ");
    }

    @Test
    void check_leafHashChangedInAStoredTile_namesTheEntry() throws Exception {
        Path big = dir.resolve("big");
        byte[] leaf;
        NoteSigner signer = new DataDirectory(big).loadOrCreateCheckpointSigner(ORIGIN);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(big, ORIGIN).withClock(TestEntries.CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            LedgerTest.appendMany(ledger, 600, 150);
            checkpointer.checkpointNow();
            leaf = ledger.leafHash(300);
        }
        Path saved = dir;
        dir = big;
        int changed = replaceInStore(leaf, 5);
        dir = saved;

        Fsck.Report report = Fsck.check(big);

        assertThat(changed).isEqualTo(1);
        assertThat(report.badSeq()).hasValue(300);
        assertThat(report.problem().orElseThrow()).startsWith("entry 300: its bytes hash to "
                + java.util.HexFormat.of().formatHex(leaf) + " but the tree stores leaf hash ");
    }

    @Test
    void check_interiorNodeChangedInAStoredTile_namesTheNode() throws Exception {
        Path big = dir.resolve("big");
        byte[] node;
        NoteSigner signer = new DataDirectory(big).loadOrCreateCheckpointSigner(ORIGIN);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(big, ORIGIN).withClock(TestEntries.CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            LedgerTest.appendMany(ledger, 600, 150);
            checkpointer.checkpointNow();
            node = Rfc9162.nodeHash(ledger.leafHash(300), ledger.leafHash(301));
        }
        Path saved = dir;
        dir = big;
        int changed = replaceInStore(node, 31);
        dir = saved;

        Fsck.Report report = Fsck.check(big);

        assertThat(changed).isEqualTo(1);
        assertThat(report.problem().orElseThrow()).startsWith("tree node (1, 150) stored as ");
        assertThat(report.badSeq()).hasValue(301);
    }

    @Test
    void check_otherVerifierKey_failsOnCheckpoint() throws Exception {
        Files.writeString(new DataDirectory(dir).checkpointVerifierKey(),
                NoteSigner.generate(ORIGIN, new SecureRandom()).verifier().text() + "\n");

        Fsck.Report report = Fsck.check(dir);

        assertThat(report.problem().orElseThrow()).startsWith("checkpoint at tree size 4 does not verify with ");
    }

    @Test
    void check_whileLedgerOpen_refusesWithTheLockNamed() throws Exception {
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, ORIGIN))) {
            Fsck.Report report = Fsck.check(dir);

            assertThat(report.problem().orElseThrow()).contains("is in use by another ledger");
            assertThat(ledger.size()).isEqualTo(10);
        }
    }

    @Test
    void check_afterFsck_ledgerStillOpens() throws Exception {
        Fsck.check(dir);

        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, ORIGIN))) {
            assertThat(ledger.size()).isEqualTo(10);
        }
    }

    /**
     * A tree tile stored while partial (more than 128 hashes, so its array is no longer
     * regrown) and filled in place by a later commit is not stored again when it becomes full:
     * after reopening, its later hashes read as zeros. TreeTiles.Level.flush should store the
     * array of each tile that became full since the last flush. Enable once that is fixed.
     */
    @Test
    void check_tileFilledAcrossCommits_survivesReopen() throws Exception {
        Path other = dir.resolve("tiles");
        NoteSigner signer = new DataDirectory(other).loadOrCreateCheckpointSigner(ORIGIN);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(other, ORIGIN).withClock(TestEntries.CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            for (int b = 0; b < 2; b++) {
                List<dev.trackrecord.ledger.entry.Submission> batch = new ArrayList<>();
                for (int i = 0; i < (b == 0 ? 200 : 100); i++) {
                    batch.add(TestEntries.audit("t-" + b + "-" + i, "c-1", 9000));
                }
                ledger.append(batch, "qa").join();
            }
            checkpointer.checkpointNow();
        }

        Fsck.Report report = Fsck.check(other);

        assertThat(report.problem()).isEmpty();
    }

    /**
     * Flips one bit of the byte at {@code offset} within every occurrence of {@code needle} in the
     * files under DIR/store and DIR/segments, as a disk or an editor might; returns the number of occurrences.
     */
    private int replaceInStore(byte[] needle, int offset) throws IOException {
        int found = 0;
        List<Path> files;
        try (Stream<Path> walk = Stream.concat(Files.walk(dir.resolve("store")), Files.walk(dir.resolve("segments")))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            boolean changed = false;
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                    bytes[i + offset] ^= 0x01;
                    changed = true;
                    found++;
                }
            }
            if (changed) {
                Files.write(file, bytes);
            }
        }
        return found;
    }
}
