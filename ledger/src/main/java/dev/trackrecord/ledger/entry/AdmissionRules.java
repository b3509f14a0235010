package dev.trackrecord.ledger.entry;

/**
 * The version of the rules that decide what a log admits: the JSON Schemas of {@code schemas/json/},
 * the checks of {@link SubmissionValidator} and {@link DisputeRules}, and idempotency on
 * {@code event_id}.
 *
 * <p>In the sharded mode every node applies each record of the sequencing topic through its own
 * copy of these rules, so nodes derive the same shard only while they apply the same rules to the
 * same record. Each record therefore names the version its producer ran, and a node applies only
 * records of a version it implements; on any other it stops that shard rather than decide the
 * record differently from the nodes that do implement it.
 *
 * <p>The version travels as a decimal integer (header {@code trackrecord.rules}) in every version
 * to come: a node dead-letters a record whose header is not one, and must be able to rely on that
 * verdict being every node's.
 *
 * <p>Raise {@link #VERSION} with any change that admits what an earlier version refused or
 * refuses what it admitted, and keep the earlier behaviour reachable for records that name it
 * (extend {@link #implemented}); a change that only words a message differently needs no new
 * version.
 */
public final class AdmissionRules {
    /** The version this code applies to what it appends, and names on what it produces. */
    public static final int VERSION = 1;

    private AdmissionRules() {
    }

    /** Whether this code applies records of {@code version} exactly as the nodes that wrote them do. */
    public static boolean implemented(int version) {
        return version == VERSION;
    }
}
