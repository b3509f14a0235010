package dev.trackrecord.api.kafka;

/**
 * This node stopped applying a shard at a record whose admission rules it does not implement
 * ({@link dev.trackrecord.ledger.entry.AdmissionRules}); it applies nothing more to the shard
 * until it runs a version that does. A request already produced stays in the topic and is applied
 * then; resending it later is safe (appends are idempotent by event_id).
 */
public final class ShardHaltedException extends RuntimeException {
    private final int shard;

    private ShardHaltedException(int shard, String detail) {
        super(detail);
        this.shard = shard;
    }

    /** For a request refused before it was produced: it is in no topic, and nothing of it will be applied. */
    public static ShardHaltedException notProduced(int shard, String why) {
        return new ShardHaltedException(shard, why + "; this request was not produced, so resend it once the shard"
                + " is applied again");
    }

    /**
     * For a request produced at {@code offset} of the shard's partition before the shard stopped:
     * it is not appended yet, but it is in the topic and is appended when a node that implements
     * the rules applies the shard, so its caller must not take the answer for a refusal.
     */
    public static ShardHaltedException produced(int shard, long offset, String why) {
        return new ShardHaltedException(shard, why + "; this request was produced at offset " + offset
                + " and is appended when a node that implements those rules applies the shard (resending it with"
                + " the same event_id is safe: it is appended once)");
    }

    /** The shard that stopped. */
    public int shard() {
        return shard;
    }
}
