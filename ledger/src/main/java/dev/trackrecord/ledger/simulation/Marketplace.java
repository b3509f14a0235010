package dev.trackrecord.ledger.simulation;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.reputation.Policy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * A deterministic marketplace: contractors with a hidden true quality per skill, the tasks they
 * work on and the log entries those produce. The same options give the same entries and the same
 * truth, byte for byte.
 *
 * <p>The model, per contractor: 1 to 3 of {@link #SKILLS}, each with a true quality q (regulars
 * and newcomers around 0.78, sd 0.1; spammers 0.15 to 0.45) and a reliability r (on time, not
 * abandoning). Regulars work all year with a log-normal activity; newcomers (a quarter) have 1 to 5
 * tasks in the last 30 days; spammers (4%) do many cheap tasks. Per task: a value (log-normal,
 * median $8, spammers $1.50), the work's quality {@code w = q + N(0, 0.08)}, accepted when
 * {@code w + N(0, 0.15) > 0.5} except that a cheap task (under $3) is accepted unchecked 85% of the
 * time; late with probability {@code 0.6(1 - r)}. A gold audit (12%) or review (10%, 25% above
 * $50) scores {@code w + N(0, 0.05)}; 3% of audits are wrong (a score from 0 to 0.3). Low audit
 * scores are disputed (80% of wrong ones, 15% of right ones) and upheld (90% of wrong ones, 5% of
 * right ones). Payouts weekly per contractor for the accepted tasks; credentials for 30% of
 * non-spammers, some expiring or revoked; half the spammers end up suspended.
 *
 * <p>Disputes name their target's seq, which only the log assigns: {@link #feed} appends in
 * batches and renders each dispute once the entries it names have seqs.
 */
public final class Marketplace {
    /** The skills contractors work in. */
    public static final List<String> SKILLS =
            List.of("ner", "sentiment", "transcription", "translation", "medical", "code-review");
    private static final List<String> CREDENTIAL_TYPES = List.of("med-cert", "lang.de", "security-clearance");
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final Duration YEAR = Duration.ofDays(365);

    /**
     * @param contractors how many contractors, at least 1
     * @param entries     about how many entries to make (the policy entry included), at least 10
     * @param seed        the random seed
     * @param end         every {@code occurred_at} is before it
     */
    public record Options(int contractors, int entries, long seed, Instant end) {
        public Options {
            if (contractors < 1) {
                throw new IllegalArgumentException("contractors must be at least 1, was " + contractors);
            }
            if (entries < 10) {
                throw new IllegalArgumentException("entries must be at least 10, was " + entries);
            }
            end = end.truncatedTo(ChronoUnit.SECONDS);
        }
    }

    /** One entry to append, rendered once the entries whose seqs it names ({@code refs}) have them. */
    static final class Planned {
        final Instant at;
        final int order;
        final List<Planned> refs;
        final Render render;
        int index;

        Planned(Instant at, int order, List<Planned> refs, Render render) {
            this.at = at;
            this.order = order;
            this.refs = refs;
            this.render = render;
        }
    }

    interface Render {
        String json(ToLongFunction<Planned> seqOf);
    }

    /** Where {@link #feed} appends: a ledger, a service, a test log. */
    public interface Sink {
        /** Appends the submissions in order and returns their seqs (a duplicate's existing seq). */
        long[] append(List<Submission> batch) throws Exception;
    }

    private final Options options;
    private final List<Planned> plan;
    private final Truth truth;

    private Marketplace(Options options, List<Planned> plan, Truth truth) {
        this.options = options;
        this.plan = plan;
        this.truth = truth;
    }

    public Options options() {
        return options;
    }

    /** The hidden truth the entries were drawn from. */
    public Truth truth() {
        return truth;
    }

    /** Number of entries {@link #feed} appends (the policy entry included). */
    public int size() {
        return plan.size();
    }

    /** Generates the marketplace of {@code options}. */
    public static Marketplace generate(Options options) {
        // Entries per task vary with the mix; one trial run finds the task count that meets the target.
        double perTask = generate(options, Math.max(1, options.entries() / 2), false).ratio;
        int tasks = (int) Math.max(1, Math.round((options.entries() - 1) / perTask));
        Draft draft = generate(options, tasks, true);
        List<Planned> events = draft.events;
        events.sort(Comparator.comparing((Planned p) -> p.at).thenComparingInt(p -> p.order));
        List<Planned> plan = new ArrayList<>(events.size() + 1);
        plan.add(new Planned(options.end().minus(YEAR), -1, List.of(), seqOf -> Policy.defaultPolicyEntry()));
        // Every entry comes after the ones it names, so cutting the tail never orphans one.
        plan.addAll(events.subList(0, Math.min(events.size(), options.entries() - 1)));
        for (int i = 0; i < plan.size(); i++) {
            plan.get(i).index = i;
        }
        return new Marketplace(options, plan, draft.truth(plan));
    }

    /**
     * Appends every entry to {@code sink} in batches of at most {@code batchSize}, validating each
     * with {@link SubmissionValidator}, and returns the seqs they got in plan order.
     */
    public long[] feed(Sink sink, int batchSize) throws Exception {
        SubmissionValidator validator = new SubmissionValidator(Clock.fixed(options.end(), ZoneOffset.UTC));
        long[] seqs = new long[plan.size()];
        Arrays.fill(seqs, -1);
        List<Submission> batch = new ArrayList<>(batchSize);
        int batchStart = 0;
        for (Planned p : plan) {
            boolean waiting = p.refs.stream().anyMatch(r -> seqs[r.index] < 0);
            if (waiting || batch.size() == batchSize) {
                flush(sink, batch, seqs, batchStart);
                batchStart = p.index;
            }
            String json = p.render.json(r -> seqs[r.index]);
            try {
                batch.add(validator.parse(json.getBytes(StandardCharsets.UTF_8)));
            } catch (EntryRejectedException e) {
                throw new IllegalStateException("the simulator made an invalid submission: " + e.getMessage() + "\n" + json, e);
            }
        }
        flush(sink, batch, seqs, batchStart);
        return seqs;
    }

    private static void flush(Sink sink, List<Submission> batch, long[] seqs, int start) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        long[] got = sink.append(List.copyOf(batch));
        if (got.length != batch.size()) {
            throw new IllegalStateException("the sink answered " + got.length + " seqs for " + batch.size() + " entries");
        }
        System.arraycopy(got, 0, seqs, start, got.length);
        batch.clear();
    }

    // ---------------------------------------------------------------- generation

    private record Task(Planned planned, String contractor, String skill, boolean accepted, long valueMinor,
                        Instant at, String taskId) {
    }

    private static final class Draft {
        final List<Planned> events = new ArrayList<>();
        final Map<String, Truth.Contractor.Builder> contractors = new LinkedHashMap<>();
        final Map<Planned, String[]> observations = new java.util.HashMap<>(); // planned -> {contractor, skill, kind}
        double ratio;

        Truth truth(List<Planned> kept) {
            java.util.Set<Planned> in = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            in.addAll(kept);
            for (var e : observations.entrySet()) {
                if (in.contains(e.getKey())) {
                    String[] o = e.getValue();
                    contractors.get(o[0]).count(o[1], o[2]);
                }
            }
            List<Truth.Contractor> list = new ArrayList<>();
            contractors.values().forEach(b -> list.add(b.build()));
            return new Truth(list);
        }
    }

    private static Draft generate(Options o, int taskBudget, boolean full) {
        SplittableRandom rnd = new SplittableRandom(o.seed());
        Draft d = new Draft();
        Instant end = o.end();
        Instant start = end.minus(YEAR);
        String tag = "sim" + Long.toUnsignedString(o.seed(), 36);
        int[] counter = {0};
        int n = o.contractors();

        // Contractors first, so their draws do not depend on the task budget.
        String[] ids = new String[n];
        Truth.Type[] types = new Truth.Type[n];
        double[] activity = new double[n];
        double[] reliability = new double[n];
        List<Map<String, Double>> quality = new ArrayList<>();
        double activityTotal = 0;
        int newcomerTasks = 0;
        int[] fixedTasks = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = String.format("c-%05d", i + 1);
            double u = rnd.nextDouble();
            types[i] = u < 0.04 ? Truth.Type.SPAMMER : u < 0.29 ? Truth.Type.NEWCOMER : Truth.Type.REGULAR;
            int skillCount = 1 + rnd.nextInt(3);
            List<String> pool = new ArrayList<>(SKILLS);
            Map<String, Double> q = new TreeMap<>();
            for (int s = 0; s < skillCount; s++) {
                String skill = pool.remove(rnd.nextInt(pool.size()));
                double value = types[i] == Truth.Type.SPAMMER ? 0.15 + 0.3 * rnd.nextDouble()
                        : clamp(0.78 + 0.1 * rnd.nextGaussian(), 0.3, 0.99);
                q.put(skill, round4(value));
            }
            quality.add(q);
            reliability[i] = types[i] == Truth.Type.SPAMMER ? 0.8 + 0.19 * rnd.nextDouble() : 0.7 + 0.29 * rnd.nextDouble();
            activity[i] = Math.exp(0.8 * rnd.nextGaussian()) * (types[i] == Truth.Type.SPAMMER ? 4 : 1);
            if (types[i] == Truth.Type.NEWCOMER) {
                fixedTasks[i] = 1 + rnd.nextInt(5);
                newcomerTasks += fixedTasks[i];
            } else {
                activityTotal += activity[i];
            }
            d.contractors.put(ids[i], new Truth.Contractor.Builder(ids[i], types[i], q));
        }

        int regularBudget = Math.max(0, taskBudget - newcomerTasks);
        List<Task> tasks = new ArrayList<>();
        int taskCount = 0;
        for (int i = 0; i < n; i++) {
            String id = ids[i];
            Truth.Type type = types[i];
            int count = type == Truth.Type.NEWCOMER ? fixedTasks[i]
                    : (int) Math.max(1, Math.round(regularBudget * activity[i] / Math.max(activityTotal, 1e-9)));
            Instant from = type == Truth.Type.NEWCOMER ? end.minus(Duration.ofDays(30)) : start;
            List<String> skills = List.copyOf(quality.get(i).keySet());
            List<Task> accepted = new ArrayList<>();
            for (int t = 0; t < count; t++) {
                String skill = skills.get(rnd.nextInt(skills.size()));
                double q = quality.get(i).get(skill);
                Instant at = between(rnd, from, end.minus(Duration.ofHours(1)));
                long value = Math.min(200_000, Math.max(1, Math.round(Math.exp(Math.log(
                        type == Truth.Type.SPAMMER ? 150 : 800) + 1.0 * rnd.nextGaussian()))));
                double w = clamp(q + 0.08 * rnd.nextGaussian(), 0, 1);
                double r = reliability[i];
                double u = rnd.nextDouble();
                String outcome;
                if (u < 0.02) {
                    outcome = "expired";
                } else if (u < 0.02 + 0.06 * (1 - r)) {
                    outcome = "abandoned";
                } else if ((value < 300 && rnd.nextDouble() < 0.85) || w + 0.15 * rnd.nextGaussian() > 0.5) {
                    outcome = "accepted";
                } else {
                    outcome = "rejected";
                }
                boolean late = rnd.nextDouble() < 0.6 * (1 - r);
                long duration = 60 + Math.round(value / 2.0 * (0.5 + rnd.nextDouble()));
                String taskId = tag + "-t" + (++taskCount);
                String json = """
                        {"kind":"task.outcome","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                        "task_id":"%s","project_id":"%s","skills":["%s"],"outcome":"%s","duration_s":%d,\
                        "late":%s,"value_minor":%d,"currency":"USD"}}""".formatted(id, tag + "-e" + (++counter[0]), at,
                        taskId, "p-" + skill, skill, outcome, duration, late && !outcome.equals("expired"), value);
                Planned p = new Planned(at, counter[0], List.of(), seqOf -> json);
                d.events.add(p);
                d.observations.put(p, new String[]{id, skill, "task"});
                Task task = new Task(p, id, skill, outcome.equals("accepted"), value, at, taskId);
                tasks.add(task);
                if (task.accepted()) {
                    accepted.add(task);
                }
                if (outcome.equals("accepted") || outcome.equals("rejected")) {
                    audit(d, rnd, tag, counter, task, w, end);
                }
            }
            payouts(d, rnd, tag, counter, id, accepted, end);
            if (type != Truth.Type.SPAMMER && rnd.nextDouble() < 0.3) {
                credential(d, rnd, tag, counter, id, start, end);
            }
            if (type == Truth.Type.SPAMMER && rnd.nextDouble() < 0.5) {
                Instant at = between(rnd, start.plus(Duration.ofDays(240)), end.minus(Duration.ofHours(1)));
                String json = """
                        {"kind":"contractor.status","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                        "status":"suspended","reason_code":"quality-review"}}""".formatted(id, tag + "-e" + (++counter[0]), at);
                Planned p = new Planned(at, counter[0], List.of(), seqOf -> json);
                d.events.add(p);
                d.observations.put(p, new String[]{id, "", "suspended"});
            }
        }
        d.ratio = (double) d.events.size() / Math.max(1, tasks.size());
        return d;
    }

    private static void audit(Draft d, SplittableRandom rnd, String tag, int[] counter, Task task, double w, Instant end) {
        double u = rnd.nextDouble();
        String method;
        if (u < 0.12) {
            method = "gold";
        } else if (u < 0.12 + (task.valueMinor() > 5_000 ? 0.25 : 0.10)) {
            method = "review";
        } else {
            return;
        }
        Instant at = task.at().plus(Duration.ofMinutes(60 + rnd.nextInt(72 * 60)));
        boolean wrong = rnd.nextDouble() < 0.03;
        double score = wrong ? 0.3 * rnd.nextDouble() : clamp(w + 0.05 * rnd.nextGaussian(), 0, 1);
        if (!at.isBefore(end)) {
            return;
        }
        long bp = Math.round(score * 10_000);
        String verdict = bp >= 7000 ? "pass" : bp >= 4000 ? "partial" : "fail";
        String json = """
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                "audit_id":"%s","task_id":"%s","method":"%s","auditor":"%s","verdict":"%s","score_bp":%d,\
                "error_tags":[],"evidence_sha256":"%s"}}""".formatted(task.contractor(), tag + "-e" + (++counter[0]), at,
                tag + "-a" + counter[0], task.taskId(), method, method.equals("gold") ? "gold-service" : "reviewer-7",
                verdict, bp, SHA);
        Planned audit = new Planned(at, counter[0], List.of(), seqOf -> json);
        d.events.add(audit);
        d.observations.put(audit, new String[]{task.contractor(), task.skill(), "audit"});
        if (score >= 0.5 || rnd.nextDouble() >= (wrong ? 0.8 : 0.15)) {
            return;
        }
        boolean upheld = rnd.nextDouble() < (wrong ? 0.9 : 0.05);
        Instant openedAt = at.plus(Duration.ofHours(24 + rnd.nextInt(96)));
        Instant resolvedAt = openedAt.plus(Duration.ofHours(24 + rnd.nextInt(144)));
        if (!resolvedAt.isBefore(end)) {
            return;
        }
        String openedEvent = tag + "-e" + (++counter[0]);
        Planned opened = new Planned(openedAt, counter[0], List.of(audit), seqOf -> """
                {"kind":"dispute.opened","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                "target_seq":%d,"reason_code":"wrong_audit","reason":"the audit scored another task's work"}}"""
                .formatted(task.contractor(), openedEvent, openedAt, seqOf.applyAsLong(audit)));
        d.events.add(opened);
        String resolvedEvent = tag + "-e" + (++counter[0]);
        Planned resolved = new Planned(resolvedAt, counter[0], List.of(audit, opened), seqOf -> """
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                "dispute_seq":%d,"target_seq":%d,"resolution":"%s","reason_code":"%s"}}"""
                .formatted(task.contractor(), resolvedEvent, resolvedAt, seqOf.applyAsLong(opened),
                        seqOf.applyAsLong(audit), upheld ? "upheld" : "rejected", upheld ? "audit-corrected" : "audit-stands"));
        d.events.add(resolved);
        d.observations.put(resolved, new String[]{task.contractor(), task.skill(), upheld ? "upheld" : "dispute"});
    }

    private static void payouts(Draft d, SplittableRandom rnd, String tag, int[] counter, String id,
                                List<Task> accepted, Instant end) {
        Map<Long, List<Task>> byWeek = new TreeMap<>();
        for (Task t : accepted) {
            byWeek.computeIfAbsent(t.at().getEpochSecond() / (7 * 86_400), w -> new ArrayList<>()).add(t);
        }
        for (var e : byWeek.entrySet()) {
            Instant at = Instant.ofEpochSecond((e.getKey() + 1) * 7 * 86_400 + 86_400);
            if (!at.isBefore(end)) {
                continue;
            }
            List<Task> week = e.getValue().subList(0, Math.min(256, e.getValue().size()));
            long amount = week.stream().mapToLong(Task::valueMinor).sum();
            StringBuilder taskIds = new StringBuilder();
            week.forEach(t -> taskIds.append(taskIds.isEmpty() ? "\"" : ",\"").append(t.taskId()).append('"'));
            String json = """
                    {"kind":"payout","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s","payout_id":"%s",\
                    "task_ids":[%s],"amount_minor":%d,"currency":"USD","status":"settled"}}"""
                    .formatted(id, tag + "-e" + (++counter[0]), at, tag + "-po" + counter[0], taskIds, amount);
            d.events.add(new Planned(at, counter[0], List.of(), seqOf -> json));
        }
    }

    private static void credential(Draft d, SplittableRandom rnd, String tag, int[] counter, String id,
                                   Instant start, Instant end) {
        String type = CREDENTIAL_TYPES.get(rnd.nextInt(CREDENTIAL_TYPES.size()));
        Instant from = between(rnd, start, end.minus(Duration.ofDays(1)));
        double u = rnd.nextDouble();
        Instant until = u < 0.5 ? from.plus(YEAR) : u < 0.7 ? from.plus(Duration.ofDays(90)) : null;
        String credentialId = tag + "-cr" + (++counter[0]);
        String json = """
                {"kind":"credential.issued","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                "credential_id":"%s","type":"%s","issuer":"cert-board","evidence_sha256":"%s","valid_from":"%s"%s}}"""
                .formatted(id, tag + "-e" + counter[0], from, credentialId, type, SHA, from,
                        until == null ? "" : ",\"valid_until\":\"" + until + "\"");
        Planned issued = new Planned(from, counter[0], List.of(), seqOf -> json);
        d.events.add(issued);
        if (rnd.nextDouble() < 0.1) {
            Instant at = between(rnd, from, end);
            if (at.isAfter(from)) {
                String revoke = """
                        {"kind":"credential.revoked","contractor":"%s","event_id":"%s","body":{"occurred_at":"%s",\
                        "credential_id":"%s","reason_code":"issuer-withdrawn"}}""".formatted(id, tag + "-e" + (++counter[0]),
                        at, credentialId);
                d.events.add(new Planned(at, counter[0], List.of(), seqOf -> revoke));
            }
        }
    }

    private static Instant between(SplittableRandom rnd, Instant from, Instant to) {
        long span = Math.max(1, to.getEpochSecond() - from.getEpochSecond());
        return Instant.ofEpochSecond(from.getEpochSecond() + rnd.nextLong(span));
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
