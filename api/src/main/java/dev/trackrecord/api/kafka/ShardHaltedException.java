package dev.trackrecord.api.kafka;

/**
 * This node stopped applying a shard at a record whose admission rules it does not implement
 * ({@link dev.trackrecord.ledger.entry.AdmissionRules}); it applies nothing more to the shard
 * until it runs a version that does. A request already produced stays in the topic and is applied
 * then; resending it later is safe (appends are idempotent by event_id).
 */
public final class ShardHaltedException extends RuntimeException {
    private final int shard;

    public ShardHaltedException(int shard, String detail) {
        super(detail);
        this.shard = shard;
    }

    /** The shard that stopped. */
    public int shard() {
        return shard;
    }
}
