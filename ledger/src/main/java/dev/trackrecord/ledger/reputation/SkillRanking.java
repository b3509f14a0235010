package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.ContractorStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The active contractors of one skill in two orders, by lower bound and by score, both evaluated
 * at one evaluation time. A contractor's keys are replaced when their statistics change; when the
 * evaluation time moves on (hourly), decay has moved every key and the ranking is rebuilt into a
 * new {@link Keys} that replaces the old one in one step. A top-k walk starts at the best and
 * stops after k matches, O(k log n) without filters.
 *
 * <p>Threads: {@link #update} and {@link #members} change only under the index's write lock;
 * a rebuild in {@link #keysAt} runs under its read lock (so no update runs meanwhile), one thread
 * at a time per ranking, and publishes the new keys through a volatile field, so readers that
 * hold the old keys finish on them undisturbed. Keys prepared ahead ({@link #startBuilding},
 * {@link #buildChunk}, {@link #finishBuilding}) are built in chunks under the read lock, and
 * the contractors updated between chunks are re-ranked at the end under the write lock.
 */
final class SkillRanking {
    static final long STALE = Long.MIN_VALUE;

    /** By lower bound, best first: higher first, then the smaller contractor id, a deterministic tie-break. */
    private static final Comparator<Ranked> BY_LOWER = (a, b) -> {
        int byValue = Double.compare(b.lower, a.lower);
        return byValue != 0 ? byValue : a.contractor.compareTo(b.contractor);
    };

    /** By score, best first, ties as {@link #BY_LOWER}. */
    private static final Comparator<Ranked> BY_SCORE = (a, b) -> {
        int byValue = Double.compare(b.score, a.score);
        return byValue != 0 ? byValue : a.contractor.compareTo(b.contractor);
    };

    /**
     * A ranked contractor's score in the skill, and its place in the orders: its band and lower
     * bound, which ranking needs; the upper bound, a second quantile, only once a top-k answer
     * returns the contractor, and kept from then until the contractor is re-keyed. Ordered by the
     * written-out comparators above: the per-update cost of ranking is mostly their comparisons.
     */
    static final class Ranked {
        final String contractor;
        private final ContractorState.Band band;
        private final double lower;
        private final double score;
        /** Made by the first query that returns it; queries may race to make the same one. */
        private volatile Score complete;

        Ranked(String contractor, ContractorState.Band band) {
            this.contractor = contractor;
            this.band = band;
            this.lower = band.lower();
            this.score = band.mean();
        }

        double lower() {
            return lower;
        }

        double score() {
            return score;
        }

        double nEff() {
            return band.nEff();
        }

        /** The same {@link Score} as a lookup of the contractor at the ranking's evaluation time. */
        Score complete() {
            Score s = complete;
            if (s == null) {
                s = new Score(score, lower, band.upper(), band.nEff());
                complete = s;
            }
            return s;
        }
    }

    /**
     * The ranked contractors' scores at {@code evaluatedAt}, by lower bound, and by score once a
     * query has asked for that order ({@link #byScore()}): until then appends keep one order, not two.
     */
    static final class Keys {
        final long evaluatedAt;
        /** Each ranked contractor's entry in the orders, to find it there when it is re-keyed. */
        private final Map<String, Ranked> ranked = new HashMap<>();
        final TreeSet<Ranked> byLower = new TreeSet<>(BY_LOWER);
        /** Null until the first query by score; then kept up to date with {@link #byLower}. */
        private volatile TreeSet<Ranked> byScore;

        Keys(long evaluatedAt) {
            this.evaluatedAt = evaluatedAt;
        }

        void remove(String contractor) {
            Ranked old = ranked.remove(contractor);
            if (old != null) {
                unlink(old);
            }
        }

        /** Ranks {@code contractor} with {@code band}, in place of the entry it had. */
        void put(String contractor, ContractorState.Band band) {
            Ranked r = new Ranked(contractor, band);
            Ranked old = ranked.put(contractor, r);
            if (old != null) {
                unlink(old);
            }
            byLower.add(r);
            TreeSet<Ranked> s = byScore;
            if (s != null) {
                s.add(r);
            }
        }

        private void unlink(Ranked old) {
            byLower.remove(old);
            TreeSet<Ranked> s = byScore;
            if (s != null) {
                s.remove(old);
            }
        }

        /**
         * The keys by score, built from {@link #byLower} by the first caller; callers hold the
         * index's read lock (so nothing changes the keys meanwhile), and two that race build the
         * same set, one of which is kept.
         */
        TreeSet<Ranked> byScore() {
            TreeSet<Ranked> s = byScore;
            if (s == null) {
                TreeSet<Ranked> built = new TreeSet<>(BY_SCORE);
                built.addAll(byLower);
                synchronized (this) {
                    s = byScore;
                    if (s == null) {
                        byScore = built;
                        s = built;
                    }
                }
            }
            return s;
        }

        /** Keeps the order by score from the first key on: called on new keys, before any. */
        void keepScoreOrder() {
            byScore = new TreeSet<>(BY_SCORE);
        }
    }

    final String skill;
    /** Every contractor with statistics in the skill, active or not. */
    final Set<String> members = new HashSet<>();
    private volatile Keys keys = new Keys(STALE);
    /**
     * Keys for a later evaluation time, built ahead of it by {@link ReputationIndex#prepareRankings}
     * and kept up to date by {@link #update} until that time comes and they replace {@link #keys}.
     */
    private volatile Keys next;
    /** Whether {@link #next} is being built; contractors updated meanwhile go to {@link #dirty}. */
    private volatile boolean building;
    private final Set<String> dirty = new HashSet<>();
    /**
     * The index's applied size when a query last re-ranked every contractor waiting in this skill
     * ({@link ReputationIndex}'s per-skill flush): while no entry is applied after that, the keys
     * are current though contractors may wait in other skills. Guarded by the index's lock.
     */
    long currentThrough = -1;
    /** Whether any query asked for the order by score: keys made from then on keep it from the start. */
    private volatile boolean scoreOrderAsked;

    SkillRanking(String skill) {
        this.skill = skill;
    }

    /** The current keys, possibly stale. */
    Keys keys() {
        return keys;
    }

    /** Makes the ranking stale, so the next query rebuilds it. Requires the write lock. */
    void invalidate() {
        keys = new Keys(STALE);
        next = null;
        building = false;
        dirty.clear();
    }

    /**
     * Whether an {@link #update} at {@code at} (epoch millis) would change more than
     * {@link #members}: whether keys are kept for {@code at} or being prepared. Keys of another time are dropped here, as
     * no query uses them again and no update keeps them. Requires the write lock.
     */
    boolean keepsKeysAt(long at) {
        if (keys.evaluatedAt != at && keys.evaluatedAt != STALE) {
            keys = new Keys(STALE);
        }
        return keys.evaluatedAt == at || next != null;
    }

    /**
     * Brings {@code state} up to date: ranked if active and scored in the skill, else not.
     * Requires the write lock.
     */
    void update(ContractorState state, Instant time) {
        if (!state.skills.contains(skill)) {
            keys.remove(state.id);
            members.remove(state.id);
        } else {
            members.add(state.id);
            rerank(state, time);
        }
        updateNext(state);
    }

    /**
     * {@link #update} for a state that is a member already: one this ranking was updated with
     * before, under the same policy, and that still has the skill (a state only gains skills).
     * Skips looking the member up again. Requires the write lock.
     */
    void updateMember(ContractorState state, Instant time) {
        rerank(state, time);
        updateNext(state);
    }

    private void rerank(ContractorState state, Instant time) {
        Keys k = keys;
        if (k.evaluatedAt == time.toEpochMilli()) {
            rank(k, state);
        } else {
            k.remove(state.id);
        }
    }

    private void updateNext(ContractorState state) {
        Keys n = next;
        if (n != null) {
            if (building) {
                dirty.add(state.id);
            } else {
                rank(n, state);
            }
        }
    }

    /** Puts {@code state} into {@code k} at its time if ranked there, else takes it out. */
    private void rank(Keys k, ContractorState state) {
        if (state.status == ContractorStatus.Status.ACTIVE && state.skills.contains(skill)) {
            k.put(state.id, state.skillBand(skill, Instant.ofEpochMilli(k.evaluatedAt)));
        } else {
            k.remove(state.id);
        }
    }

    /**
     * Starts building keys for {@code time}, unless current or next keys are for it already.
     * Requires the write lock.
     *
     * @return the keys being built, or null if there is nothing to build
     */
    Keys startBuilding(Instant time) {
        long at = time.toEpochMilli();
        if (keys.evaluatedAt == at || (next != null && next.evaluatedAt == at)) {
            return null;
        }
        next = newKeys(at);
        building = true;
        dirty.clear();
        return next;
    }

    private Keys newKeys(long at) {
        Keys k = new Keys(at);
        if (scoreOrderAsked) {
            k.keepScoreOrder();
        }
        return k;
    }

    /** {@code k}'s keys by score, for a query that asked for that order. Requires the read lock. */
    TreeSet<Ranked> byScore(Keys k) {
        scoreOrderAsked = true;
        return k.byScore();
    }

    /** The contractors to rank into keys being built. Requires the write lock. */
    List<String> membersToBuild() {
        return List.copyOf(members);
    }

    /**
     * Ranks {@code ids} into {@code target}. Requires the read lock; one builder at a time.
     *
     * @return false if {@code target} was dropped meanwhile (a new policy): stop building it
     */
    boolean buildChunk(Keys target, List<String> ids, Function<String, ContractorState> states) {
        if (next != target || !building) {
            return false;
        }
        for (String id : ids) {
            rank(target, states.apply(id));
        }
        return true;
    }

    /** Re-ranks what changed while building; from now on {@link #update} keeps them. Requires the write lock. */
    void finishBuilding(Keys target, Function<String, ContractorState> states) {
        if (next != target || !building) {
            return;
        }
        Keys n = target;
        for (String id : dirty) {
            ContractorState state = states.apply(id);
            if (state == null) {
                n.remove(id);
            } else {
                rank(n, state);
            }
        }
        dirty.clear();
        building = false;
    }

    /**
     * The keys at {@code time}: the current ones, the prepared ones once their time has come, or
     * else rebuilt here. Requires the read lock.
     */
    Keys keysAt(Instant time, Function<String, ContractorState> states) {
        Keys k = keys;
        if (k.evaluatedAt == time.toEpochMilli()) {
            return k;
        }
        synchronized (this) {
            k = keys;
            if (k.evaluatedAt == time.toEpochMilli()) {
                return k;
            }
            Keys n = next;
            if (n != null && !building && n.evaluatedAt == time.toEpochMilli()) {
                keys = n;
                next = null;
                return n;
            }
            Keys fresh = newKeys(time.toEpochMilli());
            for (String id : members) {
                ContractorState state = states.apply(id);
                if (state.status == ContractorStatus.Status.ACTIVE) {
                    fresh.put(id, state.skillBand(skill, time));
                }
            }
            keys = fresh;
            return fresh;
        }
    }
}
