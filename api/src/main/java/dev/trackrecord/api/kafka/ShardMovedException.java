package dev.trackrecord.api.kafka;

/**
 * This node does not (or no longer) apply the shard a request needs: the consumer group gave it to
 * another node, or a rebalance is under way. Resending the request is safe (appends are
 * idempotent by event_id) and reaches the new owner.
 */
public final class ShardMovedException extends RuntimeException {
    private final int shard;

    public ShardMovedException(int shard, String detail) {
        super("shard " + shard + " " + detail);
        this.shard = shard;
    }

    /** The shard that moved. */
    public int shard() {
        return shard;
    }
}
