package dev.trackrecord.ledger.entry;

import java.util.List;

/** A submission that breaks the ledger's rules, with every violation found. */
public final class EntryRejectedException extends Exception {
    private final List<Violation> violations;

    /** Requires at least one violation. */
    public EntryRejectedException(List<Violation> violations) {
        super(message(violations));
        this.violations = List.copyOf(violations);
    }

    /** Every violation, in the order found; never empty. */
    public List<Violation> violations() {
        return violations;
    }

    private static String message(List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a rejection needs at least one violation");
        }
        if (violations.size() == 1) {
            return "rejected: " + violations.getFirst();
        }
        StringBuilder sb = new StringBuilder("rejected, ").append(violations.size()).append(" violations:");
        for (Violation violation : violations) {
            sb.append("\n  ").append(violation);
        }
        return sb.toString();
    }
}
