package dev.trackrecord.api.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The topics a node reads and writes, and their creation when missing. */
public final class Topics {
    /** Entries to append, JSON as {@code POST /v1/entries} takes, keyed by contractor. */
    public static final String EVENTS = "ledger.events";
    /** Messages of {@link #EVENTS} that could not be appended, with the reason in headers. */
    public static final String EVENTS_DLQ = "ledger.events.dlq";
    /** Compacted: the newest change per contractor, keyed by contractor. */
    public static final String REPUTATION_CHANGES = "reputation.changes";
    /** Each signed checkpoint, keyed by origin. */
    public static final String CHECKPOINTS = "ledger.checkpoints";

    /** Header naming why a message went to the dead-letter topic. */
    public static final String ERROR_HEADER = "trackrecord.error";
    public static final String TOPIC_HEADER = "trackrecord.topic";
    public static final String PARTITION_HEADER = "trackrecord.partition";
    public static final String OFFSET_HEADER = "trackrecord.offset";

    private Topics() {
    }

    /**
     * Creates the topics that do not exist yet: {@code ledger.events} with {@code eventPartitions}
     * partitions, the others with the broker's default partition count; every one with the
     * broker's default replication factor ({@code default.replication.factor}).
     */
    static void createMissing(Admin admin, int eventPartitions) throws InterruptedException {
        List<NewTopic> wanted = List.of(
                new NewTopic(EVENTS, Optional.of(eventPartitions), Optional.empty()),
                new NewTopic(EVENTS_DLQ, Optional.empty(), Optional.empty()),
                new NewTopic(REPUTATION_CHANGES, Optional.empty(), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(CHECKPOINTS, Optional.empty(), Optional.empty()));
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            for (var f : admin.createTopics(missing).values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the Kafka topics: " + e.getMessage(), e);
        }
    }
}
