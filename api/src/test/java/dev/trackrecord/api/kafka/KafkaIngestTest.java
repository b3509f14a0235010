package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.header;
import static dev.trackrecord.api.kafka.KafkaTestClients.readAll;
import static dev.trackrecord.api.kafka.KafkaTestClients.send;
import static dev.trackrecord.api.kafka.KafkaTestClients.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.api.Settings;
import dev.trackrecord.api.TrackRecordServer;
import dev.trackrecord.ledger.note.Checkpoint;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node started with {@code --kafka} ingests, dead-letters and publishes on a real broker. */
class KafkaIngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    private static Path dataDir;
    private static TrackRecordServer server;
    private static KafkaProducer<byte[], byte[]> producer;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("trackrecord-kafka-ingest");
        server = TrackRecordServer.start(new Settings(dataDir, "127.0.0.1", 0, Settings.DEFAULT_ORIGIN,
                Duration.ofMillis(200), 4L * 1024 * 1024).withKafka(BROKER.bootstrap()));
        producer = KafkaTestClients.producer(BROKER.bootstrap());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
        KafkaBroker.deleteTree(dataDir);
    }

    @Test
    void ingest_validInvalidAndDuplicate_appendsValidOnceAndDeadLettersTheRest() throws Exception {
        long before = server.ledger().size();
        // All on partition 0, in this order: the invalid ones must not hold up the valid ones after them.
        RecordMetadata badJson = send(producer, Topics.EVENTS, "c-1", "{\"kind\": \"audit.result\",");
        RecordMetadata badScore = send(producer, Topics.EVENTS, "c-1", audit("c-1", "ingest-bad", 20_000));
        send(producer, Topics.EVENTS, "c-1", audit("c-1", "ingest-1", 7000));
        send(producer, Topics.EVENTS, "c-2", "{\"entries\":[" + audit("c-2", "ingest-2", 8000) + ","
                + audit("c-1", "ingest-3", 9000) + "]}");
        send(producer, Topics.EVENTS, "c-1", audit("c-1", "ingest-1", 7000)); // a resend: nothing new
        RecordMetadata conflict = send(producer, Topics.EVENTS, "c-1", audit("c-1", "ingest-1", 100));
        RecordMetadata empty = send(producer, Topics.EVENTS, "c-1", null);
        RecordMetadata badDispute = send(producer, Topics.EVENTS, "c-1", """
                {"kind":"dispute.opened","contractor":"c-1","event_id":"ingest-dispute","body":{
                "occurred_at":"2026-03-16T10:00:00Z","target_seq":1000000,"reason_code":"other","reason":"r"}}""");
        RecordMetadata last = send(producer, Topics.EVENTS, "c-3", audit("c-3", "ingest-4", 5000));

        assertThat(await(WAIT, () -> server.ledger().size() == before + 4)).as("4 entries appended").isTrue();

        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(BROKER.bootstrap(), Topics.EVENTS_DLQ, 5, WAIT);
        assertThat(dlq).hasSize(5);
        Map<Long, ConsumerRecord<byte[], byte[]>> byOffset = new HashMap<>();
        for (var r : dlq) {
            assertThat(header(r, Topics.TOPIC_HEADER)).isEqualTo(Topics.EVENTS);
            assertThat(header(r, Topics.PARTITION_HEADER)).isEqualTo("0");
            byOffset.put(Long.parseLong(header(r, Topics.OFFSET_HEADER)), r);
        }
        assertThat(byOffset).containsOnlyKeys(badJson.offset(), badScore.offset(), conflict.offset(), empty.offset(),
                badDispute.offset());
        assertThat(header(byOffset.get(badJson.offset()), Topics.ERROR_HEADER)).startsWith("rejected: $");
        assertThat(header(byOffset.get(badScore.offset()), Topics.ERROR_HEADER)).contains("$.body.score_bp");
        assertThat(header(byOffset.get(conflict.offset()), Topics.ERROR_HEADER))
                .contains("event_id 'ingest-1'").contains("different");
        assertThat(header(byOffset.get(badDispute.offset()), Topics.ERROR_HEADER))
                .startsWith("$.body.target_seq: names entry 1000000, which the log does not hold yet");
        assertThat(text(byOffset.get(badScore.offset()).value())).isEqualTo(audit("c-1", "ingest-bad", 20_000));
        assertThat(text(byOffset.get(badScore.offset()).key())).isEqualTo("c-1");

        // Each event once, recorded with the Kafka source.
        assertThat(eventIds(before)).containsExactlyInAnyOrder("ingest-1", "ingest-2", "ingest-3", "ingest-4");
        JsonNode first = JSON.readTree(server.ledger().entry(before).orElseThrow());
        assertThat(first.path("source").asText()).isEqualTo("kafka:ledger.events");

        // The offsets are committed up to the last message.
        TopicPartition p0 = new TopicPartition(Topics.EVENTS, 0);
        assertThat(await(WAIT, () -> committed(p0) == last.offset() + 1)).as("offset committed").isTrue();
    }

    @Test
    void ingest_publishesChangedContractorsToTheCompactedTopic() throws Exception {
        send(producer, Topics.EVENTS, "c-changes", audit("c-changes", "changes-1", 6000));
        assertThat(await(WAIT, () -> server.ledger().contractorSeqs("c-changes").length == 1)).isTrue();
        long seq = server.ledger().contractorSeqs("c-changes")[0];

        var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                Topics.REPUTATION_CHANGES))).all().get(10, TimeUnit.SECONDS).values().iterator().next();
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");

        boolean seen = await(WAIT, () -> readAll(BROKER.bootstrap(), Topics.REPUTATION_CHANGES, Integer.MAX_VALUE,
                Duration.ofSeconds(1)).stream().anyMatch(r -> "c-changes".equals(text(r.key()))
                && json(r.value()).path("seq").asLong() == seq
                && json(r.value()).path("origin").asText().equals(Settings.DEFAULT_ORIGIN)
                && json(r.value()).path("reputation").path("contractor").asText().equals("c-changes")
                && json(r.value()).path("reputation").path("overall").has("score")));
        assertThat(seen).as("change of c-changes with seq " + seq + " and its reputation").isTrue();
    }

    @Test
    void checkpoints_arePublishedSignedAndCoverTheLog() throws Exception {
        send(producer, Topics.EVENTS, "c-cp", audit("c-cp", "checkpoint-1", 6000));
        assertThat(await(WAIT, () -> server.ledger().contractorSeqs("c-cp").length == 1)).isTrue();
        long size = server.ledger().size();
        NoteVerifier verifier = NoteVerifier.parse(server.verifierKey());

        boolean covered = await(WAIT, () -> readAll(BROKER.bootstrap(), Topics.CHECKPOINTS, Integer.MAX_VALUE,
                Duration.ofSeconds(1)).stream().anyMatch(r -> {
                    try {
                        Checkpoint c = Checkpoint.open(r.value(), verifier);
                        return c.treeSize() >= size && text(r.key()).equals(c.origin());
                    } catch (Exception e) {
                        return false;
                    }
                }));
        assertThat(covered).as("a signed checkpoint of size >= " + size + " on " + Topics.CHECKPOINTS).isTrue();
    }

    private static List<String> eventIds(long from) {
        return java.util.stream.LongStream.range(from, server.ledger().size())
                .mapToObj(seq -> json(server.ledger().entry(seq).orElseThrow()).path("event_id").asText())
                .toList();
    }

    private static long committed(TopicPartition tp) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("trackrecord-ingest")
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            OffsetAndMetadata o = offsets.get(tp);
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
