package dev.trackrecord.ledger.simulation;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.TaskOutcome;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.TopQuery;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How well three rankings route work to the truly best contractors of a simulated marketplace:
 * per skill, top-k by our lower bound ({@link ReputationIndex#top}), by raw approval rate
 * (accepted task outcomes over all of them), and by the Wilson lower bound of that rate, each
 * scored by precision@k and NDCG@k against the hidden true quality, then averaged over skills.
 *
 * <p>The candidates of a skill are the contractors the log shows working in it (at least one
 * task outcome) and not suspended at the end. The "few observations" group is those with at most
 * {@value #FEW} task outcomes in the skill; its figures rank and judge within the group only.
 * Precision@k is the share of the k ranked first that are among the k truly best (k cut to the
 * group's size when smaller). NDCG@k takes as gain of a contractor their true quality above the
 * group's median true quality (0 below it), discounted by log2(rank + 1).
 */
public final class Evaluation {
    /** Most task outcomes in a skill for the "few observations" group. */
    public static final int FEW = 5;
    /** Wilson bound at the same 90% two-sided band as the default policy's band_bp 9000. */
    static final double WILSON_Z = 1.6448536269514722;

    public enum Ranker {
        OURS("ours: ReputationIndex top, rank_by=lower"),
        APPROVAL("raw approval rate"),
        WILSON("Wilson lower bound of approval (90%)");

        private final String label;

        Ranker(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public enum Group {
        ALL, FEW_OBSERVATIONS
    }

    /** One figure: averaged over {@code skills} skills. */
    public record Row(Group group, int k, Ranker ranker, double precision, double ndcg, int skills, double meanGroupSize) {
    }

    private Evaluation() {
    }

    /** Feeds {@code market} to an in-memory log and evaluates at k = 10 and 50. */
    public static List<Row> run(Marketplace market) throws Exception {
        MemoryLog log = new MemoryLog();
        market.feed(log, 1000);
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(market.options().end(), ZoneOffset.UTC));
        index.catchUp();
        return evaluate(log, index, market.truth(), new int[]{10, 50});
    }

    static List<Row> evaluate(MemoryLog log, ReputationIndex index, Truth truth, int[] ks) {
        // Approval counts per skill and contractor: {accepted, outcomes}.
        Map<String, Map<String, long[]>> counts = new HashMap<>();
        for (long seq = 0; seq < log.size(); seq++) {
            Entry e = log.entry(seq);
            if (e.kind() != EntryKind.TASK_OUTCOME) {
                continue;
            }
            TaskOutcome t = (TaskOutcome) e.decodeBody();
            for (String skill : t.skills()) {
                long[] c = counts.computeIfAbsent(skill, s -> new HashMap<>()).computeIfAbsent(e.contractor(), x -> new long[2]);
                c[0] += t.outcome() == TaskOutcome.Outcome.ACCEPTED ? 1 : 0;
                c[1]++;
            }
        }
        Map<String, Truth.Contractor> byId = truth.byId();
        Map<Group, Map<Integer, Map<Ranker, double[]>>> sums = new HashMap<>(); // {precision, ndcg, skills, size}
        for (String skill : Marketplace.SKILLS) {
            Map<String, long[]> inSkill = counts.getOrDefault(skill, Map.of());
            List<String> candidates = new ArrayList<>();
            Map<String, Double> quality = new HashMap<>();
            for (String id : inSkill.keySet()) {
                Truth.Contractor c = byId.get(id);
                if (c != null && !c.suspended() && c.skills().containsKey(skill)) {
                    candidates.add(id);
                    quality.put(id, c.skills().get(skill).quality());
                }
            }
            candidates.sort(Comparator.naturalOrder());
            Set<String> candidateSet = new HashSet<>(candidates);
            Map<Ranker, List<String>> orders = new HashMap<>();
            List<String> ours = new ArrayList<>();
            for (TopQuery.Ranked r : index.top(TopQuery.of(skill, Math.max(1, candidates.size() + 1)))) {
                if (candidateSet.contains(r.contractor())) {
                    ours.add(r.contractor());
                }
            }
            Set<String> inOurs = new HashSet<>(ours);
            candidates.stream().filter(id -> !inOurs.contains(id)).forEach(ours::add);
            orders.put(Ranker.OURS, ours);
            List<String> approval = new ArrayList<>(candidates);
            approval.sort(Comparator.comparingDouble((String id) -> -rate(inSkill.get(id)))
                    .thenComparingLong(id -> -inSkill.get(id)[1]).thenComparing(Comparator.naturalOrder()));
            orders.put(Ranker.APPROVAL, approval);
            List<String> wilson = new ArrayList<>(candidates);
            wilson.sort(Comparator.comparingDouble((String id) -> -wilsonLower(inSkill.get(id)))
                    .thenComparing(Comparator.naturalOrder()));
            orders.put(Ranker.WILSON, wilson);

            for (Group group : Group.values()) {
                Set<String> members = new HashSet<>();
                for (String id : candidates) {
                    if (group == Group.ALL || inSkill.get(id)[1] <= FEW) {
                        members.add(id);
                    }
                }
                if (members.isEmpty()) {
                    continue;
                }
                List<String> ideal = new ArrayList<>(members);
                ideal.sort(Comparator.comparingDouble((String id) -> -quality.get(id)).thenComparing(Comparator.naturalOrder()));
                double median = quality.get(ideal.get(ideal.size() / 2));
                for (int k : ks) {
                    int kk = Math.min(k, members.size());
                    Set<String> best = new HashSet<>(ideal.subList(0, kk));
                    double idcg = dcg(ideal.subList(0, kk), quality, median);
                    for (Ranker ranker : Ranker.values()) {
                        List<String> ranked = orders.get(ranker).stream().filter(members::contains).limit(kk).toList();
                        double precision = ranked.stream().filter(best::contains).count() / (double) kk;
                        double ndcg = idcg == 0 ? 1 : dcg(ranked, quality, median) / idcg;
                        double[] s = sums.computeIfAbsent(group, g -> new HashMap<>())
                                .computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(ranker, r -> new double[4]);
                        s[0] += precision;
                        s[1] += ndcg;
                        s[2]++;
                        s[3] += members.size();
                    }
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Group group : Group.values()) {
            for (int k : ks) {
                for (Ranker ranker : Ranker.values()) {
                    double[] s = sums.getOrDefault(group, Map.of()).getOrDefault(k, Map.of()).get(ranker);
                    if (s != null) {
                        rows.add(new Row(group, k, ranker, s[0] / s[2], s[1] / s[2], (int) s[2], s[3] / s[2]));
                    }
                }
            }
        }
        return rows;
    }

    private static double rate(long[] c) {
        return (double) c[0] / c[1];
    }

    /** The Wilson score interval's lower end for c[0] successes in c[1] trials. */
    static double wilsonLower(long[] c) {
        double n = c[1];
        double p = c[0] / n;
        double z2 = WILSON_Z * WILSON_Z;
        return (p + z2 / (2 * n) - WILSON_Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
    }

    private static double dcg(List<String> ranked, Map<String, Double> quality, double median) {
        double sum = 0;
        for (int i = 0; i < ranked.size(); i++) {
            sum += Math.max(0, quality.get(ranked.get(i)) - median) / (Math.log(i + 2) / Math.log(2));
        }
        return sum;
    }

    /** The rows as a Markdown table. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder("| contractors | k | ranking | precision@k | NDCG@k |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s (%.0f per skill) | %d | %s | %.3f | %.3f |%n",
                    r.group() == Group.ALL ? "all" : "few observations (<= " + FEW + " tasks in the skill)",
                    r.meanGroupSize(), r.k(), r.ranker().label(), r.precision(), r.ndcg()));
        }
        return b.toString();
    }

    /** Whether ours beats both baselines on precision and NDCG in every row group, strictly. */
    public static boolean oursBeatsBoth(List<Row> rows) {
        Map<String, Map<Ranker, Row>> byCase = new HashMap<>();
        rows.forEach(r -> byCase.computeIfAbsent(r.group() + "/" + r.k(), x -> new HashMap<>()).put(r.ranker(), r));
        return byCase.values().stream().allMatch(m -> Arrays.stream(new Ranker[]{Ranker.APPROVAL, Ranker.WILSON})
                .allMatch(b -> m.get(Ranker.OURS).precision() > m.get(b).precision()
                        && m.get(Ranker.OURS).ndcg() > m.get(b).ndcg()));
    }
}
