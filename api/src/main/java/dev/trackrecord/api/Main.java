package dev.trackrecord.api;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code trackrecord serve [--data DIR] [--port N] [--origin O] [--open-check C] [--kafka BOOTSTRAP
 * [--node-id ID] [--shards P [--advertise URL]]]}: runs the service on embedded storage, or with
 * {@code --shards} a node of the sharded mode. Settings come from {@code application.yaml}, then
 * environment variables, then these
 * options.
 */
public final class Main {
    private static final String USAGE = """
            usage: trackrecord serve [--data DIR] [--port N] [--origin ORIGIN] [--open-check C]
                         [--kafka BOOTSTRAP [--node-id ID] [--shards P [--advertise URL]]]
              --data DIR       data directory, created on first start (default ./data, TRACKRECORD_DATA)
              --port N         port to listen on, 0 for any free one (default 8080, TRACKRECORD_PORT)
              --origin ORIGIN  the log's origin, fixed when the data directory is created
                               (default trackrecord.local/ledger, TRACKRECORD_ORIGIN)
              --kafka BOOTSTRAP  also consume ledger.events and publish to Kafka at these brokers,
                               host:port[,host:port...] (default none, TRACKRECORD_KAFKA)
              --node-id ID     this node's stable name in the Kafka consumer group, so a restarted
                               node resumes its partitions at once (default none, TRACKRECORD_NODE_ID);
                               with --shards, its name in the cluster (default <host name>-<port>)
              --shards P       run a node of the sharded mode: the log is P shards, the partitions of
                               ledger.sequence, shared with the other nodes of the consumer group
                               (needs --kafka; P never changes; default 0: not sharded, TRACKRECORD_SHARDS)
              --advertise URL  with --shards, the base URL the other nodes reach this one at
                               (default http://127.0.0.1:<port>, TRACKRECORD_ADVERTISE)
              --open-check C   before serving an existing data directory: full (fsck), seal (only that
                               no stored byte changed since the last clean stop; fsck after a crash)
                               or off (default seal, TRACKRECORD_OPEN_CHECK)""";
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Settings settings;
        try {
            settings = parse(args, Settings.from(Config.create()));
        } catch (IllegalArgumentException e) {
            System.err.println("trackrecord serve: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Started server;
        try {
            server = start(settings);
        } catch (Exception e) {
            System.err.println("trackrecord serve: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("trackrecord-shutdown").unstarted(server.close()));
        System.out.println("data directory: " + settings.dataDir().toAbsolutePath().normalize());
        server.lines().forEach(System.out::println);
        System.out.flush();
    }

    /** A started server: how to stop it, and what to tell whoever started it. */
    private record Started(Runnable close, List<String> lines) {
    }

    /** The single-log service, or with {@code --shards} a node of the sharded mode. */
    private static Started start(Settings settings) throws Exception {
        List<String> lines = new ArrayList<>();
        if (settings.shards() > 0) {
            ShardedServer server = ShardedServer.start(settings);
            lines.add("checkpoint verifier key: " + server.verifierKey() + " (shard n signs as <origin>/shard-n)");
            lines.add("token issuer: " + settings.tokenIssuer());
            lines.add("kafka: " + settings.kafka() + ", shards: " + settings.shards() + ", node: " + server.nodeId()
                    + " at " + server.url());
            lines.add("listening on http://localhost:" + server.port());
            return new Started(server::close, lines);
        }
        TrackRecordServer server = TrackRecordServer.start(settings);
        lines.add("checkpoint verifier key: " + server.verifierKey());
        lines.add("token issuer: " + settings.tokenIssuer());
        if (!settings.kafka().isBlank()) {
            lines.add("kafka: " + settings.kafka());
        }
        lines.add("listening on http://localhost:" + server.port());
        return new Started(server::close, lines);
    }

    static Settings parse(String[] args, Settings settings) {
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            settings = switch (option) {
                case "--data" -> settings.withDataDir(Path.of(value));
                case "--port" -> {
                    try {
                        yield settings.withPort(Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number, was '" + value + "'");
                    }
                }
                case "--origin" -> settings.withOrigin(value);
                case "--kafka" -> settings.withKafka(value);
                case "--node-id" -> settings.withNodeId(value);
                case "--shards" -> {
                    try {
                        yield settings.withShards(Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--shards must be a number, was '" + value + "'");
                    }
                }
                case "--advertise" -> settings.withAdvertise(value);
                case "--open-check" -> settings.withOpenCheck(Settings.OpenCheck.parse(value));
                default -> throw new IllegalArgumentException("unknown option " + option);
            };
        }
        if (settings.shards() > 0 && settings.kafka().isBlank()) {
            throw new IllegalArgumentException("--shards needs --kafka: the shards are partitions of a Kafka topic");
        }
        return settings;
    }
}
