package dev.trackrecord.api.me;

import java.util.Optional;

/**
 * One contractor's reputation with its explanation, as the JSON the reputation engine answers
 * for {@code GET /v1/contractors/{id}/reputation}. {@code /v1/me/reputation} delegates here so
 * it can be wired to whatever engine the service runs.
 */
@FunctionalInterface
public interface ReputationView {
    /** The reputation document, or empty when no engine is available (answered as 503). */
    Optional<byte[]> reputation(String contractor) throws Exception;

    /**
     * The contractor's overall score after each of their scored entries, as
     * {@code {"contractor","points":[{"seq","occurred_at","score","lower","upper","n_eff"}]}}, or
     * empty when the engine cannot say.
     */
    default Optional<byte[]> history(String contractor) throws Exception {
        return Optional.empty();
    }

    /** The view used until a reputation engine is wired in. */
    static ReputationView unavailable() {
        return contractor -> Optional.empty();
    }
}
