package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.merkle.MemoryTree;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.merkle.Proofs;
import dev.trackrecord.ledger.merkle.Rfc9162;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteSigner;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
    private static final String ORIGIN = "trackrecord.test/ledger";

    @TempDir
    Path dir;

    private Ledger open() {
        return Ledger.open(LedgerOptions.defaults(dir, ORIGIN).withClock(TestEntries.CLOCK));
    }

    @Test
    void append_assignsSeqPrevCprevAndTs_inCanonicalEnvelope() throws Exception {
        try (Ledger ledger = open()) {
            List<Appended> acks = ledger.append(List.of(
                    TestEntries.audit("e1", "c-1", 9000),
                    TestEntries.audit("e2", "c-2", 8000),
                    TestEntries.audit("e3", "c-1", 7000)), "qa-service").join();

            assertThat(acks).extracting(Appended::seq).containsExactly(0L, 1L, 2L);
            Entry first = Entry.parse(ledger.entry(0).orElseThrow());
            Entry third = Entry.parse(ledger.entry(2).orElseThrow());
            assertThat(first.prev()).isEqualTo(new byte[32]);
            assertThat(first.cprev()).isEqualTo(-1);
            assertThat(first.source()).isEqualTo("qa-service");
            assertThat(first.ts()).isEqualTo(TestEntries.CLOCK.instant());
            assertThat(third.prev()).isEqualTo(ledger.leafHash(1));
            assertThat(third.cprev()).isEqualTo(0);
            assertThat(third.eventId()).isEqualTo("e3");
            assertThat(ledger.leafHash(2)).isEqualTo(Rfc9162.leafHash(ledger.entry(2).orElseThrow()));
            assertThat(acks.get(2).leafHash()).isEqualTo(HexFormat.of().formatHex(ledger.leafHash(2)));
            assertThat(ledger.contractorSeqs("c-1")).containsExactly(0L, 2L);
        }
    }

    @Test
    void append_sameEventIdSameEntry_returnsOriginalAndAppendsNothing() {
        try (Ledger ledger = open()) {
            Appended original = ledger.append(List.of(TestEntries.audit("e1", "c-1", 9000)), "s").join().get(0);

            Appended again = ledger.append(List.of(TestEntries.audit("e1", "c-1", 9000)), "s").join().get(0);

            assertThat(again.seq()).isEqualTo(original.seq());
            assertThat(again.leafHash()).isEqualTo(original.leafHash());
            assertThat(again.duplicate()).isTrue();
            assertThat(ledger.size()).isEqualTo(1);
        }
    }

    @Test
    void append_sameEventIdDifferentBody_isRefusedAndWholeRequestAppendsNothing() {
        try (Ledger ledger = open()) {
            ledger.append(List.of(TestEntries.audit("e1", "c-1", 9000)), "s").join();

            CompletableFuture<List<Appended>> clash = ledger.append(List.of(
                    TestEntries.audit("e2", "c-1", 9000),
                    TestEntries.audit("e1", "c-1", 1000)), "s");

            assertThatThrownBy(clash::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(EventConflictException.class)
                    .hasMessageContaining("event_id 'e1' is already used by entry 0 with a different body");
            assertThat(ledger.size()).isEqualTo(1);
        }
    }

    @Test
    void append_duplicateWithinOneRequest_appendsOnce() {
        try (Ledger ledger = open()) {
            List<Appended> acks = ledger.append(List.of(
                    TestEntries.audit("e1", "c-1", 9000),
                    TestEntries.audit("e1", "c-1", 9000)), "s").join();

            assertThat(acks.get(1).seq()).isEqualTo(acks.get(0).seq());
            assertThat(acks.get(1).duplicate()).isTrue();
            assertThat(ledger.size()).isEqualTo(1);
        }
    }

    @Test
    void reopen_keepsEntriesTreeAndIdempotency() {
        byte[] rootBefore;
        try (Ledger ledger = open()) {
            appendMany(ledger, 3000, 100);
            rootBefore = ledger.root(ledger.size());
        }
        try (Ledger ledger = open()) {
            assertThat(ledger.size()).isEqualTo(3000);
            assertThat(ledger.root(3000)).isEqualTo(rootBefore);
            for (long seq = 0; seq < 3000; seq++) {
                assertThat(ledger.leafHash(seq)).as("stored leaf %d", seq)
                        .isEqualTo(Rfc9162.leafHash(ledger.entry(seq).orElseThrow()));
            }
            MemoryTree reference = new MemoryTree();
            for (long seq = 0; seq < 3000; seq++) {
                reference.append(ledger.leafHash(seq));
            }
            for (long size = 1; size <= 3000; size += 97) {
                assertThat(ledger.root(size)).as("root at %d", size).isEqualTo(Proofs.root(size, reference));
            }
            Appended again = ledger.append(List.of(TestEntries.audit("e-1234", "c-34", 6234)), "s").join().get(0);
            assertThat(again.seq()).isEqualTo(1234);
            assertThat(again.duplicate()).isTrue();
            assertThat(ledger.contractorSeqs("c-34")).hasSize(30);
            Appended next = ledger.append(List.of(TestEntries.audit("e-new", "c-34", 5000)), "s").join().get(0);
            assertThat(next.seq()).isEqualTo(3000);
            assertThat(Entry.parse(ledger.entry(3000).orElseThrow()).cprev()).isEqualTo(2934);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void treeAndProofs_matchAnIndependentTreeOverTheStoredEntries() throws Exception {
        try (Ledger ledger = open()) {
            appendMany(ledger, 1500, 37);
            MemoryTree reference = new MemoryTree();
            for (long seq = 0; seq < ledger.size(); seq++) {
                reference.append(Rfc9162.leafHash(ledger.entry(seq).orElseThrow()));
            }

            for (long size : new long[] {1, 2, 3, 255, 256, 257, 1000, 1500}) {
                byte[] root = ledger.root(size);
                assertThat(root).isEqualTo(Proofs.root(size, reference));
                for (long seq : new long[] {0, size / 2, size - 1}) {
                    ProofVerifier.verifyInclusion(seq, size, ledger.leafHash(seq), ledger.inclusionProof(seq, size), root);
                }
                long older = Math.max(1, size / 3);
                ProofVerifier.verifyConsistency(older, size, ledger.consistencyProof(older, size),
                        ledger.root(older), root);
            }
        }
    }

    @Test
    void checkpointer_signsTheCurrentRoot_andKeepsEveryCheckpoint() throws Exception {
        NoteSigner signer = NoteSigner.generate(ORIGIN, new SecureRandom());
        try (Ledger ledger = open(); Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            String empty = checkpointer.checkpointNow();
            appendMany(ledger, 10, 3);
            String ten = checkpointer.checkpointNow();

            Checkpoint c0 = Checkpoint.open(empty, signer.verifier());
            Checkpoint c10 = Checkpoint.open(ten, signer.verifier());
            assertThat(c0.treeSize()).isZero();
            assertThat(c10.treeSize()).isEqualTo(10);
            assertThat(c10.rootHash()).isEqualTo(ledger.root(10));
            assertThat(ledger.checkpoint(0)).contains(empty);
            assertThat(ledger.checkpoint(10)).contains(ten);
            assertThat(ledger.latestCheckpoint()).contains(ten);
            assertThat(checkpointer.checkpointNow()).isEqualTo(ten);
        }
    }

    @Test
    void append_concurrentCallers_allAcknowledgedWithDistinctSeqs() {
        try (Ledger ledger = open()) {
            List<CompletableFuture<List<Appended>>> futures = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                futures.add(ledger.append(List.of(TestEntries.audit("e-" + i, "c-" + (i % 50), 5000)), "s"));
            }
            long distinct = futures.stream().map(CompletableFuture::join).map(l -> l.get(0).seq()).distinct().count();

            assertThat(distinct).isEqualTo(2000);
            assertThat(ledger.size()).isEqualTo(2000);
        }
    }

    @Test
    void readers_seeOnlyWhatWasAcknowledged() {
        try (Ledger ledger = open()) {
            assertThat(ledger.entry(0)).isEmpty();
            assertThatThrownBy(() -> ledger.inclusionProof(0, 1)).hasMessageContaining("tree_size must be between 0 and the log size 0");
        }
    }

    @Test
    void entries_acrossChunks_areTheEntriesOneByOne() {
        try (Ledger ledger = open()) {
            appendMany(ledger, 500, 70);
            for (long[] range : new long[][] {{0, 500}, {69, 71}, {100, 100}, {139, 421}, {499, 500}}) {
                List<byte[]> got = ledger.entries(range[0], range[1]);
                assertThat(got).hasSize((int) (range[1] - range[0]));
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).isEqualTo(ledger.entry(range[0] + i).orElseThrow());
                }
            }
            assertThatThrownBy(() -> ledger.entries(10, 501)).hasMessageContaining("to must be between 0 and the log size 500");
            assertThatThrownBy(() -> ledger.entries(11, 10)).hasMessageContaining("from must be between 0 and to");
        }
    }

    static void appendMany(Ledger ledger, int count, int batch) {
        for (int start = 0; start < count; start += batch) {
            List<Submission> subs = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + batch); i++) {
                subs.add(TestEntries.audit("e-" + i, "c-" + (i % 100), 5000 + i % 5000));
            }
            ledger.append(subs, "loader").join();
        }
    }
}
