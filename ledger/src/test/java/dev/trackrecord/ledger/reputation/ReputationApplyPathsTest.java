package dev.trackrecord.ledger.reputation;

import static dev.trackrecord.ledger.reputation.TestLog.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The index takes entries one at a time ({@link ReputationIndex#apply}), in the batches the
 * follower is handed ({@link ReputationIndex#applyAppended}) and read back from the log
 * ({@link ReputationIndex#catchUp}); it re-ranks a contractor once per slice and rebuilds one
 * after a dispute from a checkpoint. Whichever the path, every score must be the one a replay of
 * the contractor's entries from the first gives ({@link ReputationIndex#explain}), double for
 * double, and every lookup document and routing answer the same.
 */
class ReputationApplyPathsTest {
    private static final List<String> RANDOM_SKILLS = List.of("s0", "s1", "s2", "s3", "s4");
    /** The skills routing is asked about: the random log's and the marketplace's. */
    private static final List<String> SKILLS =
            Stream.concat(RANDOM_SKILLS.stream(), Marketplace.SKILLS.stream()).toList();

    @Test
    void randomLog_everyApplyPath_givesTheScoresOfAReplayFromTheFirstEntry() {
        TestLog log = new TestLog();
        log.defaultPolicy();
        randomLog(new SplittableRandom(11), log, 8_000);
        assertSamePaths(log, new SplittableRandom(12), contractors(log), 1);
    }

    @Test
    void marketplace_everyApplyPath_givesTheScoresOfAReplayFromTheFirstEntry() throws Exception {
        Instant end = NOW.truncatedTo(ChronoUnit.HOURS);
        Marketplace market = Marketplace.generate(new Marketplace.Options(100, 8_000, 5, end));
        TestLog log = new TestLog();
        market.feed(batch -> batch.stream().mapToLong(log::append).toArray(), 100);
        assertSamePaths(log, new SplittableRandom(6), contractors(log), 4);
    }

    @Test
    void dispute_afterTasksWereForgottenAndReused_rebuildsAsAReplayFromTheFirstEntry() {
        TestLog log = new TestLog();
        log.defaultPolicy();
        int remembered = ContractorState.REMEMBERED_TASKS;
        for (int i = 0; i <= remembered; i++) {
            task(log, "T" + i, i);
        }
        // From a checkpoint before the disputed audit, the rebuild must undo the forgetting of T1
        // and the second value of T3 to give these audits the weights and skills they had.
        log.audit("c-many", NOW.minusSeconds(100), "gold", 9_000, "T1");
        log.audit("c-many", NOW.minusSeconds(90), "gold", 2_000, "T3");
        task(log, "T" + (remembered + 1), remembered + 1);
        task(log, "T3", 777);
        long disputed = log.audit("c-many", NOW.minusSeconds(80), "review", 4_000, "T1");
        log.dispute("c-many", disputed, "upheld");
        assertSamePaths(log, new SplittableRandom(1), List.of("c-many"), 1);
    }

    private static void task(TestLog log, String taskId, int i) {
        log.task("c-many", NOW.minus(Duration.ofMinutes(3_000 - i)), taskId, "accepted", false, 500 + 97L * i,
                RANDOM_SKILLS.get(i % RANDOM_SKILLS.size()));
    }

    /**
     * A log of 30 contractors: tasks (some task ids reused), audits, disputes upheld and rejected
     * (mostly of recent entries, some again and again, one naming an entry to come), suspensions,
     * credentials and two new policies; one contractor has more tasks than are remembered, and
     * audits of tasks about to be forgotten.
     */
    private static void randomLog(SplittableRandom random, TestLog log, int n) {
        String[] outcomes = {"accepted", "rejected", "abandoned", "expired"};
        String[] methods = {"gold", "review", "consensus", "model"};
        int heavyTasks = 0;
        for (int i = 0; i < n; i++) {
            if (i == n / 3) {
                log.policy("mid.1", "\"half_life_days\":60");
            } else if (i == 2 * n / 3) {
                log.policy("late.1", "\"half_life_days\":400,\"quality_weight_bp\":5000");
            } else if (i == n / 2) {
                // A resolution naming an entry to come, which voids it when it comes, until rejected.
                long target = log.size() + 20;
                log.resolve("c-7", target + 1, target, "upheld");
                for (int k = 0; k < 25; k++) {
                    log.task("c-7", NOW.minus(Duration.ofHours(k)), "later-" + k, "accepted", false, 5_000, "s1");
                }
                log.dispute("c-7", target, "rejected");
            }
            boolean heavy = random.nextInt(3) == 0;
            String c = heavy ? "c-heavy" : "c-" + random.nextInt(30);
            Instant at = NOW.minus(Duration.ofHours(random.nextInt(24 * 500)));
            int kind = heavy && random.nextInt(3) == 0 ? 0 : random.nextInt(12);
            String skill = RANDOM_SKILLS.get(random.nextInt(RANDOM_SKILLS.size()));
            if (kind < 5) {
                // The heavy contractor mostly has new tasks, now and then one of their last few again.
                String task = !heavy ? "t-" + random.nextInt(200)
                        : random.nextInt(4) == 0 ? "h-" + Math.max(0, heavyTasks - 1 - random.nextInt(10))
                        : "h-" + (heavyTasks++);
                log.task(c, at, task, outcomes[random.nextInt(4)], random.nextBoolean(), random.nextLong(150_000),
                        skill);
            } else if (kind < 8) {
                // Their audits are of a recent task or of one about to be forgotten (or just forgotten).
                String task = !heavy ? "t-" + random.nextInt(200)
                        : "h-" + Math.max(0, heavyTasks - 1 - random.nextInt(10)
                                - (random.nextBoolean() ? 0 : ContractorState.REMEMBERED_TASKS - 10));
                if (random.nextBoolean()) {
                    log.audit(c, at, methods[random.nextInt(4)], random.nextInt(10_001), task);
                } else {
                    log.audit(c, at, methods[random.nextInt(4)], random.nextInt(10_001), task, skill);
                }
            } else if (kind < 10 && log.contractorSeqs(c).length > 0) {
                long[] mine = log.contractorSeqs(c);
                // Mostly one of the last 40 entries, as disputes come days after their target.
                int back = random.nextInt(20) == 0 ? random.nextInt(mine.length) : random.nextInt(Math.min(40, mine.length));
                long target = mine[mine.length - 1 - back];
                log.dispute(c, target, random.nextInt(3) == 0 ? "rejected" : "upheld");
                if (random.nextInt(4) == 0) {
                    log.dispute(c, target, random.nextBoolean() ? "rejected" : "upheld");
                }
            } else if (kind == 10) {
                log.status(c, random.nextInt(3) == 0 ? "suspended" : "active");
            } else {
                String id = "cr-" + random.nextInt(4);
                if (random.nextInt(3) > 0) {
                    Instant from = NOW.minus(Duration.ofDays(random.nextInt(100)));
                    log.credential(c, id, "type-" + random.nextInt(2), from,
                            random.nextBoolean() ? null : from.plus(Duration.ofDays(1 + random.nextInt(150))));
                } else {
                    log.revoke(c, id, NOW.minus(Duration.ofDays(random.nextInt(100))));
                }
            }
        }
        assertThat(heavyTasks).isGreaterThan(ContractorState.REMEMBERED_TASKS);
    }

    private static List<String> contractors(TestLog log) {
        TreeSet<String> ids = new TreeSet<>();
        for (long seq = 0; seq < log.size(); seq++) {
            ids.add(log.entry(seq).contractor());
        }
        ids.remove("_system");
        return List.copyOf(ids);
    }

    /**
     * Applies {@code log} as it grows, in steps, to three indexes, one per path, querying the
     * rankings between steps (so they are kept up to date, not rebuilt) and preparing them for
     * the next hour once; after every {@code replayEvery} steps and at the end, checks each
     * contractor's reputation against a replay of their entries from the first, and the rankings
     * against a sort of those replays. At the end an index that read the whole log at once must
     * give the same lookup documents.
     */
    private static void assertSamePaths(TestLog log, SplittableRandom random, List<String> contractors,
                                        int replayEvery) {
        SettableClock clock = new SettableClock();
        clock.set(NOW.truncatedTo(ChronoUnit.HOURS).plusSeconds(60).toEpochMilli());
        Growing source = new Growing(log);
        ReputationIndex byEntry = new ReputationIndex(source, clock);
        ReputationIndex byBatch = new ReputationIndex(source, clock);
        ReputationIndex byCatchUp = new ReputationIndex(source, clock);
        List<ReputationIndex> paths = List.of(byEntry, byBatch, byCatchUp);
        int steps = 0;
        while (source.size() < log.size()) {
            long from = source.size();
            source.visible = Math.min(log.size(), from + 1 + random.nextInt(1_400));
            for (long seq = from; seq < source.size(); seq++) {
                byEntry.apply(seq, source.entry(seq));
            }
            for (long start = from; start < source.size(); ) {
                long end = Math.min(source.size(), start + 1 + random.nextInt(600));
                // With the contractor ordinals the ledger hands over, as the follower applies them.
                assertThat(byBatch.applyAppended(start, log.submissions(start, end), log.contractorOrdinals(start, end)))
                        .isTrue();
                start = end;
            }
            byCatchUp.catchUp();
            steps++;
            if (steps % replayEvery == 0 || source.size() == log.size()) {
                assertAsReplayed(paths, contractors);
            } else {
                assertSameTop(paths);
            }
            if (steps == 3) {
                paths.forEach(index -> index.prepareRankings(index.nextEvaluationTime()));
            } else if (steps == 5) {
                clock.set(clock.millis() + Duration.ofHours(1).toMillis());
            }
        }
        ReputationIndex atOnce = new ReputationIndex(source, clock);
        atOnce.catchUp();
        for (String id : contractors) {
            byte[] expected = atOnce.lookupJson(id).orElseThrow();
            for (ReputationIndex index : paths) {
                assertThat(new String(index.lookupJson(id).orElseThrow(), StandardCharsets.UTF_8)).as(id)
                        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            }
        }
        assertSameTop(List.of(byEntry, atOnce));
    }

    /** Each index's lookups equal replays from the first entry; its rankings, a sort of those. */
    private static void assertAsReplayed(List<ReputationIndex> indexes, List<String> contractors) {
        Map<String, Reputation> replayed = new TreeMap<>();
        for (String id : contractors) {
            indexes.get(0).explain(id).ifPresent(r -> replayed.put(id, withoutExplanation(r)));
        }
        for (ReputationIndex index : indexes) {
            for (String id : contractors) {
                assertThat(index.lookup(id).map(ReputationApplyPathsTest::withoutExplanation)).as(id)
                        .isEqualTo(Optional.ofNullable(replayed.get(id)));
            }
            for (TopQuery q : queries()) {
                assertThat(index.top(q)).as(q.toString()).isEqualTo(sorted(replayed.values(), q));
            }
        }
    }

    /** What {@link ReputationIndex#top} must answer, from the contractors' reputations. */
    private static List<TopQuery.Ranked> sorted(Collection<Reputation> reputations, TopQuery q) {
        return reputations.stream()
                .filter(r -> r.routable() && r.skills().containsKey(q.skill()))
                .filter(r -> q.credential().isEmpty()
                        || r.credentials().stream().anyMatch(c -> c.type().equals(q.credential().get())))
                .map(r -> new TopQuery.Ranked(r.contractor(), r.skills().get(q.skill())))
                .filter(t -> t.score().lower() >= q.minLower() && t.score().nEff() >= q.minNEff())
                .sorted(Comparator.comparingDouble((TopQuery.Ranked t) ->
                                -(q.rankBy() == TopQuery.RankBy.LOWER ? t.score().lower() : t.score().score()))
                        .thenComparing(TopQuery.Ranked::contractor))
                .limit(q.limit())
                .toList();
    }

    private static Reputation withoutExplanation(Reputation r) {
        return new Reputation(r.contractor(), r.policyId(), r.asOfSeq(), r.evaluatedAt(), r.status(), r.overall(),
                r.skills(), r.credentials(), List.of());
    }

    /** Routing queries by lower bound and by score, with and without filters, in every skill. */
    private static List<TopQuery> queries() {
        List<TopQuery> queries = new ArrayList<>();
        for (String skill : SKILLS) {
            queries.add(TopQuery.of(skill, 1_000));
            queries.add(new TopQuery(skill, 5, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE));
            queries.add(new TopQuery(skill, 50, 0.5, 1, Optional.of("type-1"), TopQuery.RankBy.LOWER));
            queries.add(new TopQuery(skill, 50, 0, 0, Optional.of("med-cert"), TopQuery.RankBy.SCORE));
        }
        return queries;
    }

    /** The same routing answers from each index. */
    private static void assertSameTop(List<ReputationIndex> indexes) {
        for (TopQuery q : queries()) {
            List<TopQuery.Ranked> first = indexes.get(0).top(q);
            for (ReputationIndex index : indexes.subList(1, indexes.size())) {
                assertThat(index.top(q)).as(q.toString()).isEqualTo(first);
            }
        }
    }

    /** The first {@code visible} entries of a log, as a log that grows. */
    private static final class Growing implements EntrySource {
        private final TestLog log;
        long visible;

        Growing(TestLog log) {
            this.log = log;
        }

        @Override
        public long size() {
            return visible;
        }

        @Override
        public Entry entry(long seq) {
            if (seq >= visible) {
                throw new IllegalArgumentException("seq " + seq + " is not in the log yet");
            }
            return log.entry(seq);
        }

        @Override
        public long[] contractorSeqs(String contractor) {
            long[] all = log.contractorSeqs(contractor);
            int n = Arrays.binarySearch(all, visible);
            return Arrays.copyOf(all, n >= 0 ? n : -n - 1);
        }
    }
}
