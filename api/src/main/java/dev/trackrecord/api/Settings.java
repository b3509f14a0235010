package dev.trackrecord.api;

import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Duration;

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
 * @param openCheck          what is checked before the data directory is served
 */
public record Settings(Path dataDir, String host, int port, String origin, Duration checkpointInterval,
                       long maxBodyBytes, String kafka, String nodeId, OpenCheck openCheck) {
    public static final String DEFAULT_ORIGIN = "trackrecord.local/ledger";

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
    }

    /** Settings without Kafka. */
    public Settings(Path dataDir, String host, int port, String origin, Duration checkpointInterval,
                    long maxBodyBytes) {
        this(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, "", "", OpenCheck.SEAL);
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
                OpenCheck.parse(t.get("open-check").asString().orElse("seal")));
    }

    /** The issuer every bearer token of this log carries. */
    public String tokenIssuer() {
        return "trackrecord:" + origin;
    }

    public Settings withDataDir(Path d) {
        return new Settings(d, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, openCheck);
    }

    public Settings withPort(int p) {
        return new Settings(dataDir, host, p, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, openCheck);
    }

    public Settings withOrigin(String o) {
        return new Settings(dataDir, host, port, o, checkpointInterval, maxBodyBytes, kafka, nodeId, openCheck);
    }

    public Settings withKafka(String bootstrap) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, bootstrap, nodeId, openCheck);
    }

    public Settings withNodeId(String id) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, id, openCheck);
    }

    public Settings withOpenCheck(OpenCheck check) {
        return new Settings(dataDir, host, port, origin, checkpointInterval, maxBodyBytes, kafka, nodeId, check);
    }
}
