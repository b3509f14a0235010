package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.DisputeResolved;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryBody;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.PolicyPublished;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reputation kept incrementally over the log: per contractor, the sufficient statistics of the
 * model under the policy in force, updated by each entry of theirs ({@link #apply}); a lookup is a
 * hash lookup plus, once per evaluation time, the score's quantiles. Current scores are evaluated
 * at the start of the current UTC hour, so every reader in that hour sees the same numbers and
 * the per-skill rankings stay valid for the hour.
 *
 * <p>An upheld dispute and a new policy rebuild the statistics they touch from the log (one
 * contractor; every contractor), as do as-of queries and explanations: the log is the authority
 * and the rebuild is the same code as the incremental path. A dispute's rebuild starts from a
 * checkpoint of the contractor's statistics taken before the disputed entry, when one is kept,
 * and reads back only the entries after it; the result is the same, double for double.
 *
 * <p>Entries are applied in slices under the write lock. The skill rankings of the contractors the
 * slices changed are brought up to date once per contractor, at most {@link #RANK_INTERVAL_NANOS}
 * apart while entries keep coming (or once {@link #RANK_PENDING} contractors wait), and always
 * before anything reads a ranking: a top-k query re-ranks those waiting in its skill (the others
 * wait on), preparing the next hour's rankings all of them; a follower with nothing to apply
 * calls {@link #flushRankingsIfDue}. A contractor whose entries arrive faster than that is
 * re-ranked once for all of them, and a query finds about {@link #RANK_PENDING} contractors
 * waiting at most (the count is checked after each slice, and a contractor a query re-ranked in
 * its skill alone stays listed for its others), of whom it re-ranks those its skill's sums
 * changed for.
 *
 * <p>The statistics can be written as a snapshot and read back ({@link #writeSnapshot},
 * {@link #fromSnapshot}), so a restart applies only the entries after it.
 *
 * <p>Thread-safe: appliers take a write lock, readers a read lock. As-of queries and
 * explanations hold the read lock while they rebuild one contractor, so appends wait for them.
 */
public final class ReputationIndex {
    private static final Logger LOG = Logger.getLogger(ReputationIndex.class.getName());
    /** Granularity of the evaluation time of current scores. */
    public static final long EVALUATION_PERIOD_MILLIS = 3_600_000;
    /** How many entries an explanation lists (voided entries come on top). */
    public static final int EXPLANATION_LIMIT = 10;
    /** Above this many entries in one catch-up, rankings are dropped and rebuilt once afterwards. */
    private static final long BULK = 1_000;
    /** Entries applied per hold of the write lock while catching up or applying a batch. */
    private static final int CATCH_UP_SLICE = 256;
    private static final int PREPARE_CHUNK = 1_000;
    /** Longest a changed contractor waits to be re-ranked while entries keep coming. */
    private static final long RANK_INTERVAL_NANOS = 20_000_000;
    /**
     * Contractors waiting to be re-ranked above which they are re-ranked at the end of the slice.
     * The more wait, the more of them are re-ranked once for several entries: applying the bench's
     * marketplace flat out took 0.78 us per entry with 4,096 against 1.25 with 1,024. A query
     * re-ranks those waiting in its skill first, a third of them there.
     */
    private static final int RANK_PENDING = 4_096;

    private final EntrySource source;
    private final Clock clock;
    /**
     * Fair: a query waiting for the read lock gets it when the slice being applied ends, instead
     * of the applier taking it back for slice after slice. Top-10 while one thread applied entries
     * flat out ({@code TopUnderAppends}): p99 2.6-6.8 ms fair against 8.8-94 ms unfair.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final Object catchUpLock = new Object();
    private final HashMap<String, ContractorState> contractors = new HashMap<>();
    /**
     * Live states by the log's contractor ordinal, as far as batches handed over with ordinals
     * showed them: a cache of {@link #contractors}, replaced with it after a dispute's rebuild
     * (emptied when the rebuild came without an ordinal), emptied by a new policy.
     */
    private ContractorState[] byOrdinal = new ContractorState[0];
    private final HashMap<String, SkillRanking> rankings = new HashMap<>();
    private final List<Policy> policies = new ArrayList<>();
    /** Contractors changed since they were last ranked, to re-rank once each ({@link #rankChanged}). */
    private final List<ContractorState> toRank = new ArrayList<>();
    /** Whether {@link #toRank} holds anyone: read without the lock before taking it to rank them. */
    private volatile boolean rankingBehind;
    /** {@link System#nanoTime} of the last {@link #rankChanged}. */
    private long rankedAt = System.nanoTime();
    private Policy policy = Policy.DEFAULT;
    /** Written under the write lock; read without it by {@link #appliedSize}, on every score read. */
    private volatile long applied;
    private long restoredFrom = -1;
    private static final int SNAPSHOT_MAGIC = 0x54525250; // "TRRP"
    private static final int SNAPSHOT_FORMAT = 1;

    public ReputationIndex(EntrySource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- updates

    /**
     * Applies every entry of the source not applied yet, [appliedSize(), source.size()).
     *
     * @return the new applied size
     */
    public long catchUp() {
        return catchUpTo(Long.MAX_VALUE);
    }

    /**
     * Applies the entries of the source not applied yet below {@code end}, as far as the source
     * holds them: what a follower handed a batch that starts past the index does before applying it.
     *
     * @return the new applied size
     */
    public long catchUpTo(long end) {
        // One thread catches up at a time; lookups run between its slices, since entries are read
        // and parsed outside the lock and each slice holds it only while applying.
        synchronized (catchUpLock) {
            long size = Math.min(end, source.size());
            long from = appliedSize();
            if (size - from > BULK) {
                lock.writeLock().lock();
                try {
                    // Cheaper to rank everyone once, on the next query or prepareRankings, than per entry.
                    rankings.values().forEach(SkillRanking::invalidate);
                } finally {
                    lock.writeLock().unlock();
                }
            }
            while (from < size) {
                long to = Math.min(size, from + CATCH_UP_SLICE);
                applyUnderLock(from, source.entries(from, to),
                        (e, seq, now) -> applyLocked(seq, e.kind(), e.contractor(), -1, e.decodeBody(), now));
                from = to;
            }
            return appliedSize();
        }
    }

    /**
     * Applies the entry at {@code seq}, which the source must already hold.
     *
     * @throws IllegalArgumentException unless {@code seq == appliedSize()}: entries apply in order
     */
    public void apply(long seq, Entry entry) {
        lock.writeLock().lock();
        try {
            Instant now = evaluationTime();
            applyLocked(seq, entry.kind(), entry.contractor(), -1, entry.decodeBody(), now);
            rankChanged(now);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Applies entries the log has just appended, from their submissions, whose bodies are decoded
     * already: what the service's follower does with each durable batch, so it does not read and
     * parse the entries back. Entries already applied are skipped.
     *
     * @param firstSeq the seq of {@code entries.get(0)}; the rest follow on
     * @return false, applying nothing, when {@code firstSeq} is beyond {@link #appliedSize()} (the
     *         entries between must be read from the log first: {@link #catchUp})
     */
    public boolean applyAppended(long firstSeq, List<Submission> entries) {
        return applyAppended(firstSeq, entries, null);
    }

    /**
     * {@link #applyAppended(long, List)} with each entry's contractor ordinal, the number the log
     * gives each contractor (from 0, in order of first appearance, fixed for the life of the log),
     * which finds the contractor's state by position instead of by comparing ids.
     *
     * @param contractorOrdinals one per entry, or null
     */
    public boolean applyAppended(long firstSeq, List<Submission> entries, int[] contractorOrdinals) {
        synchronized (catchUpLock) {
            if (firstSeq > appliedSize()) {
                return false;
            }
            // A slice at a time, as catchUp does, so that lookups are not held up by a large batch.
            for (int start = 0; start < entries.size(); start += CATCH_UP_SLICE) {
                applyUnderLock(firstSeq + start, entries.subList(start, Math.min(entries.size(), start + CATCH_UP_SLICE)),
                        (sub, seq, now) -> applyLocked(seq, sub.kind(), sub.contractor(),
                                contractorOrdinals == null ? -1 : contractorOrdinals[(int) (seq - firstSeq)],
                                sub.body(), now));
            }
            return true;
        }
    }

    /** Applies one entry at {@code seq} with the evaluation time of its slice. */
    private interface Applier<T> {
        void apply(T entry, long seq, Instant now);
    }

    /**
     * Applies {@code entries}, the first at seq {@code from}, under the write lock, skipping those
     * already applied ({@link #apply} may have taken some meanwhile), then re-ranks each contractor
     * they changed once.
     */
    private <T> void applyUnderLock(long from, List<T> entries, Applier<T> applier) {
        lock.writeLock().lock();
        try {
            Instant now = evaluationTime();
            for (int i = 0; i < entries.size(); i++) {
                if (from + i >= applied) {
                    applier.apply(entries.get(i), from + i, now);
                }
            }
            if (toRank.size() >= RANK_PENDING || System.nanoTime() - rankedAt >= RANK_INTERVAL_NANOS) {
                rankChanged(now);
            }
            rankingBehind = !toRank.isEmpty();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Re-ranks the contractors changed since they were last ranked, if any: what a top-k query does first. */
    public void flushRankings() {
        flush(false);
    }

    /**
     * {@link #flushRankings} once the contractors waiting have waited {@link #RANK_INTERVAL_NANOS}:
     * what a follower does when it has nothing to apply, so that queries find little to do, while
     * a contractor whose entries keep coming is still ranked once for all of them.
     */
    public void flushRankingsIfDue() {
        flush(true);
    }

    private void flush(boolean onlyIfDue) {
        if (!rankingBehind) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (!onlyIfDue || System.nanoTime() - rankedAt >= RANK_INTERVAL_NANOS) {
                rankChangedNow();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether every contractor changed by the entries applied so far is ranked. */
    public boolean rankingsCurrent() {
        return !rankingBehind;
    }

    /**
     * Takes the read lock with every contractor applied so far ranked in {@code skill}: when some
     * wait, ranks them there under the write lock and keeps the read lock from there, so that no
     * slice comes between. Those waiting in other skills wait on: a query re-ranks only what it reads.
     */
    private void lockRankingsForReading(String skill) {
        lock.readLock().lock();
        SkillRanking ranking = rankings.get(skill);
        if (!rankingBehind || (ranking != null && ranking.currentThrough == applied)) {
            return;
        }
        lock.readLock().unlock();
        lock.writeLock().lock();
        try {
            if (rankingBehind) {
                rankChangedIn(skill, evaluationTime());
                ranking = rankings.get(skill);
                if (ranking != null) {
                    ranking.currentThrough = applied;
                }
            }
            lock.readLock().lock();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** {@link #rankChanged} at the current evaluation time, if anyone waits. Requires the write lock. */
    private void rankChangedNow() {
        if (!toRank.isEmpty()) {
            rankChanged(evaluationTime());
        }
    }

    /**
     * Applies one entry; the contractor it changed is queued for {@link #rankChanged}, which the
     * caller runs before it releases the write lock.
     */
    private void applyLocked(long seq, EntryKind kind, String contractor, int ordinal, EntryBody body, Instant now) {
        if (seq != applied) {
            throw new IllegalArgumentException("entries apply in seq order: expected seq " + applied + ", got " + seq);
        }
        applied = seq + 1;
        if (kind == EntryKind.POLICY_PUBLISHED) {
            Policy published;
            try {
                published = Policy.from(seq, (PolicyPublished) body);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "policy at seq " + seq + " ignored: " + e.getMessage());
                return;
            }
            policies.add(published);
            policy = published;
            // A policy changes every score from its seq on: rebuild everyone under it. The states
            // cached by ordinal go first, so that a rebuild failing partway leaves none stale.
            Arrays.fill(byOrdinal, null);
            for (String id : List.copyOf(contractors.keySet())) {
                contractors.put(id, replayed(id, seq, published)).rankPending = false;
            }
            rankings.values().forEach(SkillRanking::invalidate);
            for (ContractorState s : contractors.values()) {
                s.skills.codes().forEach(skill -> rankings.computeIfAbsent(skill, SkillRanking::new).members.add(s.id));
            }
            return;
        }
        ContractorState state = ordinal >= 0 && ordinal < byOrdinal.length ? byOrdinal[ordinal] : null;
        if (state == null) {
            state = contractors.get(contractor);
            if (state == null) {
                state = new ContractorState(contractor, policy, Map.of(), false, true);
                contractors.put(contractor, state);
            }
            if (ordinal >= 0) {
                if (ordinal >= byOrdinal.length) {
                    byOrdinal = Arrays.copyOf(byOrdinal, Math.max(ordinal + 1, 2 * byOrdinal.length));
                }
                byOrdinal[ordinal] = state;
            }
        }
        if (state.apply(seq, kind, body)) {
            // Only a dispute's resolution changes which entries are voided.
            ContractorState rebuilt = revoided(state, (DisputeResolved) body, seq);
            contractors.put(contractor, rebuilt);
            if (ordinal >= 0) {
                byOrdinal[ordinal] = rebuilt;
            } else {
                // The state may be cached under an ordinal this entry did not bring.
                Arrays.fill(byOrdinal, null);
            }
            state.rankPending = false;
            for (String skill : state.skills.codes()) {
                if (!rebuilt.skills.contains(skill)) {
                    // The voided entry was their only one in the skill.
                    rankings.computeIfAbsent(skill, SkillRanking::new).update(rebuilt, now);
                }
            }
            state = rebuilt;
        }
        if (!state.rankPending) {
            state.rankPending = true;
            toRank.add(state);
        }
    }

    /**
     * Brings the rankings of the skills of each contractor changed since the last call up to
     * date, once per contractor however many of their entries were applied. Requires the write lock.
     */
    private void rankChanged(Instant now) {
        long at = now.toEpochMilli();
        for (ContractorState state : toRank) {
            // A state replaced meanwhile (by a rebuild) was unmarked and is not ranked.
            if (state.rankPending) {
                state.rankPending = false;
                // Skills are only ever added to a state, so the same count means the same skills.
                if (state.rankedIn.length != state.skills.size()) {
                    rankInEverySkill(state, now);
                } else {
                    // Only the skills whose sums changed move, unless the status moved them all.
                    SkillRanking[] in = state.rankedIn;
                    for (int i = 0; i < in.length; i++) {
                        if ((state.statusChanged || state.skills.changed(i)) && in[i].keepsKeysAt(at)) {
                            in[i].updateMember(state, now);
                        }
                    }
                }
                state.skills.clearChanged();
                state.statusChanged = false;
            }
        }
        noneWaiting();
    }

    /** Marks every contractor changed so far ranked. Requires the write lock. */
    private void noneWaiting() {
        toRank.clear();
        rankedAt = System.nanoTime();
        rankingBehind = false;
    }

    /** Ranks {@code state} in each of its skills, finding the rankings: for a state with skills not ranked yet. */
    private void rankInEverySkill(ContractorState state, Instant now) {
        SkillRanking[] in = new SkillRanking[state.skills.size()];
        int i = 0;
        for (String skill : state.skills.codes()) {
            in[i] = rankings.computeIfAbsent(skill, SkillRanking::new);
            in[i++].update(state, now);
        }
        state.rankedIn = in;
        state.skills.clearChanged();
        state.statusChanged = false;
        state.rankPending = false;
    }

    /**
     * {@link #rankChanged} for one skill: what a top-k query of the skill needs. The contractors
     * waiting are re-ranked in {@code skill} alone (or, when they bring a skill not ranked yet, in
     * all of theirs), and wait on for the others. Requires the write lock.
     */
    private void rankChangedIn(String skill, Instant now) {
        long at = now.toEpochMilli();
        boolean othersWait = false;
        for (ContractorState state : toRank) {
            if (!state.rankPending) {
                continue;
            }
            if (state.rankedIn.length != state.skills.size()) {
                rankInEverySkill(state, now);
                continue;
            }
            int i = state.skills.indexOf(skill);
            if (i < 0) {
                othersWait = true;
                continue;
            }
            if (state.statusChanged) {
                // A status moves the state in every skill: the others keep that to do.
                state.skills.markAllChanged();
                state.statusChanged = false;
            }
            if (state.skills.changed(i)) {
                SkillRanking in = state.rankedIn[i];
                if (in.keepsKeysAt(at)) {
                    in.updateMember(state, now);
                }
                state.skills.clearChanged(i);
                state.rankPending = state.skills.anyChanged();
            }
            othersWait |= state.rankPending;
        }
        if (!othersWait) {
            // Everyone waiting was waiting in this skill alone: nothing is behind any more.
            noneWaiting();
        }
    }

    /**
     * {@code state} rebuilt after its entry at {@code seq}, a dispute's resolution, changed whether
     * the entry at {@code target} is voided. The entries before {@code target} apply the same
     * either way, so the replay starts at the latest checkpoint before it when there is one, and
     * reads back only the entries after that, but for the resolution, whose body is at hand; else
     * it replays all of them.
     */
    private ContractorState revoided(ContractorState state, DisputeResolved resolution, long seq) {
        Optional<ContractorState.Checkpoint> from = state.checkpointBefore(resolution.targetSeq());
        if (from.isEmpty()) {
            return replayed(state.id, seq, state.policy);
        }
        ContractorState rewound = state.rewoundTo(from.get());
        long[] seqs = source.contractorSeqs(state.id);
        int i = Arrays.binarySearch(seqs, from.get().lastSeq);
        for (i = i >= 0 ? i + 1 : -i - 1; i < seqs.length && seqs[i] < seq; i++) {
            Entry.KindAndBody e = source.kindAndBody(seqs[i]);
            rewound.apply(seqs[i], e.kind(), e.body());
        }
        // The checkpoint is before the target, so before the resolution too.
        rewound.apply(seq, EntryKind.DISPUTE_RESOLVED, resolution);
        return rewound;
    }

    /** A live state for the index: {@code id}'s entries up to {@code seq} replayed under {@code policy}. */
    private ContractorState replayed(String id, long seq, Policy policy) {
        return rebuild(id, seq, policy, false, true);
    }

    /** Replays {@code id}'s entries up to {@code seq} under {@code policy}, disputes resolved first. */
    private ContractorState rebuild(String id, long seq, Policy policy, boolean explain) {
        return rebuild(id, seq, policy, explain, false);
    }

    private ContractorState rebuild(String id, long seq, Policy policy, boolean explain, boolean checkpointing) {
        long[] seqs = source.contractorSeqs(id);
        int n = 0;
        while (n < seqs.length && seqs[n] <= seq) {
            n++;
        }
        Entry.KindAndBody[] entries = new Entry.KindAndBody[n];
        Map<Long, Long> voided = new HashMap<>();
        for (int i = 0; i < n; i++) {
            entries[i] = source.kindAndBody(seqs[i]);
            if (entries[i].body() instanceof DisputeResolved d) {
                if (d.resolution() == DisputeResolved.Resolution.UPHELD) {
                    voided.put(d.targetSeq(), seqs[i]);
                } else {
                    voided.remove(d.targetSeq());
                }
            }
        }
        ContractorState state = new ContractorState(id, policy, voided, explain, checkpointing);
        for (int i = 0; i < n; i++) {
            state.apply(seqs[i], entries[i].kind(), entries[i].body());
        }
        return state;
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Writes the statistics to {@code out}: the applied size, the leaf hash of the last applied
     * entry (to recognise the same log on reading), the policies' seqs, then every contractor.
     * Entries are referred to by seq, not copied. Appends wait while it writes.
     */
    public void writeSnapshot(OutputStream out) throws IOException {
        lock.readLock().lock();
        try {
            DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
            data.writeInt(SNAPSHOT_MAGIC);
            data.writeInt(SNAPSHOT_FORMAT);
            data.writeLong(applied);
            data.write(lastLeafHash(source, applied));
            data.writeInt(policies.size());
            for (Policy p : policies) {
                data.writeLong(p.seq());
            }
            data.writeInt(contractors.size());
            for (ContractorState state : contractors.values()) {
                state.writeTo(data);
            }
            data.flush();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * An index over {@code source} from a snapshot {@link #writeSnapshot} wrote, or empty when the
     * snapshot is of another format or of another log (more entries than the source holds, or a
     * different entry at its last seq). Call {@link #catchUp} next to apply what came after it.
     *
     * @throws IOException if the snapshot cannot be read or is truncated
     */
    public static Optional<ReputationIndex> fromSnapshot(InputStream in, EntrySource source, Clock clock)
            throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        if (data.readInt() != SNAPSHOT_MAGIC || data.readInt() != SNAPSHOT_FORMAT) {
            return Optional.empty();
        }
        long applied = data.readLong();
        byte[] leafHash = data.readNBytes(32);
        if (applied > source.size() || !MessageDigest.isEqual(leafHash, lastLeafHash(source, applied))) {
            return Optional.empty();
        }
        ReputationIndex index = new ReputationIndex(source, clock);
        index.applied = applied;
        index.restoredFrom = applied;
        int policyCount = data.readInt();
        for (int i = 0; i < policyCount; i++) {
            long seq = data.readLong();
            Policy p = Policy.from(seq, (PolicyPublished) source.entry(seq).decodeBody());
            index.policies.add(p);
            index.policy = p;
        }
        int contractorCount = data.readInt();
        for (int i = 0; i < contractorCount; i++) {
            ContractorState state = ContractorState.readFrom(data, index.policy, source);
            index.contractors.put(state.id, state);
            for (String skill : state.skills.codes()) {
                index.rankings.computeIfAbsent(skill, SkillRanking::new).members.add(state.id);
            }
        }
        return Optional.of(index);
    }

    private static byte[] lastLeafHash(EntrySource source, long size) {
        return size == 0 ? new byte[32] : Rfc9162.leafHash(source.entry(size - 1).canonicalBytes());
    }

    /** The applied size this index was restored from a snapshot at, or -1 if it was not. */
    public long restoredFrom() {
        return restoredFrom;
    }

    // ---------------------------------------------------------------- reads

    /** Number of entries applied: the scores include seqs 0 to appliedSize() - 1. */
    public long appliedSize() {
        return applied;
    }

    /** The policy in force now. */
    public Policy policy() {
        lock.readLock().lock();
        try {
            return policy;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The time current scores are evaluated at: the start of the current UTC hour. */
    public Instant evaluationTime() {
        long now = clock.millis();
        return Instant.ofEpochMilli(Math.floorDiv(now, EVALUATION_PERIOD_MILLIS) * EVALUATION_PERIOD_MILLIS);
    }

    /** {@code contractor}'s current reputation, or empty when the log holds nothing about them. */
    public Optional<Reputation> lookup(String contractor) {
        return withCurrent(contractor, (state, r) -> {
            // Lookups between two appends ask for the same log size: the answer made for the first serves them.
            ContractorState.LookedUp last = state.lookedUp;
            long seq = applied - 1;
            if (last != null && last.basis() == r && last.answer().asOfSeq() == seq) {
                return last.answer();
            }
            Reputation answer = new Reputation(r.contractor(), r.policyId(), seq, r.evaluatedAt(), r.status(),
                    r.overall(), r.skills(), r.credentials(), r.explanation());
            state.lookedUp = new ContractorState.LookedUp(r, answer);
            return answer;
        });
    }

    /**
     * {@link #lookup} as the JSON document {@link ReputationJson#of} makes of it (with an empty
     * explanation), without building it per call: a contractor's document is made once per
     * change of their state or of the evaluation hour, and each call only writes in the log size.
     * Calls at the same log size share the array: send it, do not change it.
     */
    public Optional<byte[]> lookupJson(String contractor) {
        return withCurrent(contractor, (state, r) -> {
            ReputationJson.Document d = state.document;
            if (d == null || d.basis() != r) {
                d = ReputationJson.document(r);
                state.document = d;
            }
            return d.asOf(applied - 1);
        });
    }

    /** {@code view} of the contractor's state and its current reputation, under the read lock. */
    private <T> Optional<T> withCurrent(String contractor,
                                        java.util.function.BiFunction<ContractorState, Reputation, T> view) {
        Instant time = evaluationTime();
        lock.readLock().lock();
        try {
            ContractorState state = contractors.get(contractor);
            return state == null ? Optional.empty() : Optional.of(view.apply(state, current(state, time)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The state's view at {@code time}, from its cache when that is still current. */
    private static Reputation current(ContractorState state, Instant time) {
        Reputation r = state.cached;
        if (r == null || !r.evaluatedAt().equals(time)) {
            r = state.view(time, 0, -1);
            state.cached = r;
        }
        return r;
    }

    /** The current reputation with its explanation, rebuilt from the contractor's entries. */
    public Optional<Reputation> explain(String contractor) {
        Instant time = evaluationTime();
        lock.readLock().lock();
        try {
            if (!contractors.containsKey(contractor)) {
                return Optional.empty();
            }
            return Optional.of(rebuild(contractor, applied - 1, policy, true)
                    .view(time, EXPLANATION_LIMIT, applied - 1));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The reputation routing would have seen right after {@code seq}: the contractor's entries up
     * to {@code seq}, the policy in force at {@code seq}, evaluated at that entry's {@code ts}.
     *
     * @throws IllegalArgumentException unless 0 <= seq < appliedSize()
     */
    public Optional<Reputation> asOfSeq(String contractor, long seq, boolean explain) {
        lock.readLock().lock();
        try {
            if (seq < 0 || seq >= applied) {
                throw new IllegalArgumentException("as_of_seq must be from 0 to " + (applied - 1) + ", was " + seq);
            }
            return asOf(contractor, seq, source.entry(seq).ts(), explain);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The reputation at {@code time}: the entries the ledger had accepted by then ({@code ts <=
     * time}), evaluated at {@code time}. Empty if the log held nothing about them then.
     */
    public Optional<Reputation> asOfTime(String contractor, Instant time, boolean explain) {
        lock.readLock().lock();
        try {
            // ts never decreases along the log: binary search for the last entry at or before time.
            long lo = 0;
            long hi = applied;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (source.entry(mid).ts().isAfter(time)) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo == 0 ? Optional.empty() : asOf(contractor, lo - 1, time, explain);
        } finally {
            lock.readLock().unlock();
        }
    }

    private Optional<Reputation> asOf(String contractor, long seq, Instant time, boolean explain) {
        ContractorState state = rebuild(contractor, seq, policyAt(seq), explain);
        if (state.lastSeq < 0) {
            return Optional.empty();
        }
        return Optional.of(state.view(time, explain ? EXPLANATION_LIMIT : 0, seq));
    }

    private Policy policyAt(long seq) {
        Policy p = Policy.DEFAULT;
        for (Policy candidate : policies) {
            if (candidate.seq() <= seq) {
                p = candidate;
            }
        }
        return p;
    }

    /**
     * Builds every skill's ranking for evaluation time {@code time} ahead of it, so that no query
     * has to when it comes: call it shortly before each hour begins, with the hour's start (or
     * after, with the current evaluation time). Works in chunks of {@value #PREPARE_CHUNK}
     * contractors under the read lock, so appends wait for one chunk at most; a contractor
     * updated meanwhile is re-ranked at the end. One caller at a time.
     */
    public synchronized void prepareRankings(Instant time) {
        List<SkillRanking> all;
        lock.writeLock().lock();
        try {
            // A contractor waiting to be ranked may bring a skill no ranking has yet.
            rankChangedNow();
            all = List.copyOf(rankings.values());
        } finally {
            lock.writeLock().unlock();
        }
        for (SkillRanking ranking : all) {
            SkillRanking.Keys target;
            List<String> ids;
            lock.writeLock().lock();
            try {
                rankChangedNow();
                target = ranking.startBuilding(time);
                ids = target == null ? List.of() : ranking.membersToBuild();
            } finally {
                lock.writeLock().unlock();
            }
            if (target == null) {
                continue;
            }
            boolean going = true;
            for (int from = 0; going && from < ids.size(); from += PREPARE_CHUNK) {
                lock.readLock().lock();
                try {
                    going = ranking.buildChunk(target, ids.subList(from, Math.min(ids.size(), from + PREPARE_CHUNK)),
                            contractors::get);
                } finally {
                    lock.readLock().unlock();
                }
            }
            lock.writeLock().lock();
            try {
                // Contractors changed between chunks: ranked now, into the dirty set the finish re-ranks,
                // rather than into the finished keys at the next flush; either gives the same keys.
                rankChangedNow();
                ranking.finishBuilding(target, contractors::get);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** The evaluation time after the current one. */
    public Instant nextEvaluationTime() {
        return evaluationTime().plusMillis(EVALUATION_PERIOD_MILLIS);
    }

    /**
     * The best {@code q.limit()} active contractors in {@code q.skill()} that pass its filters, best
     * first by lower bound or by score; ties go to the smaller contractor id.
     */
    public List<TopQuery.Ranked> top(TopQuery q) {
        lockRankingsForReading(q.skill());
        Instant time = evaluationTime();
        try {
            SkillRanking ranking = rankings.get(q.skill());
            if (ranking == null) {
                return List.of();
            }
            // Rebuilt here, under the read lock, when the evaluation time has moved on.
            SkillRanking.Keys keys = ranking.keysAt(time, contractors::get);
            List<TopQuery.Ranked> result = new ArrayList<>(Math.min(q.limit(), 1024));
            boolean byLower = q.rankBy() == TopQuery.RankBy.LOWER;
            for (SkillRanking.Ranked s : byLower ? keys.byLower : ranking.byScore(keys)) {
                if (byLower && s.lower() < q.minLower()) {
                    break;
                }
                if (s.lower() < q.minLower() || s.nEff() < q.minNEff()) {
                    continue;
                }
                if (q.credential().isPresent()
                        && !contractors.get(s.contractor).hasValidCredential(q.credential().get(), time)) {
                    continue;
                }
                result.add(new TopQuery.Ranked(s.contractor, s.complete()));
                if (result.size() == q.limit()) {
                    break;
                }
            }
            return result;
        } finally {
            lock.readLock().unlock();
        }
    }
}
