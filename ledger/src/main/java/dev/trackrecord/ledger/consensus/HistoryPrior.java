package dev.trackrecord.ledger.consensus;

import dev.trackrecord.ledger.entry.AuditResult;
import java.util.Optional;

/**
 * A contractor's accuracy prior for one skill, built from their earlier {@code audit.result}
 * entries (docs/consensus.md, "Priors from history"). An audit of {@code n} items at score
 * {@code s} counts as {@code w·n·s} correct and {@code w·n·(1 − s)} wrong labels, with
 * {@code w} = {@link #GOLD_WEIGHT} for gold audits and {@link #CONSENSUS_WEIGHT} for consensus
 * audits (lower, since those came from this same estimator and would otherwise echo
 * themselves). Review and model audits, and audits of other skills, do not count. The total
 * is capped at {@link #MAX_LABELS} pseudo-labels so that a long history cannot outweigh what a
 * batch shows.
 */
public final class HistoryPrior {
    /** Discount of a gold audit's items. */
    public static final double GOLD_WEIGHT = 0.3;
    /** Discount of an earlier consensus audit's items. */
    public static final double CONSENSUS_WEIGHT = 0.15;
    /** Most labels a history prior is worth, whatever the history. */
    public static final double MAX_LABELS = 50;

    private double correct;
    private double wrong;

    private HistoryPrior() {
    }

    /** The prior from these audits for {@code skill}, or empty when none of them counts. */
    public static Optional<Prior> of(Iterable<AuditResult> audits, String skill) {
        HistoryPrior h = new HistoryPrior();
        for (AuditResult audit : audits) {
            h.add(audit, skill);
        }
        return h.prior();
    }

    private void add(AuditResult audit, String skill) {
        double w = switch (audit.method()) {
            case GOLD -> GOLD_WEIGHT;
            case CONSENSUS -> CONSENSUS_WEIGHT;
            case REVIEW, MODEL -> 0;
        };
        if (w == 0 || !audit.skills().contains(skill)) {
            return;
        }
        double n = w * audit.items().orElse(1);
        double s = audit.scoreBp() / 10_000.0;
        correct += n * s;
        wrong += n * (1 - s);
    }

    private Optional<Prior> prior() {
        double total = correct + wrong;
        if (total <= 0) {
            return Optional.empty();
        }
        double scale = Math.min(1, MAX_LABELS / total);
        return Optional.of(new Prior(correct * scale, wrong * scale));
    }
}
