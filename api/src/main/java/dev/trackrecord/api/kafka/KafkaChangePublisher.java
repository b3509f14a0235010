package dev.trackrecord.api.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends one record per changed contractor to the compacted {@code reputation.changes} topic,
 * keyed by contractor: {@code {"contractor":"c-1","origin":"...","seq":41}}, where {@code seq}
 * is the contractor's newest entry in the batch. Compaction keeps the newest per contractor.
 */
final class KafkaChangePublisher implements ChangePublisher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Producer<byte[], byte[]> producer;
    private final String origin;

    KafkaChangePublisher(Producer<byte[], byte[]> producer, String origin) {
        this.producer = producer;
        this.origin = origin;
    }

    @Override
    public void changed(Map<String, Long> latestSeqs) {
        latestSeqs.forEach((contractor, seq) -> {
            ObjectNode value = JSON.createObjectNode().put("contractor", contractor).put("origin", origin)
                    .put("seq", seq);
            producer.send(new ProducerRecord<>(Topics.REPUTATION_CHANGES,
                    contractor.getBytes(StandardCharsets.UTF_8), value.toString().getBytes(StandardCharsets.UTF_8)));
        });
    }

    @Override
    public void flush() {
        producer.flush();
    }
}
