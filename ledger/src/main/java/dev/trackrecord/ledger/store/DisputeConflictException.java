package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.DisputeRules;
import dev.trackrecord.ledger.entry.Violation;
import java.util.List;

/**
 * A dispute in an append breaks one of {@link DisputeRules}: it names an entry the log does not
 * hold yet, another contractor's entry or a dispute, or a dispute that is not open. The request
 * is refused as a whole.
 */
public final class DisputeConflictException extends LogConflictException {
    private final List<Violation> violations;

    /**
     * @param violations every broken rule, at least one, with paths as in the append request:
     *                   {@code $.body.dispute_seq} for a single submission,
     *                   {@code $.entries[3].body.dispute_seq} in a batch of several
     */
    public DisputeConflictException(List<Violation> violations) {
        super(message(violations));
        this.violations = List.copyOf(violations);
    }

    private static String message(List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a refused dispute needs at least one violation");
        }
        StringBuilder sb = new StringBuilder();
        for (Violation v : violations) {
            sb.append(sb.isEmpty() ? "" : "; ").append(v);
        }
        return sb.toString();
    }

    /** Every broken rule, in request order; never empty. */
    public List<Violation> violations() {
        return violations;
    }
}
