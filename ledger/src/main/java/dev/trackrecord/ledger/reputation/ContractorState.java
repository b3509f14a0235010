package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.stats.Beta;

import dev.trackrecord.ledger.entry.AuditResult;
import dev.trackrecord.ledger.entry.ContractorStatus;
import dev.trackrecord.ledger.entry.CredentialIssued;
import dev.trackrecord.ledger.entry.CredentialRevoked;
import dev.trackrecord.ledger.entry.DisputeResolved;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryBody;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.TaskOutcome;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One contractor's sufficient statistics under one policy: per skill and overall, the decayed
 * weighted successes and failures of the quality (audit) and delivery (task outcome) components.
 *
 * <p>Sums are kept normalised to a reference time {@code ref}: an observation x at time t is
 * stored as x * 2^((t - ref) / halfLife), so the decayed sum at evaluation time T is the stored
 * sum times 2^(-(T - ref) / halfLife), one multiply. When an exponent would grow past
 * {@link #REBASE_EXPONENT} the sums are rescaled and {@code ref} moves, which keeps them far from
 * overflow whatever the half-life.
 *
 * <p>Not thread-safe: the index mutates it under its write lock.
 */
final class ContractorState {
    static final int QA = 0;
    static final int QB = 1;
    static final int DA = 2;
    static final int DB = 3;
    private static final double REBASE_EXPONENT = 400;
    /**
     * Tasks remembered per contractor for the audits that follow them; older ones are forgotten
     * (an audit of a forgotten task weighs 1 and counts only under its own skills). Bounds memory
     * per contractor; the rule is the same in a rebuild, so scores stay deterministic.
     */
    static final int REMEMBERED_TASKS = 1024;
    /**
     * Entries between two {@link Checkpoint}s, and how many are kept. A dispute is resolved days
     * after its target, a handful of the contractor's entries later (in the simulated marketplace
     * 4 at the median, 21 at the 99th percentile), so a checkpoint before the target is usually
     * kept and a rebuild replays a dozen entries instead of all of them.
     */
    static final int CHECKPOINT_EVERY = 8;
    static final int CHECKPOINTS_KEPT = 6;
    private static final Checkpoint[] NO_CHECKPOINTS = {};
    private static final CredentialRecord[] NO_CREDENTIALS = {};
    private static final SkillRanking[] NO_RANKINGS = {};

    final String id;
    final Policy policy;
    private double refMillis = Double.NaN;
    final double[] overall = new double[4];
    final SkillSums skills = new SkillSums();
    ContractorStatus.Status status = ContractorStatus.Status.ACTIVE;
    private final LinkedHashMap<String, CredentialRecord> credentials = new LinkedHashMap<>();
    private final TaskMemory tasks = new TaskMemory(REMEMBERED_TASKS);
    /** Targets voided by an upheld dispute, to the seq of the resolution that voided them. */
    final Map<Long, Long> voidedBy;
    long lastSeq = -1;
    /** Per-entry effects on {@link #overall}, kept only when an explanation is wanted. */
    private final List<Contribution> contributions;
    /** The current view at one evaluation time; reset on every change. */
    volatile Reputation cached;
    /** {@link #cached} as the lookup route's JSON, made on the first lookup after a change. */
    volatile ReputationJson.Document document;
    /** The last {@code lookup} answer and the {@link #cached} view it was made from. */
    volatile LookedUp lookedUp;

    /** A lookup answer ({@code basis} with the log size of the call) and its basis. */
    record LookedUp(Reputation basis, Reputation answer) {
    }
    /** Entries applied to this state since it was empty, voided ones included. */
    private int appliedCount;
    /** Whether it keeps {@link Checkpoint}s; only the index's live states do. */
    private final boolean checkpointing;
    /** Up to {@value #CHECKPOINTS_KEPT} checkpoints, oldest first. */
    private Checkpoint[] checkpoints = NO_CHECKPOINTS;
    /**
     * What each put into {@link #tasks} since the oldest checkpoint replaced or evicted, oldest
     * first, so that a rewind can undo it instead of every checkpoint copying the tasks.
     */
    private final ArrayDeque<TaskChange> taskChanges = new ArrayDeque<>();
    /** Puts into {@link #tasks} journaled since the state was empty: the last one's number. */
    private long taskChangeCount;
    /**
     * Whether a resolution named an entry to come, or another resolution. A replay from a
     * checkpoint assumes neither (see {@link #checkpointBefore}): then every resolution applied
     * sets whether its target is voided, whichever way the state was built. The ledger refuses
     * both now ({@link dev.trackrecord.ledger.entry.DisputeRules}), but logs written before may
     * hold them, so such a contractor is always rebuilt from the first entry.
     */
    private boolean tangledDisputes;
    /** The seqs of the contractor's resolutions, ascending, in {@code resolutionSeqs[0, resolutions)}. */
    private long[] resolutionSeqs = new long[0];
    private int resolutions;
    /**
     * Whether {@link #tangledDisputes} is known: false for a state read from a snapshot, which
     * does not record it, until a rebuild from the first entry replaces the state.
     */
    private boolean seenFromStart = true;
    /** Whether the index has this state queued for re-ranking at the end of the current slice. */
    boolean rankPending;
    /**
     * Whether the status changed since the index last ranked this state, which moves it in or out
     * of every skill's ranking; a change of one skill's sums is marked in {@link #skills}.
     */
    boolean statusChanged;
    /**
     * The rankings of the skills the index last ranked this state in, in skill order, so that
     * re-ranking it does not look each skill up again; none until it is first ranked.
     */
    SkillRanking[] rankedIn = NO_RANKINGS;

    /** A task's weight and skills, as the journal of task changes keeps them for a rewind. */
    private record TaskInfo(double weight, List<String> skills) {
    }

    private static final class CredentialRecord {
        final long seq;
        final CredentialIssued issued;
        Instant revokedAt;

        CredentialRecord(long seq, CredentialIssued issued) {
            this.seq = seq;
            this.issued = issued;
        }

        CredentialRecord copy() {
            CredentialRecord c = new CredentialRecord(seq, issued);
            c.revokedAt = revokedAt;
            return c;
        }
    }

    private record Contribution(long seq, EntryKind kind, Instant occurredAt, double[] delta, long voidedBy) {
    }

    ContractorState(String id, Policy policy, Map<Long, Long> voidedBy, boolean explain) {
        this(id, policy, voidedBy, explain, false);
    }

    /** With {@code checkpointing}, it copies itself every {@value #CHECKPOINT_EVERY} entries. */
    ContractorState(String id, Policy policy, Map<Long, Long> voidedBy, boolean explain, boolean checkpointing) {
        this.id = id;
        this.policy = policy;
        this.voidedBy = new HashMap<>(voidedBy);
        this.contributions = explain ? new ArrayList<>() : null;
        this.checkpointing = checkpointing;
    }

    /** A put into {@link #tasks}: the value it replaced and the task it evicted, each or null. */
    private record TaskChange(String taskId, TaskInfo replaced, String evictedId, TaskInfo evicted) {
        /** The common put, of a new task that evicted none: undone by taking the newest task off the end. */
        static final TaskChange NEW_TASK = new TaskChange(null, null, null, null);
    }

    /**
     * This state as it was right after applying its entry at {@code lastSeq}, but for the tasks,
     * which the state's journal of task changes rebuilds. Whether an entry is voided changes only
     * what is applied from that entry on, so a rebuild after a dispute over an entry after
     * {@code lastSeq} can start here and replay only the entries after it: the result is the same,
     * double for double, as a replay from the first entry. Immutable.
     */
    static final class Checkpoint {
        final long lastSeq;
        private final int appliedCount;
        private final long taskChangeCount;
        private final double refMillis;
        private final ContractorStatus.Status status;
        /** {@link #overall}, then each skill's sums in skill order. */
        private final double[] sums;
        private final String[] skillCodes;
        private final CredentialRecord[] credentials;

        private Checkpoint(ContractorState s) {
            lastSeq = s.lastSeq;
            appliedCount = s.appliedCount;
            taskChangeCount = s.taskChangeCount;
            refMillis = s.refMillis;
            status = s.status;
            // Skills are only ever added to a state, so the same count as the last checkpoint's
            // means the same skills: share its (immutable) array.
            Checkpoint last = s.checkpoints.length == 0 ? null : s.checkpoints[s.checkpoints.length - 1];
            skillCodes = last != null && last.skillCodes.length == s.skills.size() ? last.skillCodes
                    : s.skills.codes().toArray(new String[0]);
            sums = Arrays.copyOf(s.overall, 4 * (1 + skillCodes.length));
            for (int i = 0; i < skillCodes.length; i++) {
                System.arraycopy(s.skills.sums(i), 0, sums, 4 * (i + 1), 4);
            }
            credentials = s.credentials.isEmpty() ? NO_CREDENTIALS : new CredentialRecord[s.credentials.size()];
            int i = 0;
            for (CredentialRecord c : s.credentials.values()) {
                credentials[i++] = c.copy();
            }
        }
    }

    /**
     * The latest checkpoint taken before the entry at {@code seq}, or empty when there is none or
     * a replay from one might differ from a replay from the start.
     */
    Optional<Checkpoint> checkpointBefore(long seq) {
        if (tangledDisputes || !seenFromStart) {
            return Optional.empty();
        }
        for (int i = checkpoints.length - 1; i >= 0; i--) {
            if (checkpoints[i].lastSeq < seq) {
                return Optional.of(checkpoints[i]);
            }
        }
        return Optional.empty();
    }

    /**
     * A state like this one as it was at {@code from}, one of its checkpoints, but with this
     * state's voided entries, ready to replay the entries after {@code from.lastSeq}. It keeps the
     * checkpoints up to {@code from}; those after it may hold an entry now voided or no longer.
     */
    ContractorState rewoundTo(Checkpoint from) {
        ContractorState s = new ContractorState(id, policy, voidedBy, false, checkpointing);
        s.lastSeq = from.lastSeq;
        s.appliedCount = from.appliedCount;
        s.refMillis = from.refMillis;
        s.status = from.status;
        System.arraycopy(from.sums, 0, s.overall, 0, 4);
        for (int i = 0; i < from.skillCodes.length; i++) {
            s.skills.put(from.skillCodes[i], Arrays.copyOfRange(from.sums, 4 * (i + 1), 4 * (i + 2)));
        }
        for (CredentialRecord c : from.credentials) {
            s.credentials.put(c.issued.credentialId(), c.copy());
        }
        rewindTasks(from.taskChangeCount, s.tasks);
        int kept = 0;
        while (checkpoints[kept] != from) {
            kept++;
        }
        s.checkpoints = Arrays.copyOf(checkpoints, kept + 1);
        // The changes up to the checkpoint, for rewinding further back later.
        long first = taskChangeCount - taskChanges.size();
        var it = taskChanges.iterator();
        for (long n = first; n < from.taskChangeCount; n++) {
            s.taskChanges.add(it.next());
        }
        s.taskChangeCount = from.taskChangeCount;
        int n = Arrays.binarySearch(resolutionSeqs, 0, resolutions, from.lastSeq + 1);
        s.resolutions = n >= 0 ? n : -n - 1;
        s.resolutionSeqs = Arrays.copyOf(resolutionSeqs, Math.max(4, s.resolutions));
        return s;
    }

    /**
     * Puts into {@code into} the tasks as they were after put number {@code mark}, in their order
     * then. Undoing a put restores the value it replaced, or takes its new task off the end and
     * puts back at the front the task it evicted; so only the changes since {@code mark} are
     * walked, and the tasks are copied once. Requires fewer puts since {@code mark} than
     * {@value #REMEMBERED_TASKS}, which the spacing of checkpoints ensures: then a task taken
     * off the end is never one put back at the front.
     */
    private void rewindTasks(long mark, TaskMemory into) {
        ArrayDeque<String> front = new ArrayDeque<>();
        HashMap<String, TaskInfo> values = new HashMap<>();
        int dropped = 0;
        var it = taskChanges.descendingIterator();
        for (long n = taskChangeCount; n > mark; n--) {
            TaskChange c = it.next();
            if (c.evictedId() != null) {
                front.addFirst(c.evictedId());
                values.put(c.evictedId(), c.evicted());
            }
            if (c.replaced() == null) {
                dropped++;
            } else {
                values.put(c.taskId(), c.replaced());
            }
        }
        if (dropped > tasks.size()) {
            throw new IllegalStateException("cannot rewind " + dropped + " new tasks from " + tasks.size());
        }
        into.reserve(front.size() + tasks.size() - dropped);
        for (String taskId : front) {
            TaskInfo t = values.get(taskId);
            into.add(taskId, t.weight(), t.skills());
        }
        for (int i = 0; i < tasks.size() - dropped; i++) {
            int slot = tasks.slotAt(i);
            TaskInfo restored = values.get(tasks.id(slot));
            if (restored != null) {
                into.add(tasks.id(slot), restored.weight(), restored.skills());
            } else {
                into.add(tasks.id(slot), tasks.weight(slot), tasks.skills(slot));
            }
        }
    }

    /** Takes a checkpoint, dropping the oldest beyond {@value #CHECKPOINTS_KEPT} and the task changes only it needed. */
    private void checkpoint() {
        Checkpoint[] kept = checkpoints.length < CHECKPOINTS_KEPT
                ? Arrays.copyOf(checkpoints, checkpoints.length + 1)
                : Arrays.copyOfRange(checkpoints, 1, CHECKPOINTS_KEPT + 1);
        kept[kept.length - 1] = new Checkpoint(this);
        checkpoints = kept;
        for (long first = taskChangeCount - taskChanges.size(); first < kept[0].taskChangeCount; first++) {
            taskChanges.removeFirst();
        }
    }

    /**
     * Adds the entry at {@code seq}, which must be this contractor's and later than any before.
     *
     * @return whether the entry changed which earlier entries are voided, so that the statistics
     *         must be rebuilt from the contractor's entries
     */
    boolean apply(long seq, Entry entry) {
        return apply(seq, entry.kind(), entry.decodeBody());
    }

    /** {@link #apply(long, Entry)} for an entry whose body is decoded already. */
    boolean apply(long seq, EntryKind kind, EntryBody body) {
        boolean voidingChanged = applyBody(seq, kind, body);
        appliedCount++;
        if (checkpointing && seenFromStart && !tangledDisputes && appliedCount % CHECKPOINT_EVERY == 0) {
            checkpoint();
        }
        return voidingChanged;
    }

    private boolean applyBody(long seq, EntryKind kind, EntryBody body) {
        lastSeq = seq;
        cached = null;
        if (body instanceof DisputeResolved d) {
            // Even when voided itself: then it is one that another resolution named.
            tangledDisputes |= d.targetSeq() >= seq
                    || Arrays.binarySearch(resolutionSeqs, 0, resolutions, d.targetSeq()) >= 0;
            if (resolutions == resolutionSeqs.length) {
                resolutionSeqs = Arrays.copyOf(resolutionSeqs, Math.max(4, 2 * resolutions));
            }
            resolutionSeqs[resolutions++] = seq;
        }
        // Most contractors never had an entry voided: skip boxing the seq for them.
        Long voider = voidedBy.isEmpty() ? null : voidedBy.get(seq);
        if (voider != null) {
            if (contributions != null) {
                contributions.add(new Contribution(seq, kind, body.occurredAt(), new double[4], voider));
            }
            return false;
        }
        switch (body) {
            case TaskOutcome t -> {
                double w = policy.valueWeight(t.valueMinor());
                putTask(t.taskId(), w, t.skills());
                double success = switch (t.outcome()) {
                    case ACCEPTED -> t.late() ? policy.lateCreditBp() / 10_000.0 : 1;
                    case REJECTED, ABANDONED, EXPIRED -> 0;
                };
                observe(seq, kind, t.occurredAt(), t.skills(), DA, w * success, w * (1 - success));
            }
            case AuditResult a -> {
                int task = tasks.find(a.taskId());
                double w = (task < 0 ? 1 : tasks.weight(task)) * policy.methodWeight(a.method());
                double success = a.scoreBp() / 10_000.0;
                List<String> auditSkills = !a.skills().isEmpty() ? a.skills()
                        : task >= 0 ? tasks.skills(task) : List.of();
                observe(seq, kind, a.occurredAt(), auditSkills, QA, w * success, w * (1 - success));
            }
            case CredentialIssued c -> credentials.put(c.credentialId(), new CredentialRecord(seq, c));
            case CredentialRevoked r -> {
                CredentialRecord c = credentials.get(r.credentialId());
                if (c != null && (c.revokedAt == null || r.occurredAt().isBefore(c.revokedAt))) {
                    c.revokedAt = r.occurredAt();
                }
            }
            case ContractorStatus s -> {
                statusChanged |= status != s.status();
                status = s.status();
            }
            case DisputeResolved d -> {
                boolean upheld = d.resolution() == DisputeResolved.Resolution.UPHELD;
                boolean isVoided = voidedBy.containsKey(d.targetSeq());
                if (upheld && !isVoided) {
                    voidedBy.put(d.targetSeq(), seq);
                    return true;
                }
                if (!upheld && isVoided) {
                    voidedBy.remove(d.targetSeq());
                    return true;
                }
            }
            default -> {
                // payouts, dispute openings and policies do not move scores
            }
        }
        return false;
    }

    private void putTask(String taskId, double weight, List<String> taskSkills) {
        int slot = tasks.find(taskId);
        // Only a rewind to a checkpoint reads the journal.
        boolean journal = checkpoints.length > 0;
        if (slot >= 0) {
            if (journal) {
                taskChanges.add(new TaskChange(taskId, new TaskInfo(tasks.weight(slot), tasks.skills(slot)), null, null));
            }
            tasks.replace(slot, weight, taskSkills);
        } else {
            if (journal) {
                int oldest = tasks.full() ? tasks.oldest() : -1;
                taskChanges.add(oldest < 0 ? TaskChange.NEW_TASK : new TaskChange(taskId, null, tasks.id(oldest),
                        new TaskInfo(tasks.weight(oldest), tasks.skills(oldest))));
            }
            tasks.add(taskId, weight, taskSkills);
        }
        if (journal) {
            taskChangeCount++;
        }
    }

    private void observe(long seq, EntryKind kind, Instant at, List<String> skillCodes, int component,
                         double success, double failure) {
        double t = at.toEpochMilli();
        if (Double.isNaN(refMillis)) {
            refMillis = t;
        }
        double exponent = (t - refMillis) / policy.halfLifeMillis();
        if (exponent > REBASE_EXPONENT) {
            rebase(exponent);
            exponent = 0;
            refMillis = t;
        }
        double scale = Math.pow(2, exponent);
        double s = success * scale;
        double f = failure * scale;
        overall[component] += s;
        overall[component + 1] += f;
        for (int i = 0; i < skillCodes.size(); i++) {
            double[] sums = skills.getOrAdd(skillCodes.get(i));
            sums[component] += s;
            sums[component + 1] += f;
        }
        if (contributions != null) {
            double[] delta = new double[4];
            delta[component] = s;
            delta[component + 1] = f;
            contributions.add(new Contribution(seq, kind, at, delta, -1));
        }
    }

    private void rebase(double exponent) {
        double factor = Math.pow(2, -exponent);
        scale(overall, factor);
        for (int i = 0; i < skills.size(); i++) {
            scale(skills.sums(i), factor);
        }
        skills.markAllChanged();
        if (contributions != null) {
            contributions.forEach(c -> scale(c.delta(), factor));
        }
    }

    private static void scale(double[] sums, double factor) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] *= factor;
        }
    }

    /** Writes the statistics for a snapshot; entries are referred to by seq, not copied. */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeUTF(id);
        out.writeLong(lastSeq);
        out.writeByte(status.ordinal());
        out.writeDouble(refMillis);
        writeSums(out, overall);
        out.writeInt(skills.size());
        for (int i = 0; i < skills.size(); i++) {
            out.writeUTF(skills.code(i));
            writeSums(out, skills.sums(i));
        }
        out.writeInt(credentials.size());
        for (CredentialRecord c : credentials.values()) {
            out.writeLong(c.seq);
            out.writeBoolean(c.revokedAt != null);
            if (c.revokedAt != null) {
                out.writeLong(c.revokedAt.getEpochSecond());
                out.writeInt(c.revokedAt.getNano());
            }
        }
        out.writeInt(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            int slot = tasks.slotAt(i);
            out.writeUTF(tasks.id(slot));
            out.writeDouble(tasks.weight(slot));
            out.writeInt(tasks.skills(slot).size());
            for (String skill : tasks.skills(slot)) {
                out.writeUTF(skill);
            }
        }
        out.writeInt(voidedBy.size());
        for (var e : voidedBy.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    /** Reads what {@link #writeTo} wrote; credentials are read back from their entries in {@code source}. */
    static ContractorState readFrom(DataInputStream in, Policy policy, EntrySource source) throws IOException {
        String id = in.readUTF();
        long lastSeq = in.readLong();
        ContractorStatus.Status status = ContractorStatus.Status.values()[in.readByte()];
        double ref = in.readDouble();
        ContractorState state = new ContractorState(id, policy, Map.of(), false, true);
        state.seenFromStart = false;
        state.lastSeq = lastSeq;
        state.status = status;
        state.refMillis = ref;
        readSums(in, state.overall);
        int skillCount = in.readInt();
        for (int i = 0; i < skillCount; i++) {
            String skill = in.readUTF();
            double[] sums = new double[4];
            readSums(in, sums);
            state.skills.put(skill, sums);
        }
        int credentialCount = in.readInt();
        for (int i = 0; i < credentialCount; i++) {
            long seq = in.readLong();
            CredentialRecord c = new CredentialRecord(seq, (CredentialIssued) source.entry(seq).decodeBody());
            if (in.readBoolean()) {
                c.revokedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            }
            state.credentials.put(c.issued.credentialId(), c);
        }
        int taskCount = in.readInt();
        for (int i = 0; i < taskCount; i++) {
            String taskId = in.readUTF();
            double weight = in.readDouble();
            int n = in.readInt();
            List<String> taskSkills = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                taskSkills.add(in.readUTF());
            }
            state.tasks.add(taskId, weight, List.copyOf(taskSkills));
        }
        int voided = in.readInt();
        for (int i = 0; i < voided; i++) {
            state.voidedBy.put(in.readLong(), in.readLong());
        }
        return state;
    }

    private static void writeSums(DataOutputStream out, double[] sums) throws IOException {
        for (double v : sums) {
            out.writeDouble(v);
        }
    }

    private static void readSums(DataInputStream in, double[] sums) throws IOException {
        for (int i = 0; i < sums.length; i++) {
            sums[i] = in.readDouble();
        }
    }

    /** The multiplier that brings the stored sums to their decayed value at {@code time}. */
    double decayTo(Instant time) {
        if (Double.isNaN(refMillis)) {
            return 1;
        }
        return Math.pow(2, -(time.toEpochMilli() - refMillis) / policy.halfLifeMillis());
    }

    /** The score of {@code sums} at decay multiplier {@code decay}; see docs/reputation.md. */
    static Score score(double[] sums, double decay, Policy p) {
        return band(sums, decay, p).score();
    }

    /**
     * The blend of quality and delivery as a moment-matched Beta(alpha, beta), with the band's
     * tail mass: a {@link Score} before its quantiles, which ranking computes only in part
     * ({@link Band#lower}) and top-k answers complete for the contractors they return.
     */
    record Band(double mean, double alpha, double beta, double tail, double nEff) {
        double lower() {
            return Math.min(Beta.quantile(tail, alpha, beta), mean);
        }

        double upper() {
            return Math.max(Beta.quantile(1 - tail, alpha, beta), mean);
        }

        Score score() {
            return new Score(mean, lower(), upper(), nEff);
        }
    }

    static Band band(double[] sums, double decay, Policy p) {
        double aq = p.priorAlphaBp() / 10_000.0 + decay * sums[QA];
        double bq = p.priorBetaBp() / 10_000.0 + decay * sums[QB];
        double ad = p.deliveryPriorAlphaBp() / 10_000.0 + decay * sums[DA];
        double bd = p.deliveryPriorBetaBp() / 10_000.0 + decay * sums[DB];
        double wq = p.qualityWeightBp() / 10_000.0;
        double wd = 1 - wq;
        double mq = aq / (aq + bq);
        double md = ad / (ad + bd);
        double vq = mq * (1 - mq) / (aq + bq + 1);
        double vd = md * (1 - md) / (ad + bd + 1);
        double mean = wq * mq + wd * md;
        double var = wq * wq * vq + wd * wd * vd;
        // Moment-matched Beta(alpha, beta) for the blend; var < mean(1-mean) always holds here.
        double nu = mean * (1 - mean) / var - 1;
        double alpha = mean * nu;
        double beta = (1 - mean) * nu;
        double tail = (1 - p.bandBp() / 10_000.0) / 2;
        double nEff = decay * (sums[QA] + sums[QB] + sums[DA] + sums[DB]);
        return new Band(mean, alpha, beta, tail, nEff);
    }

    /** The posterior mean only: what explanations difference, without the band's quantiles. */
    static double mean(double[] sums, double decay, Policy p) {
        double aq = p.priorAlphaBp() / 10_000.0 + decay * sums[QA];
        double bq = p.priorBetaBp() / 10_000.0 + decay * sums[QB];
        double ad = p.deliveryPriorAlphaBp() / 10_000.0 + decay * sums[DA];
        double bd = p.deliveryPriorBetaBp() / 10_000.0 + decay * sums[DB];
        double wq = p.qualityWeightBp() / 10_000.0;
        return wq * aq / (aq + bq) + (1 - wq) * ad / (ad + bd);
    }

    Score skillScore(String skill, Instant time) {
        Band band = skillBand(skill, time);
        return band == null ? null : band.score();
    }

    /** {@link #skillScore} before its quantiles; null when the state has no sums in {@code skill}. */
    Band skillBand(String skill, Instant time) {
        double[] sums = skills.get(skill);
        return sums == null ? null : band(sums, decayTo(time), policy);
    }

    boolean hasValidCredential(String type, Instant time) {
        for (CredentialRecord c : credentials.values()) {
            if (c.issued.type().equals(type) && valid(c, time)) {
                return true;
            }
        }
        return false;
    }

    private static boolean valid(CredentialRecord c, Instant time) {
        return c.issued.validAt(time) && (c.revokedAt == null || time.isBefore(c.revokedAt));
    }

    /**
     * The reputation at {@code time}, with up to {@code explain} entries of explanation, reported
     * as of log position {@code asOfSeq}.
     */
    Reputation view(Instant time, int explain, long asOfSeq) {
        double decay = decayTo(time);
        Map<String, Score> skillScores = new TreeMap<>();
        for (int i = 0; i < skills.size(); i++) {
            skillScores.put(skills.code(i), score(skills.sums(i), decay, policy));
        }
        List<Reputation.Credential> valid = new ArrayList<>();
        for (CredentialRecord c : credentials.values()) {
            if (valid(c, time)) {
                valid.add(new Reputation.Credential(c.issued.credentialId(), c.issued.type(), c.issued.issuer(),
                        c.issued.validFrom(), c.issued.validUntil(), c.seq));
            }
        }
        return new Reputation(id, policy.id(), asOfSeq, time, status, score(overall, decay, policy), skillScores,
                valid, explanation(decay, explain));
    }

    private List<Reputation.Effect> explanation(double decay, int limit) {
        if (contributions == null || limit <= 0) {
            return List.of();
        }
        double with = mean(overall, decay, policy);
        List<Reputation.Effect> effects = new ArrayList<>();
        List<Reputation.Effect> voided = new ArrayList<>();
        double[] without = new double[4];
        for (Contribution c : contributions) {
            if (c.voidedBy() >= 0) {
                voided.add(new Reputation.Effect(c.seq(), c.kind(), c.occurredAt(), 0, c.voidedBy()));
                continue;
            }
            for (int i = 0; i < 4; i++) {
                without[i] = Math.max(0, overall[i] - c.delta()[i]);
            }
            effects.add(new Reputation.Effect(c.seq(), c.kind(), c.occurredAt(),
                    with - mean(without, decay, policy), -1));
        }
        effects.sort(Comparator.comparingDouble((Reputation.Effect e) -> -Math.abs(e.effect()))
                .thenComparingLong(Reputation.Effect::seq));
        List<Reputation.Effect> result = new ArrayList<>(effects.subList(0, Math.min(limit, effects.size())));
        result.addAll(voided);
        return result;
    }
}
