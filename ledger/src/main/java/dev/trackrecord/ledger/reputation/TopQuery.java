package dev.trackrecord.ledger.reputation;

import java.util.Objects;
import java.util.Optional;

/**
 * A routing query: the best {@code limit} active contractors in {@code skill}.
 *
 * @param minLower   only contractors whose lower bound in the skill is at least this
 * @param minNEff    only contractors with at least this effective sample size in the skill
 * @param credential only contractors holding a credential of this type, valid at evaluation time
 * @param rankBy     the order: by lower bound (conservative, the default) or by score
 */
public record TopQuery(String skill, int limit, double minLower, double minNEff, Optional<String> credential,
                       RankBy rankBy) {

    public TopQuery {
        Objects.requireNonNull(skill, "skill");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(rankBy, "rankBy");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    /** The best {@code limit} in {@code skill} by lower bound, without filters. */
    public static TopQuery of(String skill, int limit) {
        return new TopQuery(skill, limit, 0, 0, Optional.empty(), RankBy.LOWER);
    }

    public enum RankBy {
        LOWER, SCORE
    }

    /** One contractor in a top-k answer. */
    public record Ranked(String contractor, Score score) {
    }
}
