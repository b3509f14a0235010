package dev.trackrecord.api.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Which node holds which shard, and where it serves HTTP, read from the compacted
 * {@code ledger.nodes} topic: each node puts {@code {"node":"a","url":"http://..","shards":[0,2]}}
 * there, keyed by its id, whenever the consumer group changes its shards. The owner of a shard is
 * the node whose newest claim lists it with the highest offset: a node that died keeps its last
 * claim, but the survivor that takes its shards claims them later. The topic has one partition,
 * so offsets order every claim.
 */
final class NodeDirectory implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeDirectory.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A node's newest claim. */
    record Claim(String node, String url, List<Integer> shards, long offset) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    NodeDirectory(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("node-directory").daemon(true).unstarted(this::run);
        thread.start();
    }

    private void run() {
        try {
            TopicPartition tp = new TopicPartition(ShardedNode.NODES, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "stopped reading " + ShardedNode.NODES + "; requests will not be forwarded", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            return;
        }
        String node = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            claims.remove(node);
            return;
        }
        try {
            JsonNode v = JSON.readTree(r.value());
            List<Integer> shards = new ArrayList<>();
            v.path("shards").forEach(s -> shards.add(s.asInt()));
            claims.put(node, new Claim(node, v.path("url").asText(""), List.copyOf(shards), r.offset()));
        } catch (java.io.IOException e) {
            LOG.warning("ignoring a claim of " + node + " in " + ShardedNode.NODES + " that is not JSON: "
                    + e.getMessage());
        }
    }

    /** The newest claim on {@code shard}, if any node claims it. */
    Optional<Claim> owner(int shard) {
        Claim best = null;
        for (Claim c : claims.values()) {
            if (c.shards().contains(shard) && (best == null || c.offset() > best.offset())) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The value of a claim. */
    static byte[] claim(String node, String url, List<Integer> shards) {
        var v = JSON.createObjectNode().put("node", node).put("url", url);
        var a = v.putArray("shards");
        shards.stream().sorted().forEach(a::add);
        return v.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(10));
    }
}
