package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.EntrySource;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReputationFollowerTest {
    private static final Clock EVALUATION = Clock.fixed(Instant.parse("2026-11-20T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void follower_scoresFromHandedOverBatches_exactlyAsReadingTheLogBack() throws Exception {
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "trackrecord.test/ledger").withClock(TestEntries.CLOCK))) {
            // Some entries before the follower starts: those it must read from the log.
            ledger.append(batch(0, 50), "loader").join();
            CountingSource source = new CountingSource(new LedgerEntrySource(ledger));
            ReputationIndex followed = new ReputationIndex(source, EVALUATION);
            try (ReputationFollower follower = ReputationFollower.start(ledger, followed)) {
                List<CompletableFuture<List<Appended>>> pending = new ArrayList<>();
                for (int start = 50; start < 2000; start += 25) {
                    pending.add(ledger.append(batch(start, start + 25), "loader"));
                }
                // A batch larger than the slice the index applies under one hold of its lock.
                pending.add(ledger.append(batch(2000, 2600), "loader"));
                // Resends of known event_ids are not new entries.
                pending.add(ledger.append(batch(100, 130), "loader"));
                pending.forEach(CompletableFuture::join);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (followed.appliedSize() < ledger.size() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
            assertThat(ledger.size()).isEqualTo(2600);
            assertThat(followed.appliedSize()).isEqualTo(2600);
            // Only what was appended before it started is read back: the rest was handed over.
            assertThat(source.readBack).as("entries read back from the log").hasValue(50);

            ReputationIndex cold = new ReputationIndex(new LedgerEntrySource(ledger), EVALUATION);
            cold.catchUp();
            for (int c = 0; c < 40; c++) {
                String id = "c-" + c;
                assertThat(new String(followed.lookupJson(id).orElseThrow(), StandardCharsets.UTF_8)).as(id)
                        .isEqualTo(new String(cold.lookupJson(id).orElseThrow(), StandardCharsets.UTF_8));
            }
        }
    }

    /** Counts the entries the index reads back from the log. */
    private static final class CountingSource implements EntrySource {
        final AtomicLong readBack = new AtomicLong();
        private final EntrySource log;

        CountingSource(EntrySource log) {
            this.log = log;
        }

        @Override
        public long size() {
            return log.size();
        }

        @Override
        public Entry entry(long seq) {
            readBack.incrementAndGet();
            return log.entry(seq);
        }

        @Override
        public Entry.KindAndBody kindAndBody(long seq) {
            readBack.incrementAndGet();
            return log.kindAndBody(seq);
        }

        @Override
        public List<Entry> entries(long from, long to) {
            readBack.addAndGet(to - from);
            return log.entries(from, to);
        }

        @Override
        public long[] contractorSeqs(String contractor) {
            return log.contractorSeqs(contractor);
        }
    }

    private static List<Submission> batch(int from, int to) {
        List<Submission> subs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            subs.add(TestEntries.audit("e-" + i, "c-" + (i % 40), (i * 7919) % 10_001));
        }
        return subs;
    }
}
