package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real service under a bounded load at half its measured capacity ({@link SoakRun}): no
 * errors, and neither latency nor heap grows.
 *
 * <ul>
 *   <li>the default run: 2 s capacity, 5 s of load; no errors (too short to judge growth);</li>
 *   <li>{@code -Pslow}: 10 s capacity, {@code torture.soak.slow.seconds} (120) of load, a sample every 5 s;</li>
 *   <li>{@code -Ptorture}: 20 s capacity, {@code torture.soak.seconds} (1800) of load, a sample every 30 s.</li>
 * </ul>
 * Any {@code torture.soak.seconds} of 60 or more is judged for growth.
 *
 * Growth is judged by thirds of the run. p99: the median of the last third's samples is at most
 * 1.5 times the first third's plus {@value #P99_SLACK_MILLIS} ms (the machine is shared; a few
 * milliseconds are noise). Heap: the same for the lowest used heap of each interval, with room
 * for what the appended entries themselves hold ({@value #BYTES_PER_ENTRY} bytes each: the log,
 * its indexes and the scores keep every entry), and the live heap after a full collection at the
 * end is at most the one at the start plus that room and {@value #LIVE_SLACK_MB} MB. The CSV and
 * SVG go to {@code torture.soak.out} (default {@code target/soak}).
 */
@Tag("torture")
class SoakTest {
    static final double P99_SLACK_MILLIS = 5;
    static final long BYTES_PER_ENTRY = 2048;
    static final long LIVE_SLACK_MB = 16;

    @TempDir
    Path temp;

    /** {@code torture.soak.seconds} of load (default 5; {@code -Ptorture}: 1800). */
    @Test
    void soak_halfCapacity_noErrorsNoGrowth() throws Exception {
        int seconds = Integer.getInteger("torture.soak.seconds", 5);
        SoakRun.Result r = soak(seconds < 60 ? "short" : "full", Math.clamp(seconds / 12, 2, 20), seconds,
                Math.clamp(seconds / 24, 1, 30), seconds >= 60);
        assertThat(r.samples()).hasSizeGreaterThanOrEqualTo(Math.min(4, seconds));
        assertThat(r.requests()).isPositive();
    }

    @Test
    @Tag("slow")
    void soak_twoMinutes_noErrorsNoGrowth() throws Exception {
        soak("2min", 10, Integer.getInteger("torture.soak.slow.seconds", 120), 5, true);
    }

    private SoakRun.Result soak(String name, int capacitySeconds, int seconds, int samplePeriod, boolean judgeGrowth)
            throws Exception {
        double load = Double.parseDouble(System.getProperty("torture.soak.load", "0.5"));
        Path out = Path.of(System.getProperty("torture.soak.out", "target/soak"));
        SoakRun run = new SoakRun(temp.resolve("data"), samplePeriod);
        SoakRun.Result r;
        try {
            run.start("512m");
            r = run.run(capacitySeconds, seconds, load);
        } finally {
            run.stop();
        }
        SoakRun.writeCsv(r, out.resolve("soak-" + name + ".csv"));
        SoakRun.writeSvg(r, String.format(Locale.ROOT, "Soak: %d s at %.0f requests/s (%.0f%% of the %.0f/s measured)",
                seconds, r.targetRate(), load * 100, r.capacity()), out.resolve("soak-" + name + ".svg"));
        String summary = String.format(Locale.ROOT,
                "soak %s: capacity %.0f/s, target %.0f/s, achieved %.0f/s, %d requests, %d errors, %d appended; "
                        + "live heap %.1f MB before, %.1f MB after; p99 thirds %.2f / %.2f / %.2f ms; "
                        + "heap-min thirds %.1f / %.1f / %.1f MB",
                name, r.capacity(), r.targetRate(), r.achievedRate(), r.requests(), r.errors(), r.appended(),
                r.liveHeapBefore() / 1048576.0, r.liveHeapAfter() / 1048576.0,
                third(r, 0, SoakRun.Sample::p99Millis), third(r, 1, SoakRun.Sample::p99Millis),
                third(r, 2, SoakRun.Sample::p99Millis), third(r, 0, s -> s.heapMinBytes() / 1048576.0),
                third(r, 1, s -> s.heapMinBytes() / 1048576.0), third(r, 2, s -> s.heapMinBytes() / 1048576.0));
        System.out.println(summary);
        Files.writeString(out.resolve("soak-" + name + ".txt"), summary + "\n");
        assertThat(r.errors()).as(summary + "; errors such as " + r.errorExamples()).isZero();
        if (judgeGrowth) {
            double p99First = third(r, 0, SoakRun.Sample::p99Millis);
            assertThat(third(r, 2, SoakRun.Sample::p99Millis)).as("p99 of the last third; " + summary)
                    .isLessThanOrEqualTo(1.5 * p99First + P99_SLACK_MILLIS);
            int n = r.samples().size();
            long appendedBetween = r.samples().get(n - 1 - n / 3).appended() - r.samples().get(n / 3).appended();
            double heapFirst = third(r, 0, s -> s.heapMinBytes());
            assertThat(third(r, 2, s -> s.heapMinBytes())).as("heap floor of the last third; " + summary)
                    .isLessThanOrEqualTo(1.5 * heapFirst + (double) BYTES_PER_ENTRY * appendedBetween);
            assertThat(r.liveHeapAfter()).as("live heap after the run; " + summary)
                    .isLessThanOrEqualTo(r.liveHeapBefore() + BYTES_PER_ENTRY * r.appended() + LIVE_SLACK_MB * 1048576);
        }
        return r;
    }

    /** The median of {@code value} over third {@code k} (0, 1, 2) of the samples. */
    static double third(SoakRun.Result r, int k, ToDoubleFunction<SoakRun.Sample> value) {
        List<SoakRun.Sample> s = r.samples();
        int n = s.size();
        if (n == 0) {
            return 0;
        }
        int from = k * n / 3;
        int to = Math.max(from + 1, (k + 1) * n / 3);
        double[] v = s.subList(from, Math.min(to, n)).stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    @Test
    void third_isTheMedianOfEachThird() {
        List<SoakRun.Sample> samples = Arrays.stream(new double[] {1, 9, 2, 5, 5, 5, 7, 8, 30})
                .mapToObj(p -> new SoakRun.Sample(0, 1, 0, 0, p, 0, 0, 0, 0)).toList();
        SoakRun.Result r = new SoakRun.Result(0, 0, 0, 0, 0, List.of(), 0, 0, 0, samples);
        assertThat(third(r, 0, SoakRun.Sample::p99Millis)).isEqualTo(2);
        assertThat(third(r, 1, SoakRun.Sample::p99Millis)).isEqualTo(5);
        assertThat(third(r, 2, SoakRun.Sample::p99Millis)).isEqualTo(8);
    }
}
