package dev.trackrecord.ledger.entry;

import dev.trackrecord.ledger.json.CanonicalJson;
import java.util.List;
import java.util.OptionalLong;

/**
 * The rules a dispute must keep with the entries before it, which {@link SubmissionValidator}
 * cannot check because it does not see the log. The ledger's writer applies them to every new
 * entry, whichever way it arrives; entries already in a log are never judged by them again.
 *
 * <ul>
 *   <li>{@code dispute.opened}: {@code target_seq} names an entry already in the log, of the same
 *       contractor (so never a {@code policy.published}), and not itself a dispute entry.</li>
 *   <li>{@code dispute.resolved}: {@code dispute_seq} names a {@code dispute.opened} already in the
 *       log, of the same contractor, that no resolution has closed yet (a dispute is resolved
 *       once); {@code target_seq} is that dispute's target.</li>
 * </ul>
 *
 * <p>Several disputes of one entry may follow each other; the last resolution counts
 * (docs/reputation.md).
 */
public final class DisputeRules {

    /** What the rules read about the log the checked entry would be appended to. */
    public interface History {
        /** The entry at {@code seq}; requires 0 <= seq < the checked entry's seq. */
        Logged entry(long seq);

        /**
         * The seq of a {@code dispute.resolved} of {@code contractor} naming the dispute at
         * {@code disputeSeq}, if the log holds one.
         */
        OptionalLong resolutionOf(long disputeSeq, String contractor);
    }

    /** The parts of a logged entry the rules read. */
    public record Logged(EntryKind kind, String contractor, EntryBody body) {
    }

    private DisputeRules() {
    }

    /** Whether entries of {@code kind} are disputes, the entries these rules judge. */
    public static boolean isDispute(EntryKind kind) {
        return kind == EntryKind.DISPUTE_OPENED || kind == EntryKind.DISPUTE_RESOLVED;
    }

    /**
     * The rules {@code s} breaks if appended at {@code seq} after the entries of {@code log}.
     *
     * @param path the JSONPath of the submission in its request, e.g. {@code $} or {@code $.entries[3]}
     * @return the violations, at most one; empty for an entry that is not a dispute
     */
    public static List<Violation> check(Submission s, long seq, History log, String path) {
        String bodyPath = CanonicalJson.childPath(path, "body");
        return switch (s.body()) {
            case DisputeOpened d -> opened(d, s.contractor(), seq, log, bodyPath);
            case DisputeResolved r -> resolved(r, s.contractor(), seq, log, bodyPath);
            default -> List.of();
        };
    }

    private static List<Violation> opened(DisputeOpened d, String contractor, long seq, History log,
                                          String bodyPath) {
        String at = CanonicalJson.childPath(bodyPath, "target_seq");
        long target = d.targetSeq();
        if (target >= seq) {
            return violation(at, notYet(target, seq, "a dispute follows the entry it disputes"));
        }
        Logged t = log.entry(target);
        if (!t.contractor().equals(contractor)) {
            return violation(at, "entry " + target + " (" + t.kind() + ") is about contractor " + t.contractor()
                    + "; a dispute names one of its own contractor's entries (" + contractor + ")");
        }
        if (isDispute(t.kind())) {
            return violation(at, "entry " + target + " (" + t.kind() + ") is itself a dispute; dispute the entry it"
                    + " is about instead");
        }
        return List.of();
    }

    private static List<Violation> resolved(DisputeResolved r, String contractor, long seq, History log,
                                            String bodyPath) {
        String at = CanonicalJson.childPath(bodyPath, "dispute_seq");
        long disputeSeq = r.disputeSeq();
        if (disputeSeq >= seq) {
            return violation(at, notYet(disputeSeq, seq, "a resolution follows the dispute it resolves"));
        }
        Logged d = log.entry(disputeSeq);
        if (d.kind() != EntryKind.DISPUTE_OPENED) {
            return violation(at, "entry " + disputeSeq + " (" + d.kind() + ") is not a dispute.opened");
        }
        if (!d.contractor().equals(contractor)) {
            return violation(at, "entry " + disputeSeq + " is a dispute of contractor " + d.contractor()
                    + "; its resolution is recorded on the same contractor, not " + contractor);
        }
        long target = ((DisputeOpened) d.body()).targetSeq();
        if (r.targetSeq() != target) {
            return violation(CanonicalJson.childPath(bodyPath, "target_seq"), "must be " + target
                    + ", the target_seq of the dispute at " + disputeSeq);
        }
        OptionalLong by = log.resolutionOf(disputeSeq, contractor);
        if (by.isPresent()) {
            return violation(at, "the dispute at " + disputeSeq + " was resolved already, by entry " + by.getAsLong()
                    + "; a dispute is resolved once (open a new dispute of entry " + target + " to revisit it)");
        }
        return List.of();
    }

    private static String notYet(long named, long seq, String rule) {
        return "names entry " + named + ", which the log does not hold yet (this entry would be " + seq + "); "
                + rule;
    }

    private static List<Violation> violation(String path, String rule) {
        return List.of(new Violation(path, rule));
    }
}
