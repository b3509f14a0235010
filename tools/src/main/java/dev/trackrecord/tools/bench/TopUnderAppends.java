package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.TopQuery;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerEntrySource;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Top-k latency while the index applies entries as fast as one thread can: the simulated
 * marketplace of the scoring-cost bench ({@link ScoringCost}) is appended once; then, in each
 * round, a fresh index holds its first quarter with the rankings of every skill kept, one thread
 * applies the rest as the ledger handed it over, and this thread asks for a skill's top 10 every
 * 0.2 ms until it is done. Prints the latency of those queries per round. Not part of
 * {@code ./trackrecord bench}: {@code java -cp "tools/target/trackrecord-tools.jar:tools/target/libs/*"
 * dev.trackrecord.tools.bench.TopUnderAppends DIR [ENTRIES]} (DIR is emptied first).
 */
public final class TopUnderAppends {
    private TopUnderAppends() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TopUnderAppends DIR [ENTRIES (default 200000)]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int entries = 200_000;
        if (args.length > 1) {
            try {
                entries = Integer.parseInt(args[1]);
            } catch (NumberFormatException e) {
                entries = -1;
            }
            if (entries < 1_000) {
                System.err.println("ENTRIES: must be an integer of at least 1000, was '" + args[1] + "'");
                System.exit(2);
            }
        }
        List<List<Submission>> batches = ScoringCost.marketplace(entries, 100);
        LedgerBench.deleteTree(dir);
        Files.createDirectories(dir);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "bench.trackrecord/top-under-appends"))) {
            ScoringCost.Handed handed = ScoringCost.appendAll(ledger, batches);
            for (int round = 1; round <= 4; round++) {
                ReputationIndex index = new ReputationIndex(new LedgerEntrySource(ledger),
                        Clock.fixed(ScoringCost.END, ZoneOffset.UTC));
                int served = handed.batches() / 4;
                for (int i = 0; i < served; i++) {
                    handed.apply(index, i);
                }
                for (String skill : Marketplace.SKILLS) {
                    index.top(TopQuery.of(skill, 10));
                }
                Thread applier = Thread.ofPlatform().start(() -> {
                    for (int i = served; i < handed.batches(); i++) {
                        handed.apply(index, i);
                    }
                });
                List<Long> nanos = new ArrayList<>();
                for (int q = 0; applier.isAlive(); q++) {
                    long start = System.nanoTime();
                    index.top(TopQuery.of(Marketplace.SKILLS.get(q % Marketplace.SKILLS.size()), 10));
                    nanos.add(System.nanoTime() - start);
                    Thread.sleep(0, 200_000);
                }
                applier.join();
                Collections.sort(nanos);
                System.out.printf("round %d: %d top-10 queries while %,d entries were applied: p50 %.2f ms, p99 %.2f ms,"
                        + " max %.2f ms%n", round, nanos.size(), index.appliedSize() - handed.firstSeqs().get(served),
                        nanos.get(nanos.size() / 2) / 1e6, nanos.get((int) (nanos.size() * 0.99)) / 1e6,
                        nanos.get(nanos.size() - 1) / 1e6);
            }
        }
        LedgerBench.deleteTree(dir);
    }
}
