package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.ContractorStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * {@link #rebuild} runs under its read lock (so no update runs meanwhile), one thread at a time
 * per ranking, and publishes the new keys through a volatile field, so readers that hold the old
 * keys finish on them undisturbed.
 */
final class SkillRanking {
    static final long STALE = Long.MIN_VALUE;

    /** Orders best first: higher value, then contractor id for a deterministic tie-break. */
    record Key(double value, String contractor) {
    }

    private static final Comparator<Key> BEST_FIRST = Comparator.comparingDouble((Key k) -> -k.value())
            .thenComparing(Key::contractor);

    /** The ranked contractors' scores at {@code evaluatedAt}, in both orders. */
    static final class Keys {
        final long evaluatedAt;
        final Map<String, Score> scores = new HashMap<>();
        final TreeSet<Key> byLower = new TreeSet<>(BEST_FIRST);
        final TreeSet<Key> byScore = new TreeSet<>(BEST_FIRST);

        Keys(long evaluatedAt) {
            this.evaluatedAt = evaluatedAt;
        }

        void remove(String contractor) {
            Score old = scores.remove(contractor);
            if (old != null) {
                byLower.remove(new Key(old.lower(), contractor));
                byScore.remove(new Key(old.score(), contractor));
            }
        }

        void put(String contractor, Score s) {
            scores.put(contractor, s);
            byLower.add(new Key(s.lower(), contractor));
            byScore.add(new Key(s.score(), contractor));
        }
    }

    final String skill;
    /** Every contractor with statistics in the skill, active or not. */
    final Set<String> members = new HashSet<>();
    private volatile Keys keys = new Keys(STALE);

    SkillRanking(String skill) {
        this.skill = skill;
    }

    /** The current keys, possibly stale. */
    Keys keys() {
        return keys;
    }

    /** Makes the ranking stale, so the next query rebuilds it. */
    void invalidate() {
        keys = new Keys(STALE);
    }

    /** Brings {@code state} up to date: ranked if active and scored in the skill, else not. */
    void update(ContractorState state, Instant time) {
        Keys k = keys;
        k.remove(state.id);
        if (!state.skills.containsKey(skill)) {
            members.remove(state.id);
            return;
        }
        members.add(state.id);
        if (k.evaluatedAt == time.toEpochMilli() && state.status == ContractorStatus.Status.ACTIVE) {
            k.put(state.id, state.skillScore(skill, time));
        }
    }

    /** The keys at {@code time}, rebuilt if they are for another time. */
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
            Keys fresh = new Keys(time.toEpochMilli());
            for (String id : members) {
                ContractorState state = states.apply(id);
                if (state.status == ContractorStatus.Status.ACTIVE) {
                    fresh.put(id, state.skillScore(skill, time));
                }
            }
            keys = fresh;
            return fresh;
        }
    }
}
