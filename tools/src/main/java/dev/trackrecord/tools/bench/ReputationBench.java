package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.reputation.Policy;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.TopQuery;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerEntrySource;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/**
 * The reputation index in process, as the service holds it: a real ledger of {@code contractors}
 * contractors all in one skill, each with 1 to 3 task outcomes and an audit of each, one in ten
 * holding a credential; a {@link ReputationIndex} replays it, then lookups, batches of 1,000
 * lookups and top-k queries are timed one by one with {@link System#nanoTime} after a warm-up.
 * The index's clock is fixed inside one hour, so every lookup after a contractor's first reads
 * the band cached for that hour, as in the service between two hours; the first lookups of the
 * hour (band computed) are timed apart.
 */
final class ReputationBench {
    static final String SKILL = "ner";
    static final String CREDENTIAL = "med";
    private static final String ID_FORMAT = "c-%06d";
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final int APPEND_BATCH = 1_000;
    private static final int BATCH = 1_000;

    /** What one run measured: the log it built and a figure per row key of {@link Report}. */
    record Result(int contractors, long entries, Map<String, Figure> figures) {
    }

    private ReputationBench() {
    }

    /** Builds the ledger in {@code dir} (which must not exist or be empty), replays it and measures. */
    static Result measure(Path dir, int contractors, PrintStream progress) throws Exception {
        Map<String, Figure> f = new LinkedHashMap<>();
        // The evaluation hour: every entry occurred before it, and the index's clock stays in it.
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Clock fixed = Clock.fixed(hour.plus(Duration.ofMinutes(30)), ZoneOffset.UTC);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, Suite.ORIGIN))) {
            long t0 = System.nanoTime();
            append(ledger, contractors, hour);
            f.put("build", Figure.of(ledger.size() / ((System.nanoTime() - t0) / 1e9), "entries/s"));
            progress.printf("  %,d entries for %,d contractors appended%n", ledger.size(), contractors);

            ReputationIndex index = new ReputationIndex(new LedgerEntrySource(ledger), fixed);
            long r0 = System.nanoTime();
            index.catchUp();
            f.put("replay", once(r0));

            long k0 = System.nanoTime();
            index.top(TopQuery.of(SKILL, 10));
            f.put("ranking", once(k0));

            String[] ids = new String[contractors];
            for (int i = 0; i < contractors; i++) {
                ids[i] = id(i);
            }
            SplittableRandom random = new SplittableRandom(1);
            shuffle(ids, random);
            // First lookups of the hour: the first half warms the code up, the second half is timed.
            int half = contractors / 2;
            for (int i = 0; i < half; i++) {
                index.lookup(ids[i]).orElseThrow();
            }
            f.put("lookup.first", time(contractors - half, i -> index.lookup(ids[half + i])));

            int lookups = Math.clamp(10L * contractors, 20_000, 1_000_000);
            int[] picks = random.ints(lookups, 0, contractors).toArray();
            time(lookups, i -> index.lookup(ids[picks[i]]));
            f.put("lookup", time(lookups, i -> index.lookup(ids[picks[i]])));
            time(lookups, i -> index.lookupJson(ids[picks[i]]));
            f.put("lookupJson", time(lookups, i -> index.lookupJson(ids[picks[i]])));

            int batches = Math.clamp(contractors / 50, 200, 2_000);
            IntConsumer batch = b -> {
                for (int i = 0; i < BATCH; i++) {
                    index.lookup(ids[picks[(int) (((long) b * BATCH + i) % lookups)]]);
                }
            };
            time(batches / 4, batch);
            f.put("batch", time(batches, batch));

            // The order by score is kept only once a query asks for it: the first such query builds it.
            long o0 = System.nanoTime();
            index.top(new TopQuery(SKILL, 50, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE));
            f.put("scoreOrder", once(o0));

            int queries = Math.clamp(contractors / 5, 1_000, 20_000);
            Map<String, TopQuery> tops = new LinkedHashMap<>();
            tops.put("top10", TopQuery.of(SKILL, 10));
            tops.put("top50", TopQuery.of(SKILL, 50));
            tops.put("top10.credential", new TopQuery(SKILL, 10, 0, 0, Optional.of(CREDENTIAL), TopQuery.RankBy.LOWER));
            tops.put("top50.score", new TopQuery(SKILL, 50, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE));
            tops.put("top10.minNEff", new TopQuery(SKILL, 10, 0, 3, Optional.empty(), TopQuery.RankBy.LOWER));
            for (var q : tops.entrySet()) {
                time(queries / 4, i -> index.top(q.getValue()));
                f.put(q.getKey(), time(queries, i -> index.top(q.getValue())));
            }

            long p0 = System.nanoTime();
            index.prepareRankings(index.nextEvaluationTime());
            f.put("prepare", once(p0));

            ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
            long w0 = System.nanoTime();
            index.writeSnapshot(snapshot);
            f.put("snapshot.write", once(w0));
            long s0 = System.nanoTime();
            ReputationIndex.fromSnapshot(new ByteArrayInputStream(snapshot.toByteArray()),
                    new LedgerEntrySource(ledger), fixed).orElseThrow();
            f.put("snapshot.read", once(s0));
            f.put("snapshot.bytes", Figure.of(snapshot.size() / 1e6, "MB"));
            return new Result(contractors, ledger.size(), f);
        }
    }

    /** Appends the default policy, then every contractor's entries, in batches of {@value #APPEND_BATCH}. */
    private static void append(Ledger ledger, int contractors, Instant hour) throws Exception {
        SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
        SplittableRandom random = new SplittableRandom(1);
        List<Submission> batch = new ArrayList<>(APPEND_BATCH);
        batch.add(parse(validator, Policy.defaultPolicyEntry()));
        long event = 0;
        for (int c = 0; c < contractors; c++) {
            String id = id(c);
            int tasks = 1 + random.nextInt(3);
            List<String> mine = new ArrayList<>(2 * tasks + 1);
            for (int t = 0; t < tasks; t++) {
                Instant at = hour.minus(Duration.ofHours(1 + random.nextInt(24 * 365)));
                String task = "t-" + c + "-" + t;
                mine.add("""
                        {"kind":"task.outcome","contractor":"%s","event_id":"rb-%d","body":{
                        "occurred_at":"%s","task_id":"%s","project_id":"p-1","skills":["%s"],"outcome":"%s",
                        "duration_s":600,"late":false,"value_minor":%d,"currency":"USD"}}"""
                        .formatted(id, ++event, at, task, SKILL, random.nextInt(10) < 9 ? "accepted" : "abandoned",
                                random.nextLong(100_000)));
                int scoreBp = random.nextInt(10_001);
                mine.add("""
                        {"kind":"audit.result","contractor":"%s","event_id":"rb-%d","body":{
                        "occurred_at":"%s","audit_id":"a-%s","task_id":"%s","method":"gold","auditor":"qa",
                        "verdict":"%s","score_bp":%d,"error_tags":[],"evidence_sha256":"%s"}}"""
                        .formatted(id, ++event, at, task, task, scoreBp >= 5000 ? "pass" : "fail", scoreBp, SHA));
            }
            if (c % 10 == 0) {
                Instant from = hour.minus(Duration.ofDays(10));
                mine.add("""
                        {"kind":"credential.issued","contractor":"%s","event_id":"rb-%d","body":{
                        "occurred_at":"%s","credential_id":"cr-%d","type":"%s","issuer":"board",
                        "evidence_sha256":"%s","valid_from":"%s"}}"""
                        .formatted(id, ++event, from, c, CREDENTIAL, SHA, from));
            }
            for (String json : mine) {
                batch.add(parse(validator, json));
                if (batch.size() == APPEND_BATCH) {
                    ledger.append(batch, "bench").get();
                    batch = new ArrayList<>(APPEND_BATCH);
                }
            }
        }
        if (!batch.isEmpty()) {
            ledger.append(batch, "bench").get();
        }
    }

    private static Submission parse(SubmissionValidator validator, String json) {
        try {
            return validator.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (EntryRejectedException e) {
            throw new IllegalStateException("the reputation benchmark made an invalid submission: " + e.getMessage()
                    + "\n" + json, e);
        }
    }

    static String id(int n) {
        return String.format(ID_FORMAT, n);
    }

    /** Runs {@code op} for 0 to count - 1, each timed apart: mean, p50 and p99 in ms. */
    private static Figure time(int count, IntConsumer op) {
        Histogram h = new Histogram(3);
        long sum = 0;
        for (int i = 0; i < count; i++) {
            long s = System.nanoTime();
            op.accept(i);
            long d = System.nanoTime() - s;
            h.recordValue(d);
            sum += d;
        }
        return Figure.of(sum / 1e6 / count, "ms", h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
    }

    private static Figure once(long startNanos) {
        return Figure.of((System.nanoTime() - startNanos) / 1e6, "ms");
    }

    private static void shuffle(String[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
