package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerEntrySource;
import dev.trackrecord.ledger.store.LedgerOptions;
import dev.trackrecord.ledger.store.ReputationFollower;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What keeping scores costs appends: the same simulated marketplace appended to a fresh ledger
 * with and without a {@link ReputationIndex} following it the way the service's follower thread
 * does, in alternating rounds so that both see the same machine. Scoring runs beside the writer,
 * so it costs appends the CPU it takes; how far behind it is when the last append is
 * acknowledged (its lag) is reported apart.
 */
public final class ScoringCost {
    /** Append requests kept in flight, as concurrent clients would. */
    private static final int IN_FLIGHT = 16;

    private ScoringCost() {
    }

    /**
     * Entries acknowledged per second with and without scoring, and the time scores took to
     * catch up after the last acknowledgement; the median of each over the rounds.
     */
    public record Result(int entries, int batch, double withoutScoring, double withScoring, double lagMillis,
                         List<Double> roundCosts) {
        /** The share of append throughput scoring takes: 1 - with / without. */
        public double cost() {
            return 1 - withScoring / withoutScoring;
        }
    }

    /**
     * Appends about {@code entries} simulated entries in batches of {@code batch}, {@code rounds}
     * times each way, in directories under {@code dir}. With more than one round, a first pair of
     * runs warms the JIT up and is not counted: it was the slowest pair of every run.
     */
    public static Result measure(Path dir, int entries, int batch, int rounds, PrintStream log) throws Exception {
        Instant end = Instant.parse("2026-11-01T00:00:00Z").truncatedTo(ChronoUnit.HOURS);
        Marketplace market = Marketplace.generate(new Marketplace.Options(Math.max(10, entries / 50), entries, 7, end));
        List<List<Submission>> batches = new ArrayList<>();
        long[] next = {0};
        market.feed(b -> {
            batches.add(List.copyOf(b));
            long[] seqs = new long[b.size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = next[0]++;
            }
            return seqs;
        }, batch);
        if (rounds > 1) {
            run(dir.resolve("warm-plain"), batches, false, end);
            run(dir.resolve("warm-scored"), batches, true, end);
        }
        double[] without = new double[rounds];
        double[] with = new double[rounds];
        double[] lag = new double[rounds];
        List<Double> costs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            without[r] = run(dir.resolve("plain-" + r), batches, false, end)[0];
            double[] scored = run(dir.resolve("scored-" + r), batches, true, end);
            with[r] = scored[0];
            lag[r] = scored[1];
            costs.add(1 - with[r] / without[r]);
            log.printf("  round %d: %,.0f entries/s without scoring, %,.0f with; scores caught up %.0f ms after"
                    + " the last acknowledgement%n", r + 1, without[r], with[r], lag[r]);
        }
        return new Result((int) next[0], batch, median(without), median(with), median(lag), List.copyOf(costs));
    }

    /** Entries acknowledged per second, and milliseconds from the last acknowledgement until scored. */
    private static double[] run(Path dir, List<List<Submission>> batches, boolean scored, Instant end) throws Exception {
        LedgerBench.deleteTree(dir);
        Files.createDirectories(dir);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "bench.trackrecord/scoring"))) {
            ReputationIndex index = scored
                    ? new ReputationIndex(new LedgerEntrySource(ledger), Clock.fixed(end, java.time.ZoneOffset.UTC))
                    : null;
            ReputationFollower follower = index == null ? null : ReputationFollower.start(ledger, index);
            long total = 0;
            long start = System.nanoTime();
            Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
            for (List<Submission> b : batches) {
                if (inFlight.size() == IN_FLIGHT) {
                    inFlight.removeFirst().join();
                }
                inFlight.addLast(ledger.append(b, "bench"));
                total += b.size();
            }
            inFlight.forEach(CompletableFuture::join);
            long acknowledged = System.nanoTime();
            double lagMillis = 0;
            if (index != null) {
                // Scoring counts until the index has caught up with everything appended.
                while (index.appliedSize() < ledger.size()) {
                    Thread.sleep(1);
                }
                lagMillis = (System.nanoTime() - acknowledged) / 1e6;
                follower.close();
            }
            return new double[] {total / ((acknowledged - start) / 1e9), lagMillis};
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
