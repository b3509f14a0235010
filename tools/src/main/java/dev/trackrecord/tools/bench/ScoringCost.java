package dev.trackrecord.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerEntrySource;
import dev.trackrecord.ledger.store.LedgerOptions;
import dev.trackrecord.ledger.store.ReputationFollower;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
 *
 * <p>The first quarter of the batches is the marketplace as it stands when measuring starts:
 * appended (and scored) before the clock starts, after which the index prepares the skill
 * rankings for the hour, as a service answering routing queries keeps them. Every scored entry
 * then also moves its contractor in the rankings of the skills it changed.
 */
public final class ScoringCost {
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Append requests kept in flight, as concurrent clients would. */
    private static final int IN_FLIGHT = 16;

    private ScoringCost() {
    }

    /**
     * Entries acknowledged per second with and without scoring, and the time scores took to
     * catch up after the last acknowledgement; the median of each over the rounds.
     */
    public record Result(int entries, int batch, double withoutScoring, double withScoring, double lagMillis,
                         List<Double> roundCosts, double followerShare, Alone alone) {
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
        List<List<Submission>> batches = marketplace(entries, batch);
        Instant end = END;
        if (rounds > 1) {
            run(dir.resolve("warm-plain"), batches, false, end);
            run(dir.resolve("warm-scored"), batches, true, end);
        }
        double[] without = new double[rounds];
        double[] with = new double[rounds];
        double[] lag = new double[rounds];
        double[] share = new double[rounds];
        List<Double> costs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            without[r] = run(dir.resolve("plain-" + r), batches, false, end)[0];
            double[] scored = run(dir.resolve("scored-" + r), batches, true, end);
            with[r] = scored[0];
            lag[r] = scored[1];
            share[r] = scored[2];
            costs.add(1 - with[r] / without[r]);
            log.printf("  round %d: %,.0f entries/s without scoring, %,.0f with; scores caught up %.0f ms after"
                    + " the last acknowledgement; the follower used %.1f%% of the process's CPU%n",
                    r + 1, without[r], with[r], lag[r], 100 * share[r]);
        }
        Alone alone = alone(dir.resolve("alone"), batches, end, Math.max(3, 2 * rounds));
        log.printf("  scoring alone, one thread: %.2f µs and %.0f bytes per entry%n", alone.micros(), alone.bytes());
        int timed = batches.subList(batches.size() / 4, batches.size()).stream().mapToInt(List::size).sum();
        return new Result(timed, batch, median(without), median(with), median(lag), List.copyOf(costs),
                median(share), alone);
    }

    /** The simulated marketplace's entries end before this time, the index's clock. */
    static final Instant END = Instant.parse("2026-11-01T00:00:00Z").truncatedTo(ChronoUnit.HOURS);

    /** About {@code entries} entries of a simulated marketplace of entries / 50 contractors, in batches of {@code batch}. */
    static List<List<Submission>> marketplace(int entries, int batch) throws Exception {
        Marketplace market = Marketplace.generate(new Marketplace.Options(Math.max(10, entries / 50), entries, 7, END));
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
        return batches;
    }

    /** What the ledger hands its listener, as the follower gets it: each batch's first seq, entries and contractor ordinals. */
    record Handed(List<Long> firstSeqs, List<List<Submission>> entries, List<int[]> ordinals) {
        int batches() {
            return entries.size();
        }

        /** Applies batch {@code i} to {@code index} as the follower would. */
        void apply(ReputationIndex index, int i) {
            index.applyAppended(firstSeqs.get(i), entries.get(i), ordinals.get(i));
        }
    }

    /** Appends {@code batches} to {@code ledger} one at a time and returns what it handed over. */
    static Handed appendAll(Ledger ledger, List<List<Submission>> batches) {
        Handed handed = new Handed(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        ledger.onAppended((firstSeq, entries, contractorOrdinals) -> {
            handed.firstSeqs().add(firstSeq);
            handed.entries().add(entries);
            handed.ordinals().add(contractorOrdinals);
        });
        for (List<Submission> b : batches) {
            ledger.append(b, "bench").join();
        }
        ledger.onAppended(null);
        return handed;
    }

    /**
     * Scoring alone: CPU and bytes allocated per entry by one thread applying the entries after the
     * first quarter to an index that holds the first quarter and keeps the rankings of the hour.
     */
    public record Alone(double micros, double bytes) {
    }

    /**
     * Appends the batches once, one at a time, then applies what the ledger handed over for each
     * (submissions and contractor ordinals) to a fresh index {@code rounds} times on this thread,
     * as the follower would: the first quarter untimed, then the rankings prepared, then the rest
     * timed; the median round of the second half (the first warms the JIT up).
     * Rebuilds after upheld disputes read back from the log as they do in the service.
     */
    private static Alone alone(Path dir, List<List<Submission>> batches, Instant end, int rounds) throws Exception {
        LedgerBench.deleteTree(dir);
        Files.createDirectories(dir);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "bench.trackrecord/scoring"))) {
            Handed handed = appendAll(ledger, batches);
            int measured = rounds - rounds / 2;
            double[] micros = new double[measured];
            double[] bytes = new double[measured];
            for (int r = 0; r < rounds; r++) {
                ReputationIndex index = new ReputationIndex(new LedgerEntrySource(ledger), Clock.fixed(end, ZoneOffset.UTC));
                int served = handed.batches() / 4;
                for (int i = 0; i < served; i++) {
                    handed.apply(index, i);
                }
                index.prepareRankings(index.evaluationTime());
                long before = index.appliedSize();
                long cpu = THREADS.getCurrentThreadCpuTime();
                long allocated = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = served; i < handed.batches(); i++) {
                    handed.apply(index, i);
                }
                index.flushRankings();
                long entries = index.appliedSize() - before;
                if (r >= rounds / 2) {
                    micros[r - rounds / 2] = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / entries;
                    bytes[r - rounds / 2] = (double) (THREADS.getCurrentThreadAllocatedBytes() - allocated) / entries;
                }
            }
            return new Alone(median(micros), median(bytes));
        }
    }

    /** Entries acknowledged per second, and milliseconds from the last acknowledgement until scored. */
    private static double[] run(Path dir, List<List<Submission>> batches, boolean scored, Instant end) throws Exception {
        LedgerBench.deleteTree(dir);
        Files.createDirectories(dir);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "bench.trackrecord/scoring"))) {
            ReputationIndex index = scored
                    ? new ReputationIndex(new LedgerEntrySource(ledger), Clock.fixed(end, ZoneOffset.UTC))
                    : null;
            ReputationFollower follower = index == null ? null : ReputationFollower.start(ledger, index);
            Thread following = index == null ? null : Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("reputation-follower") && t.isAlive()).findFirst().orElseThrow();
            // The marketplace as it stands: appended, scored and ranked before the clock starts.
            int served = batches.size() / 4;
            for (List<Submission> b : batches.subList(0, served)) {
                ledger.append(b, "bench").join();
            }
            if (index != null) {
                while (index.appliedSize() < ledger.size()) {
                    Thread.sleep(1);
                }
                index.prepareRankings(index.evaluationTime());
            }
            long followerCpu = following == null ? 0 : threadCpu(following);
            long processCpu = PROCESS.getProcessCpuTime();
            long total = 0;
            long start = System.nanoTime();
            Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
            for (List<Submission> b : batches.subList(served, batches.size())) {
                if (inFlight.size() == IN_FLIGHT) {
                    inFlight.removeFirst().join();
                }
                inFlight.addLast(ledger.append(b, "bench"));
                total += b.size();
            }
            inFlight.forEach(CompletableFuture::join);
            long acknowledged = System.nanoTime();
            double share = 0;
            double lagMillis = 0;
            if (index != null) {
                // Scoring counts until the index has caught up with everything appended and ranked it.
                while (index.appliedSize() < ledger.size() || !index.rankingsCurrent()) {
                    Thread.sleep(1);
                }
                lagMillis = (System.nanoTime() - acknowledged) / 1e6;
                share = (double) (threadCpu(following) - followerCpu) / (PROCESS.getProcessCpuTime() - processCpu);
                follower.close();
            }
            return new double[] {total / ((acknowledged - start) / 1e9), lagMillis, share};
        }
    }

    private static long threadCpu(Thread t) {
        return THREADS.getThreadCpuTime(t.threadId());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
