package dev.trackrecord.api.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Producers, readers and waits the Kafka tests share. */
final class KafkaTestClients {
    private KafkaTestClients() {
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(KafkaBridge.producerConfig(bootstrap));
    }

    /** Sends {@code value} (null for none) keyed by {@code key} to partition 0 and waits for the ack. */
    static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, 0, bytes(key), value == null ? null : bytes(value))).get();
    }

    /** Every record of {@code topic} from the start, read until {@code count} arrived or {@code timeout}. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int count, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits up to {@code timeout} for {@code condition}; returns whether it came true. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    /** A valid audit.result submission, as {@code POST /v1/entries} takes it. */
    static String audit(String contractor, String eventId, int scoreBp) {
        return """
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{\
                "occurred_at":"2026-03-15T10:00:00Z","audit_id":"audit-5512","task_id":"task-88121",\
                "method":"gold","auditor":"qa-service","verdict":"pass","score_bp":%d,"error_tags":[],\
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"""
                .formatted(contractor, eventId, scoreBp);
    }

}
