package dev.trackrecord.api;

import dev.trackrecord.ledger.privacy.Retention;
import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.Map;

/**
 * How the service runs: from {@code application.yaml}, environment variables
 * ({@code TRACKRECORD_PORT} overrides {@code trackrecord.port}) and the command line, last wins.
 *
 * @param dataDir            the data directory (created on first start)
 * @param host               the address to listen on
 * @param port               the port to listen on; 0 picks a free one
 * @param origin             the log's origin, the name in its checkpoints
 * @param checkpointInterval how often a checkpoint is signed while entries arrive
 * @param maxBodyBytes       largest request body accepted
 * @param kafka              Kafka bootstrap servers to ingest from and publish to; blank for none
 * @param nodeId             this node's stable name in Kafka (its static consumer group member id,
 *                           so a restarted node gets its partitions back at once); blank for none
 * @param shards             P, the shards of the sharded mode; 0 for a node with one log of its own
 * @param advertise          the base URL other nodes of the sharded mode reach this one at; blank for
 *                           {@code http://127.0.0.1:<port>}
 * @param retention          how long personal data of each entry kind is kept: kind to ISO 8601
 *                           period ({@code payout: P7Y}); kinds not named keep it until erasure
 * @param retentionInterval  how often the retention job looks for personal data past retention
 * @param openCheck          what is checked before the data directory is served
 * @param accessLogRetention how long the access log's day files are kept: a file is deleted once
 *                           all its records are older than this (ISO 8601 period)
 */
public record Settings(Path dataDir, String host, int port, String origin, Duration checkpointInterval,
                       long maxBodyBytes, String kafka, String nodeId, int shards, String advertise,
                       Map<String, String> retention, Duration retentionInterval, OpenCheck openCheck,
                       Period accessLogRetention) {
    public static final String DEFAULT_ORIGIN = "trackrecord.local/ledger";
    /** As application.yaml sets it. */
    public static final Map<String, String> DEFAULT_RETENTION = Map.of("payout", "P7Y", "credential.issued", "P10Y",
            "dispute.opened", "P3Y");
    /** As application.yaml sets it: a little over a year, so a contractor can see a whole year's reads. */
    public static final Period DEFAULT_ACCESS_LOG_RETENTION = Period.ofDays(400);

    /**
     * What the service checks before it serves an existing data directory; a directory that
     * fails is refused with the problem named. {@code FULL}: fsck (every entry, node, checkpoint
     * and key, and the seal). {@code SEAL}: when the directory was closed cleanly, only that no
     * stored byte changed since (the seal); otherwise fsck. {@code OFF}: only what opening the
     * ledger checks anyway (structure, no entry bytes).
     */
    public enum OpenCheck { FULL, SEAL, OFF;

        static OpenCheck parse(String value) {
            try {
                return valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("open check must be full, seal or off, was '" + value + "'");
            }
        }
    }

    public Settings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
        }
        if (origin.isBlank()) {
            throw new IllegalArgumentException("origin must not be blank");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpoint interval must be positive");
        }
        if (shards < 0 || shards > 10_000) {
            throw new IllegalArgumentException("shards must be from 1 to 10000 (or 0 for no sharding), was " + shards);
        }
        if (!advertise.isBlank() && !advertise.matches("https?://[^/?#\\s]+")) {
            throw new IllegalArgumentException("advertise must be a base URL such as http://ledger-a:8080 (no path),"
                    + " was '" + advertise + "'");
        }
        retention = Map.copyOf(retention);
        Retention.parse(retention); // names the kind or period that is wrong
        if (retentionInterval.isNegative() || retentionInterval.isZero()) {
            throw new IllegalArgumentException("retention interval must be positive");
        }
        if (accessLogRetention.isNegative() || accessLogRetention.isZero()) {
            throw new IllegalArgumentException("access log retention must be a positive period, was "
                    + accessLogRetention);
        }
    }

    /** Settings without sharding, with the default retention. */
    public Settings(Path dataDir, String host, int port, String origin, Duration checkpointInterval,
                    long maxBodyBytes, String kafka, String nodeId) {
        this(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, 0, "", DEFAULT_RETENTION,
                Duration.ofHours(1), OpenCheck.SEAL, DEFAULT_ACCESS_LOG_RETENTION);
    }

    /** Settings without Kafka. */
    public Settings(Path dataDir, String host, int port, String origin, Duration checkpointInterval,
                    long maxBodyBytes) {
        this(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, "", "");
    }

    /** Settings from the {@code trackrecord} node of {@code config}. */
    public static Settings from(Config config) {
        Config t = config.get("trackrecord");
        return new Settings(
                Path.of(t.get("data").asString().orElse("./data")),
                t.get("host").asString().orElse("0.0.0.0"),
                t.get("port").asInt().orElse(8080),
                t.get("origin").asString().orElse(DEFAULT_ORIGIN),
                t.get("checkpoint-interval").as(Duration.class).orElse(Duration.ofSeconds(2)),
                t.get("max-body-bytes").asLong().orElse(4L * 1024 * 1024),
                t.get("kafka").asString().orElse(""),
                t.get("node-id").asString().orElse(""),
                t.get("shards").asInt().orElse(0),
                t.get("advertise").asString().orElse(""),
                retention(t.get("privacy.retention")),
                t.get("privacy.retention-interval").as(Duration.class).orElse(Duration.ofHours(1)),
                OpenCheck.parse(t.get("open-check").asString().orElse("seal")),
                period("access-log-retention", t.get("access-log-retention").asString()
                        .orElse(DEFAULT_ACCESS_LOG_RETENTION.toString())));
    }

    private static Period period(String name, String value) {
        try {
            return Period.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO 8601 period such as P400D, was '" + value + "'");
        }
    }

    /** Kind names hold dots, which Helidon's config escapes as ~1 in keys. */
    private static Map<String, String> retention(Config node) {
        if (!node.exists()) {
            return DEFAULT_RETENTION;
        }
        Map<String, String> out = new java.util.TreeMap<>();
        node.detach().asMap().orElse(Map.of()).forEach((k, v) -> out.put(k.replace("~1", "."), v));
        return out;
    }

    /** The issuer every bearer token of this log carries. */
    public String tokenIssuer() {
        return "trackrecord:" + origin;
    }

    public Settings withDataDir(Path d) {
        return new Settings(d, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, shards, advertise,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withPort(int p) {
        return new Settings(dataDir, host, p, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, shards, advertise,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withOrigin(String o) {
        return new Settings(dataDir, host, port, o, checkpointInterval, maxBodyBytes, kafka, nodeId, shards, advertise,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withKafka(String bootstrap) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, bootstrap, nodeId, shards,
                advertise, retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withNodeId(String id) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, id, shards, advertise,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withShards(int p) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, p, advertise,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withAdvertise(String url) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, shards, url,
                retention, retentionInterval, openCheck, accessLogRetention);
    }

    public Settings withOpenCheck(OpenCheck check) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, shards, advertise,
                retention, retentionInterval, check, accessLogRetention);
    }
}
