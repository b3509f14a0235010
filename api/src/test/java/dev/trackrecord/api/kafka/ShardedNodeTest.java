package dev.trackrecord.api.kafka;

import static dev.trackrecord.api.kafka.KafkaTestClients.audit;
import static dev.trackrecord.api.kafka.KafkaTestClients.await;
import static dev.trackrecord.api.kafka.KafkaTestClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.Settings;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes over four shards, records produced straight to {@code ledger.sequence}; one is
 * stopped mid-load and the other takes over its shards. In the slow step: {@link ShardedServerTest}
 * covers the same over HTTP in the default run.
 */
@Tag("slow")
class ShardedNodeTest {
    private static final int SHARDS = 4;
    private static final int MESSAGES = 1200;

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @TempDir
    Path temp;

    @Test
    void twoNodes_oneStoppedMidLoad_everyAcknowledgedEntryOnceAndRootsEqual() throws Exception {
        Path dirA = temp.resolve("a");
        Path dirB = temp.resolve("b");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        ShardedNode a = ShardedNode.start(BROKER.bootstrap(), "a", dirA, Settings.DEFAULT_ORIGIN, SHARDS);
        List<Integer> heldByA;
        try (ShardedNode b = ShardedNode.start(BROKER.bootstrap(), "b", dirB, Settings.DEFAULT_ORIGIN, SHARDS);
             KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(BROKER.bootstrap())) {
            try {
                assertThat(await(Duration.ofSeconds(60), () -> !a.assignedShards().isEmpty()
                        && !b.assignedShards().isEmpty()
                        && a.assignedShards().size() + b.assignedShards().size() == SHARDS))
                        .as("both nodes own shards").isTrue();
                heldByA = a.assignedShards();

                Thread load = Thread.ofPlatform().name("test-load").start(() -> {
                    for (int i = 0; i < MESSAGES; i++) {
                        String contractor = "c-" + (i % 40);
                        String eventId = "shard-" + i;
                        producer.send(new ProducerRecord<>(ShardedNode.SEQUENCE,
                                Shards.shardOf(contractor, SHARDS), bytes(contractor),
                                bytes(audit(contractor, eventId, i % 10_001))), (m, e) -> {
                                    if (e == null) {
                                        acknowledged.add(eventId);
                                    } else {
                                        failed.incrementAndGet();
                                    }
                                });
                        if (i % 20 == 19) {
                            sleepQuietly(10);
                        }
                    }
                    producer.flush();
                });
                assertThat(await(Duration.ofSeconds(60), () -> size(a, heldByA) >= 100)).as("a applied some").isTrue();
            } finally {
                a.close(); // stops mid-load: leaves the group between two records
            }
            // Every shard's log starts with the default policy, then holds its share of the messages.
            assertThat(await(Duration.ofSeconds(90), () -> b.assignedShards().size() == SHARDS
                    && acknowledged.size() + failed.get() == MESSAGES && total(b) == MESSAGES + SHARDS))
                    .as("b took over every shard and applied everything").isTrue();
            assertThat(failed.get()).isZero();

            List<String> ids = new ArrayList<>();
            for (int n = 0; n < SHARDS; n++) {
                Ledger ledger = b.ledger(n).orElseThrow();
                assertThat(ledger.origin()).isEqualTo(Settings.DEFAULT_ORIGIN + "/shard-" + n);
                JsonNode policy = KafkaIngestTest.json(ledger.entry(0).orElseThrow());
                assertThat(policy.path("kind").asText()).isEqualTo("policy.published");
                assertThat(policy.path("contractor").asText()).isEqualTo(SubmissionValidator.SYSTEM_CONTRACTOR);
                for (long seq = 1; seq < ledger.size(); seq++) {
                    JsonNode entry = KafkaIngestTest.json(ledger.entry(seq).orElseThrow());
                    assertThat(Shards.shardOf(entry.path("contractor").asText(), SHARDS)).isEqualTo(n);
                    ids.add(entry.path("event_id").asText());
                }
            }
            assertThat(new HashSet<>(ids)).as("no entry twice").hasSize(ids.size());
            assertThat(new HashSet<>(ids)).isEqualTo(acknowledged);

            // Each shard a held is a prefix of b's copy, entry for entry: the same root at a's size.
            int compared = 0;
            long heldEntries = 0;
            long takenOverEntries = 0;
            for (int n : heldByA) {
                try (Ledger mine = Ledger.open(LedgerOptions.defaults(dirA.resolve("shard-" + n),
                        Settings.DEFAULT_ORIGIN + "/shard-" + n))) {
                    long size = mine.size();
                    Ledger theirs = b.ledger(n).orElseThrow();
                    heldEntries += size;
                    takenOverEntries += theirs.size();
                    assertThat(size).isLessThanOrEqualTo(theirs.size());
                    for (long seq = 0; seq < size; seq++) {
                        assertThat(new String(mine.entry(seq).orElseThrow()))
                                .as("entry " + seq + " of shard " + n)
                                .isEqualTo(new String(theirs.entry(seq).orElseThrow()));
                    }
                    assertThat(mine.root(size)).as("root of shard " + n + " at " + size).isEqualTo(theirs.root(size));
                    if (size > 0) {
                        assertThat(mine.entry(size - 1).orElseThrow()).isEqualTo(theirs.entry(size - 1).orElseThrow());
                        compared++;
                    }
                }
            }
            assertThat(compared).as("shards a had applied entries to").isPositive();
            assertThat(heldEntries).as("a stopped before the end of its shards").isLessThan(takenOverEntries);
            System.out.printf("a held shards %s with %d entries when stopped; b has %d of them, %d in all%n",
                    heldByA, heldEntries, takenOverEntries, total(b));
        }
    }

    private static long size(ShardedNode node, List<Integer> shards) {
        return shards.stream().mapToLong(n -> node.ledger(n).map(Ledger::size).orElse(0L)).sum();
    }

    private static long total(ShardedNode node) {
        long sum = 0;
        for (int n = 0; n < SHARDS; n++) {
            sum += node.ledger(n).map(Ledger::size).orElse(0L);
        }
        return sum;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
