package dev.trackrecord.api.kafka;

import dev.trackrecord.ledger.store.LedgerEntrySource;
import dev.trackrecord.ledger.entry.AdmissionRules;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.reputation.Policy;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.LogConflictException;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import dev.trackrecord.ledger.store.SettableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One node of the sharded mode (DESIGN.md "Modes"): partition {@code n} of
 * {@code ledger.sequence} is shard {@code n}, and this node keeps one ledger per shard it has
 * consumed (origin {@code <origin>/shard-<n>}, directory {@code <data>/shard-<n>}), with its own
 * reputation index and signed checkpoints.
 *
 * <p>Every node that applies a partition derives the same entries, hashes and root from it:
 * records are applied in partition order, one append at a time, and an entry's {@code ts} and
 * the "not in the future" check of validation come from the record's timestamp (the topic uses
 * LogAppendTime; the ledger keeps ts non-decreasing), never from the node's clock; its
 * {@code source} comes from the record's {@code trackrecord.source} header. Where a node
 * stands in a shard is its own: the offset after the last applied record is kept beside the
 * shard's ledger, and on assignment the node resumes there, so a node taking over a shard from
 * a dead one replays it into its own copy. Consumer group offsets are committed only for
 * monitoring. Resuming a little behind is harmless: a re-applied record is a resend (same
 * event_id) and appends nothing.
 *
 * <p>{@link #submit} produces an append request to a shard's partition (idempotent producer,
 * acks=all) and completes once this node has applied it. Each node announces the shards it holds
 * and its HTTP address on {@code ledger.nodes}; {@link #ownerUrl} reads them back.
 */
public final class ShardedNode implements AutoCloseable {
    /** The sequencing topic: one partition per shard, keyed by contractor. */
    public static final String SEQUENCE = "ledger.sequence";
    /** Compacted, one partition: each node's shards and HTTP address, keyed by node id. */
    public static final String NODES = "ledger.nodes";
    /** Header of a {@code ledger.sequence} record naming the principal that submitted it. */
    public static final String SOURCE_HEADER = "trackrecord.source";
    /**
     * Header of a {@code ledger.sequence} record naming the {@link AdmissionRules#VERSION} its
     * producer ran. A record without it is read as version 1, the rules of the nodes that wrote
     * records before the header existed.
     */
    public static final String RULES_HEADER = "trackrecord.rules";
    /** Source of entries whose record names none. */
    static final String SOURCE = "kafka:" + SEQUENCE;
    private static final Logger LOG = Logger.getLogger(ShardedNode.class.getName());
    private static final String GROUP = "trackrecord-shards";
    /** How many applied records per shard keep their outcome for {@link #applied}. */
    private static final int RECENT = 65_536;

    /**
     * How a node runs.
     *
     * @param bootstrap          the brokers
     * @param nodeId             this node's name in the group and in {@code ledger.nodes}
     * @param dataDir            where the shards' ledgers live ({@code shard-<n>} below it)
     * @param origin             the cluster's origin; shard n's is {@code <origin>/shard-<n>}
     * @param shards             P, the partitions of {@code ledger.sequence}
     * @param url                where this node serves HTTP, announced to the others; blank for none
     * @param signer             the cluster's checkpoint key (its name is {@code origin}); each shard
     *                           signs with the same private key under its own origin
     * @param checkpointInterval how often each shard signs a checkpoint while entries arrive
     */
    public record Options(String bootstrap, String nodeId, Path dataDir, String origin, int shards, String url,
                          NoteSigner signer, Duration checkpointInterval) {
        public Options {
            if (shards < 1) {
                throw new IllegalArgumentException("shards must be at least 1, was " + shards);
            }
            if (nodeId.isBlank()) {
                throw new IllegalArgumentException("a sharded node needs a node id");
            }
        }
    }

    private final Options options;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaProducer<byte[], byte[]> appends;
    private final NodeDirectory directory;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private final Thread thread;
    private final java.util.concurrent.ExecutorService appliers = java.util.concurrent.Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon(true).name("shard-applier").unstarted(r));
    private volatile boolean stopping;
    private volatile List<Integer> assigned = List.of();

    /** A shard as this node holds it: its ledger, scores and checkpoints, and where it stands. */
    public static final class Shard implements AutoCloseable {
        private final int number;
        private final Ledger ledger;
        private final SettableClock clock;
        private final SubmissionValidator validator;
        private final ReputationIndex reputation;
        private final Checkpointer checkpointer;
        private final CheckpointPublisher publisher;
        private final String verifierKey;
        private final Path offsetFile;
        private final Map<Long, CompletableFuture<List<Appended>>> waiting = new ConcurrentHashMap<>();
        private final Map<Long, CompletableFuture<List<Appended>>> recent = Collections.synchronizedMap(
                new LinkedHashMap<>() {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, CompletableFuture<List<Appended>>> e) {
                        return size() > RECENT;
                    }
                });
        private volatile long nextOffset;
        /** Why this node stopped applying the shard, or null while it applies it. */
        private volatile String halted;

        private Shard(int number, Ledger ledger, SettableClock clock, ReputationIndex reputation,
                      Checkpointer checkpointer, CheckpointPublisher publisher, String verifierKey, Path offsetFile,
                      long nextOffset) {
            this.number = number;
            this.ledger = ledger;
            this.clock = clock;
            this.validator = new SubmissionValidator(clock);
            this.reputation = reputation;
            this.checkpointer = checkpointer;
            this.publisher = publisher;
            this.verifierKey = verifierKey;
            this.offsetFile = offsetFile;
            this.nextOffset = nextOffset;
        }

        public int number() {
            return number;
        }

        public Ledger ledger() {
            return ledger;
        }

        public ReputationIndex reputation() {
            return reputation;
        }

        public Checkpointer checkpointer() {
            return checkpointer;
        }

        /** The verifier key of this shard's checkpoints, C2SP text form. */
        public String verifierKey() {
            return verifierKey;
        }

        /** The offset of {@code ledger.sequence} after the last record this node applied to the shard. */
        public long nextOffset() {
            return nextOffset;
        }

        /** Why this node stopped applying the shard ({@link ShardHaltedException}), if it did. */
        public Optional<String> halted() {
            return Optional.ofNullable(halted);
        }

        @Override
        public void close() throws InterruptedException {
            publisher.close();
            checkpointer.close();
            ledger.close();
        }
    }


    private ShardedNode(Options options) {
        this.options = options;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "trackrecord-" + options.nodeId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaBridge.producerConfig(options.bootstrap()));
        this.appends = new KafkaProducer<>(KafkaBridge.producerConfig(options.bootstrap()));
        this.directory = new NodeDirectory(options.bootstrap());
        this.thread = Thread.ofPlatform().name("shards-" + options.nodeId()).daemon(true).unstarted(this::run);
    }

    /**
     * Creates the topics when missing ({@code ledger.sequence} with {@code shards} partitions,
     * LogAppendTime, kept forever; {@code ledger.nodes}; the dead-letter, changes and checkpoint
     * topics), puts the default scoring policy first in every empty shard, and starts consuming.
     *
     * @throws IllegalStateException if no broker answers, or {@code ledger.sequence} exists with
     *                               another number of partitions
     */
    public static ShardedNode start(Options options) {
        createTopics(options.bootstrap(), options.shards());
        ShardedNode node = new ShardedNode(options);
        node.publishDefaultPolicy();
        node.thread.start();
        return node;
    }

    /** A node with a fresh in-memory checkpoint key, no HTTP address and 1 s checkpoints (tests). */
    public static ShardedNode start(String bootstrap, String nodeId, Path dataDir, String origin, int shards) {
        return start(new Options(bootstrap, nodeId, dataDir, origin, shards, "",
                NoteSigner.generate(origin, new java.security.SecureRandom()), Duration.ofSeconds(1)));
    }

    static void createTopics(String bootstrap, int shards) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            var topics = List.of(
                    new NewTopic(SEQUENCE, Optional.of(shards), Optional.empty()).configs(Map.of(
                            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                            TopicConfig.RETENTION_MS_CONFIG, "-1")),
                    new NewTopic(NODES, Optional.of(1), Optional.empty()).configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    new NewTopic(Topics.EVENTS_DLQ, Optional.empty(), Optional.empty()),
                    new NewTopic(Topics.REPUTATION_CHANGES, Optional.empty(), Optional.empty())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    new NewTopic(Topics.CHECKPOINTS, Optional.empty(), Optional.empty()));
            for (Future<Void> f : admin.createTopics(topics).values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create the Kafka topics: " + e.getMessage(), e);
                    }
                }
            }
            int existing = admin.describeTopics(List.of(SEQUENCE)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(SEQUENCE).partitions().size();
            if (existing != shards) {
                throw new IllegalStateException(SEQUENCE + " has " + existing + " partitions, but --shards is "
                        + shards + "; the number of shards of a cluster never changes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + SEQUENCE, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not reach Kafka at " + bootstrap + " within 30 s: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Puts the default policy first in every shard that has no record yet, so every score names a
     * policy in its shard's log. Two nodes starting at once may both send it; the second copy is a
     * resend of the same event_id and appends nothing.
     */
    private void publishDefaultPolicy() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap()))) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int n = 0; n < options.shards(); n++) {
                ends.put(new TopicPartition(SEQUENCE, n), OffsetSpec.latest());
            }
            var offsets = admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            byte[] policy = Policy.defaultPolicyEntry().getBytes(StandardCharsets.UTF_8);
            offsets.forEach((tp, info) -> {
                if (info.offset() == 0) {
                    sent.add(appends.send(record(tp.partition(), SubmissionValidator.SYSTEM_CONTRACTOR, policy,
                            "trackrecord")));
                }
            });
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the default policy", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not publish the default policy to " + SEQUENCE + ": "
                    + e.getMessage(), e);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(int shard, String key, byte[] request, String source) {
        var r = new ProducerRecord<>(SEQUENCE, shard, key.getBytes(StandardCharsets.UTF_8), request);
        r.headers().add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        r.headers().add(RULES_HEADER, Integer.toString(AdmissionRules.VERSION).getBytes(StandardCharsets.US_ASCII));
        return r;
    }

    /**
     * Produces an append request (an entry or {@code {"entries":[...]}}, every entry of shard
     * {@code shard}) and completes with its results once this node has applied it, or with
     * {@link ShardMovedException} if this node does not hold the shard now or loses it meanwhile,
     * {@link LogConflictException} (an event_id or dispute that does not fit the shard's log) or
     * {@link dev.trackrecord.ledger.entry.EntryRejectedException} (wrapped in a
     * {@link CompletionException}) if the record was dead-lettered.
     */
    public CompletableFuture<List<Appended>> submit(int shard, String key, byte[] request, String source) {
        if (!holds(shard)) {
            return CompletableFuture.failedFuture(new ShardMovedException(shard, "is not held by node "
                    + options.nodeId()));
        }
        Shard held = shards.get(shard);
        String halted = held == null ? null : held.halted;
        if (halted != null) {
            // Not produced: it would wait in the topic behind the record this node cannot apply.
            return CompletableFuture.failedFuture(ShardHaltedException.notProduced(shard, halted));
        }
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        appends.send(record(shard, key, request, source), (m, e) -> {
            if (e == null) {
                sent.complete(m);
            } else {
                sent.completeExceptionally(e);
            }
        });
        return sent.thenCompose(m -> applied(shard, m.offset()));
    }

    /** Completes once this node has applied the record at {@code offset} of shard {@code n}. */
    CompletableFuture<List<Appended>> applied(int n, long offset) {
        Shard s = shards.get(n);
        if (s == null || !assigned.contains(n)) {
            return CompletableFuture.failedFuture(new ShardMovedException(n, "moved to another node"));
        }
        CompletableFuture<List<Appended>> f = s.waiting.computeIfAbsent(offset, k -> new CompletableFuture<>());
        CompletableFuture<List<Appended>> done = s.recent.get(offset);
        if (done != null) {
            s.waiting.remove(offset);
            return done;
        }
        if (s.nextOffset > offset) {
            s.waiting.remove(offset);
            return CompletableFuture.failedFuture(new ShardMovedException(n, "applied offset " + offset
                    + " too long ago to report it; resend"));
        }
        String halted = s.halted;
        if (halted != null) {
            s.waiting.remove(offset);
            return CompletableFuture.failedFuture(ShardHaltedException.produced(n, offset, halted));
        }
        return f;
    }

    /** How many appends produced to shard {@code n} wait here for this node to apply their record. */
    int waiters(int n) {
        Shard s = shards.get(n);
        return s == null ? 0 : s.waiting.size();
    }

    /** Shard {@code n} as this node holds it, if it has opened it. */
    public Optional<Shard> shard(int n) {
        return Optional.ofNullable(shards.get(n));
    }

    /** The ledger of shard {@code n}, if this node has consumed that shard. */
    public Optional<Ledger> ledger(int n) {
        return shard(n).map(Shard::ledger);
    }

    /** The shards whose partitions this node is assigned now. */
    public List<Integer> assignedShards() {
        return List.copyOf(assigned);
    }

    /** Whether this node applies shard {@code n} now. */
    public boolean holds(int n) {
        return assigned.contains(n) && shards.containsKey(n);
    }

    /** P, the number of shards. */
    public int shardCount() {
        return options.shards();
    }

    public String nodeId() {
        return options.nodeId();
    }

    /** The HTTP address of the node that claims shard {@code n} on {@code ledger.nodes}, if another node does. */
    public Optional<String> ownerUrl(int n) {
        return directory.owner(n).filter(c -> !c.node().equals(options.nodeId()) && !c.url().isBlank())
                .map(NodeDirectory.Claim::url);
    }

    private void claim(List<Integer> now) {
        producer.send(new ProducerRecord<>(NODES, 0, options.nodeId().getBytes(StandardCharsets.UTF_8),
                NodeDirectory.claim(options.nodeId(), options.url(), now)), (m, e) -> {
                    if (e != null) {
                        LOG.log(Level.WARNING, "could not announce the shards of " + options.nodeId(), e);
                    }
                });
    }

    private void run() {
        try {
            consumer.subscribe(List.of(SEQUENCE), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    List<Integer> now = new ArrayList<>(assigned);
                    for (TopicPartition tp : partitions) {
                        now.remove(Integer.valueOf(tp.partition()));
                    }
                    assigned = List.copyOf(now);
                    for (TopicPartition tp : partitions) {
                        Shard s = shards.get(tp.partition());
                        if (s != null) {
                            var moved = new ShardMovedException(tp.partition(), "moved to another node");
                            s.waiting.values().forEach(f -> f.completeExceptionally(moved));
                            s.waiting.clear();
                        }
                    }
                    claim(now);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    List<Integer> now = new ArrayList<>();
                    for (TopicPartition tp : consumer.assignment()) {
                        Shard shard = shards.computeIfAbsent(tp.partition(), ShardedNode.this::open);
                        consumer.seek(tp, shard.nextOffset);
                        now.add(tp.partition());
                    }
                    assigned = List.copyOf(now);
                    claim(now);
                }
            });
            while (!stopping) {
                var records = consumer.poll(Duration.ofMillis(200));
                try {
                    // Shards are independent logs: apply each poll's partitions side by side, so
                    // their commits (one fsync per record) overlap.
                    List<Future<?>> applying = new ArrayList<>();
                    for (TopicPartition tp : records.partitions()) {
                        applying.add(appliers.submit(() -> applyAll(shards.get(tp.partition()), records.records(tp))));
                    }
                    for (Future<?> f : applying) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        }
                    }
                    if (stopping) {
                        return;
                    }
                    pauseHalted();
                    producer.flush();
                    consumer.commitAsync();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Storage or broker trouble: go back to where each shard stands and try again.
                    LOG.log(Level.WARNING, "could not apply records of " + SEQUENCE + "; retrying", e);
                    for (TopicPartition tp : consumer.assignment()) {
                        consumer.seek(tp, shards.get(tp.partition()).nextOffset);
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                LOG.log(Level.SEVERE, "sharded consumer stopped", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "sharded consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyAll(Shard shard, List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Long> touched = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (stopping || shard.halted != null) {
                break;
            }
            if (record.offset() >= shard.nextOffset && apply(shard, record, touched)) {
                shard.nextOffset = record.offset() + 1;
            }
        }
        saveOffset(shard);
        publishChanges(shard, touched);
    }

    /**
     * Applies one record: appends its entries with the record's time and source, or dead-letters
     * it; false, with the shard {@linkplain #halt halted}, when the record names admission rules
     * this node does not implement.
     */
    private boolean apply(Shard shard, ConsumerRecord<byte[], byte[]> record, Map<String, Long> touched) {
        byte[] rulesHeader = header(record, RULES_HEADER);
        String rules = rulesHeader == null ? null : new String(rulesHeader, StandardCharsets.UTF_8);
        OptionalInt version = rulesVersion(rules);
        if (version.isPresent() && !AdmissionRules.implemented(version.getAsInt())) {
            halt(shard, "shard " + shard.number + " stopped at offset " + record.offset() + " of " + SEQUENCE
                    + ": the record was produced under admission rules version " + version.getAsInt()
                    + " and node " + options.nodeId() + " implements version " + AdmissionRules.VERSION
                    + " only; it applies nothing more to the shard until it runs a version that implements "
                    + version.getAsInt() + " (upgrade it; what was produced is applied then)");
            return false;
        }
        shard.clock.set(record.timestamp());
        String reason;
        RuntimeException failure;
        try {
            if (record.value() == null) {
                reason = "$: the message has no value";
                failure = new CompletionException(new EntryRejectedException(
                        List.of(new Violation("$", "the message has no value"))));
            } else if (version.isEmpty()) {
                String shown = rules.length() > 32 ? rules.substring(0, 32) + "..." : rules;
                String rule = "must be an admission rules version, a positive integer; was \"" + shown + "\"";
                reason = RULES_HEADER + " header: " + rule;
                failure = new CompletionException(new EntryRejectedException(
                        List.of(new Violation(RULES_HEADER + " header", rule))));
            } else {
                List<Submission> submissions = shard.validator.parseRequest(record.value());
                List<Appended> results = shard.ledger.append(submissions, source(record)).join();
                for (int i = 0; i < results.size(); i++) {
                    touched.merge(submissions.get(i).contractor(), results.get(i).seq(), Math::max);
                }
                finish(shard, record.offset(), CompletableFuture.completedFuture(results));
                return true;
            }
        } catch (EntryRejectedException e) {
            reason = e.getMessage();
            failure = new CompletionException(e);
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof LogConflictException conflict)) {
                throw e;
            }
            reason = conflict.getMessage();
            failure = e;
        }
        var out = new ProducerRecord<>(Topics.EVENTS_DLQ, null, record.key(), record.value());
        out.headers().add(Topics.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        producer.send(out);
        finish(shard, record.offset(), CompletableFuture.failedFuture(failure));
        return true;
    }

    /** The version a rules header names: 1 without one, empty when it is not a positive integer. */
    private static OptionalInt rulesVersion(String header) {
        if (header == null) {
            return OptionalInt.of(1);
        }
        if (header.isEmpty() || header.length() > 9 || !header.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(header) < 1) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(header));
    }

    /** The value of the record's last header {@code name}, or null without one. */
    private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    /**
     * Stops applying {@code shard}: where it stands is kept, so that a node able to apply the record
     * resumes there, and everyone waiting for a record of the shard is told why.
     */
    private static void halt(Shard shard, String why) {
        if (shard.halted == null) {
            LOG.severe(why);
        }
        shard.halted = why;
        for (Long offset : List.copyOf(shard.waiting.keySet())) {
            CompletableFuture<List<Appended>> waiter = shard.waiting.remove(offset);
            if (waiter != null) {
                waiter.completeExceptionally(ShardHaltedException.produced(shard.number, offset, why));
            }
        }
    }

    /** Stops fetching the partitions of halted shards; called on the consumer's thread. */
    private void pauseHalted() {
        List<TopicPartition> halted = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
            Shard s = shards.get(tp.partition());
            if (s != null && s.halted != null) {
                halted.add(tp);
            }
        }
        if (!halted.isEmpty()) {
            consumer.pause(halted);
        }
    }

    private static void finish(Shard shard, long offset, CompletableFuture<List<Appended>> outcome) {
        shard.recent.put(offset, outcome);
        CompletableFuture<List<Appended>> waiter = shard.waiting.remove(offset);
        if (waiter != null) {
            outcome.whenComplete((r, e) -> {
                if (e == null) {
                    waiter.complete(r);
                } else {
                    waiter.completeExceptionally(e instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : e);
                }
            });
        }
    }

    /** The record's source header when it names one (1 to 256 characters), else {@code kafka:ledger.sequence}. */
    private static String source(ConsumerRecord<byte[], byte[]> record) {
        byte[] source = header(record, SOURCE_HEADER);
        if (source == null || source.length == 0 || source.length > 256) {
            return SOURCE;
        }
        return new String(source, StandardCharsets.UTF_8);
    }

    /** Brings the shard's scores up to its ledger and announces each touched contractor's new one. */
    private void publishChanges(Shard shard, Map<String, Long> touched) {
        if (touched.isEmpty()) {
            return;
        }
        shard.reputation.catchUp();
        touched.forEach((contractor, seq) -> {
            if (!contractor.equals(SubmissionValidator.SYSTEM_CONTRACTOR)) {
                producer.send(KafkaChangePublisher.record(shard.ledger.origin(), contractor, seq,
                        shard.reputation.lookup(contractor)));
            }
        });
    }

    private Shard open(int n) {
        Path dir = options.dataDir().resolve("shard-" + n);
        String origin = Shards.origin(options.origin(), n);
        SettableClock clock = new SettableClock(); // the ledger's ts and validation's "now" alike
        Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, origin).withClock(clock));
        try {
            Path offsetFile = dir.resolve("sequence-offset");
            long next = 0;
            if (Files.exists(offsetFile)) {
                next = Long.parseLong(Files.readString(offsetFile).trim());
            }
            ReputationIndex reputation = new ReputationIndex(new LedgerEntrySource(ledger), Clock.systemUTC());
            reputation.catchUp();
            NoteSigner signer = NoteSigner.fromPrivateKey(origin, options.signer().privateKey());
            Checkpointer checkpointer = new Checkpointer(ledger, signer, options.checkpointInterval());
            checkpointer.checkpointNow();
            CheckpointPublisher publisher = new CheckpointPublisher(ledger, producer, Duration.ofMillis(200));
            return new Shard(n, ledger, clock, reputation, checkpointer, publisher, signer.verifier().text(),
                    offsetFile, next);
        } catch (IOException e) {
            ledger.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * Records where this node stands in a shard. Written after the entries are durable and
     * without fsync: after a power loss it may be behind, never ahead, and behind only means
     * some records are applied again as resends.
     */
    private static void saveOffset(Shard shard) {
        try {
            Path tmp = shard.offsetFile.resolveSibling("sequence-offset.tmp");
            Files.writeString(tmp, Long.toString(shard.nextOffset));
            Files.move(tmp, shard.offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record the offset of " + shard.ledger.origin(), e);
        }
    }

    /** Leaves the group (the others take over its shards), withdraws its claim, closes every shard. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(30));
        try {
            producer.send(new ProducerRecord<>(NODES, 0, options.nodeId().getBytes(StandardCharsets.UTF_8),
                    NodeDirectory.claim(options.nodeId(), options.url(), List.of())));
            producer.flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not withdraw the claim of " + options.nodeId(), e);
        }
        appliers.shutdown();
        directory.close();
        appends.close(Duration.ofSeconds(10));
        producer.close(Duration.ofSeconds(10));
        for (Shard s : shards.values()) {
            s.close();
        }
    }
}
