package dev.trackrecord.ledger.reputation;

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
 * at one evaluation time ({@link #evaluatedAt}). A contractor's keys are replaced when their
 * statistics change; when the evaluation time moves on (hourly), the whole ranking is rebuilt on
 * the next query, since decay moves every key. A top-k walk starts at the best and stops after k
 * matches, O(k log n) without filters.
 */
final class SkillRanking {
    static final long STALE = Long.MIN_VALUE;

    /** Orders best first: higher value, then contractor id for a deterministic tie-break. */
    record Key(double value, String contractor) {
    }

    private static final Comparator<Key> BEST_FIRST = Comparator.comparingDouble((Key k) -> -k.value())
            .thenComparing(Key::contractor);

    final String skill;
    /** Every contractor with statistics in the skill, active or not. */
    final Set<String> members = new HashSet<>();
    final Map<String, Score> scores = new HashMap<>();
    final TreeSet<Key> byLower = new TreeSet<>(BEST_FIRST);
    final TreeSet<Key> byScore = new TreeSet<>(BEST_FIRST);
    long evaluatedAt = STALE;

    SkillRanking(String skill) {
        this.skill = skill;
    }

    void remove(String contractor) {
        Score old = scores.remove(contractor);
        if (old != null) {
            byLower.remove(new Key(old.lower(), contractor));
            byScore.remove(new Key(old.score(), contractor));
        }
    }

    /** Brings {@code state} up to date: ranked if active and scored in the skill, else not. */
    void update(ContractorState state, Instant time) {
        remove(state.id);
        if (!state.skills.containsKey(skill)) {
            members.remove(state.id);
            return;
        }
        members.add(state.id);
        if (evaluatedAt != time.toEpochMilli() || state.status != dev.trackrecord.ledger.entry.ContractorStatus.Status.ACTIVE) {
            return;
        }
        Score s = state.skillScore(skill, time);
        scores.put(state.id, s);
        byLower.add(new Key(s.lower(), state.id));
        byScore.add(new Key(s.score(), state.id));
    }

    void rebuild(Instant time, Function<String, ContractorState> states) {
        scores.clear();
        byLower.clear();
        byScore.clear();
        evaluatedAt = time.toEpochMilli();
        for (String id : Set.copyOf(members)) {
            update(states.apply(id), time);
        }
    }
}
