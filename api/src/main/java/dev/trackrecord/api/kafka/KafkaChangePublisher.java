package dev.trackrecord.api.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.reputation.Reputation;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.ReputationJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends one record per changed contractor to the compacted {@code reputation.changes} topic,
 * keyed by contractor: {@code {"contractor":"c-1","origin":"...","seq":41,"reputation":{...}}},
 * where {@code seq} is the contractor's newest entry in the batch and {@code reputation} the
 * contractor's reputation once the batch is applied, as {@code GET /v1/contractors/{id}/reputation}
 * answers it without the explanation ({@code null} for a contractor without a reputation yet).
 * Compaction keeps the newest per contractor. {@code _system} entries change no one's score and
 * are not announced.
 */
final class KafkaChangePublisher implements ChangePublisher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Producer<byte[], byte[]> producer;
    private final String origin;
    private final ReputationIndex reputation;

    KafkaChangePublisher(Producer<byte[], byte[]> producer, String origin, ReputationIndex reputation) {
        this.producer = producer;
        this.origin = origin;
        this.reputation = reputation;
    }

    @Override
    public void changed(Map<String, Long> latestSeqs) {
        reputation.catchUp();
        latestSeqs.forEach((contractor, seq) -> {
            if (!contractor.equals(SubmissionValidator.SYSTEM_CONTRACTOR)) {
                producer.send(record(origin, contractor, seq, reputation.lookup(contractor)));
            }
        });
    }

    /** The record announcing {@code contractor}'s reputation after its entry {@code seq} of {@code origin}. */
    static ProducerRecord<byte[], byte[]> record(String origin, String contractor, long seq,
                                                 Optional<Reputation> reputation) {
        ObjectNode value = JSON.createObjectNode().put("contractor", contractor).put("origin", origin)
                .put("seq", seq);
        if (reputation.isPresent()) {
            value.set("reputation", ReputationJson.of(reputation.get(), false));
        } else {
            value.putNull("reputation");
        }
        return new ProducerRecord<>(Topics.REPUTATION_CHANGES, contractor.getBytes(StandardCharsets.UTF_8),
                value.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
        producer.flush();
    }
}
