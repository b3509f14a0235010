package dev.trackrecord.ledger.reputation;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A quick in-process measurement of the reputation index at 100,000 contractors in one skill:
 * lookup, batch of 1000 and top-k latency. Not a test and not JMH: numbers to compare designs by,
 * written down in docs/reputation.md with the machine.
 *
 * <pre>
 * mvn -B -o -q -pl ledger -am test-compile
 * java -cp "ledger/target/classes:ledger/target/test-classes:$(cat /tmp/cp.txt)" \
 *     dev.trackrecord.ledger.reputation.ReputationMeasurement [contractors]
 * </pre>
 * (build the class path once with {@code mvn -pl ledger dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}).
 */
public final class ReputationMeasurement {

    public static void main(String[] args) {
        int contractors = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        SplittableRandom random = new SplittableRandom(1);
        TestLog log = new TestLog();
        log.defaultPolicy();
        long buildStart = System.nanoTime();
        for (int i = 0; i < contractors; i++) {
            String id = "c-" + i;
            int tasks = 1 + random.nextInt(3);
            for (int t = 0; t < tasks; t++) {
                var at = TestLog.NOW.minus(Duration.ofHours(random.nextInt(24 * 365)));
                log.task(id, at, "t" + t, random.nextInt(10) < 9 ? "accepted" : "abandoned", false,
                        random.nextLong(100_000), "ner");
                log.audit(id, at, "gold", random.nextInt(10_001), "t" + t);
            }
            if (i % 10 == 0) {
                log.credential(id, "cr-" + i, "med", TestLog.NOW.minus(Duration.ofDays(10)), null);
            }
        }
        System.out.printf("log of %,d entries built in %d ms%n", log.size(), (System.nanoTime() - buildStart) / 1_000_000);

        ReputationIndex index = new ReputationIndex(log, Clock.fixed(TestLog.NOW, ZoneOffset.UTC));
        long replayStart = System.nanoTime();
        index.catchUp();
        System.out.printf("replay: %d ms%n", (System.nanoTime() - replayStart) / 1_000_000);

        var snapshot = new java.io.ByteArrayOutputStream();
        try {
            long writeStart = System.nanoTime();
            index.writeSnapshot(snapshot);
            long readStart = System.nanoTime();
            ReputationIndex.fromSnapshot(new java.io.ByteArrayInputStream(snapshot.toByteArray()), log,
                    Clock.fixed(TestLog.NOW, ZoneOffset.UTC)).orElseThrow();
            System.out.printf("snapshot: %,d bytes, written in %d ms, read in %d ms%n", snapshot.size(),
                    (readStart - writeStart) / 1_000_000, (System.nanoTime() - readStart) / 1_000_000);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        long rebuildStart = System.nanoTime();
        index.top(TopQuery.of("ner", 10));
        System.out.printf("first top-k of the hour (ranking rebuild, %,d contractors): %d ms%n", contractors,
                (System.nanoTime() - rebuildStart) / 1_000_000);

        long prepareStart = System.nanoTime();
        index.prepareRankings(index.nextEvaluationTime());
        System.out.printf("prepareRankings for the next hour (chunks of 1000 under the read lock): %d ms%n",
                (System.nanoTime() - prepareStart) / 1_000_000);

        long coldStart = System.nanoTime();
        for (int i = 0; i < contractors; i++) {
            index.lookup("c-" + i);
        }
        System.out.printf("first lookup of the hour (computes the band): %.2f us mean%n",
                (System.nanoTime() - coldStart) / 1_000.0 / contractors);

        String[] ids = new String[1 << 20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "c-" + random.nextInt(contractors);
        }
        for (int round = 0; round < 3; round++) {
            long[] lookups = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                long t0 = System.nanoTime();
                index.lookup(ids[i]);
                lookups[i] = System.nanoTime() - t0;
            }
            report("lookup (warm)", lookups);
        }

        long[] batches = new long[2_000];
        for (int b = 0; b < batches.length; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                index.lookup(ids[(b * 1000 + i) & (ids.length - 1)]);
            }
            batches[b] = System.nanoTime() - t0;
        }
        report("batch of 1000 lookups", batches);

        TopQuery[] queries = {
                TopQuery.of("ner", 10),
                TopQuery.of("ner", 50),
                new TopQuery("ner", 50, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE),
                new TopQuery("ner", 10, 0, 3, Optional.empty(), TopQuery.RankBy.LOWER),
                new TopQuery("ner", 10, 0, 0, Optional.of("med"), TopQuery.RankBy.LOWER)};
        String[] names = {"top-10 by lower", "top-50 by lower", "top-50 by score", "top-10, min_n_eff=3",
                "top-10, credential=med"};
        for (int q = 0; q < queries.length; q++) {
            long[] times = new long[20_000];
            for (int i = 0; i < times.length; i++) {
                long t0 = System.nanoTime();
                index.top(queries[q]);
                times[i] = System.nanoTime() - t0;
            }
            report(names[q], times);
        }
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf("%-28s n=%,9d  mean %8.2f us  p50 %8.2f us  p99 %8.2f us  max %9.2f us%n", what,
                sorted.length, mean / 1000, sorted[sorted.length / 2] / 1000.0,
                sorted[(int) (sorted.length * 0.99)] / 1000.0, sorted[sorted.length - 1] / 1000.0);
    }
}
