package dev.trackrecord.api.kafka;

import java.util.Map;

/** Told which contractors an applied batch touched, after the batch is durable. */
public interface ChangePublisher {
    /**
     * @param latestSeqs for each contractor with an entry in the batch, the highest seq among
     *                   them (duplicates resent to the log count with their original seq)
     */
    void changed(Map<String, Long> latestSeqs);

    /** Blocks until everything passed to {@link #changed} is acknowledged by the broker. */
    void flush();
}
