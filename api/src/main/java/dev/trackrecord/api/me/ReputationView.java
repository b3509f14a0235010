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

    /** The view used until a reputation engine is wired in. */
    static ReputationView unavailable() {
        return contractor -> Optional.empty();
    }
}
