package dev.trackrecord.api;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.api.http.ShardedApi;
import dev.trackrecord.api.kafka.ShardedNode;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Appended;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A node of the sharded mode ({@code trackrecord serve --kafka B --shards P}): a {@link ShardedNode}
 * applying the shards the consumer group gives it, one {@link Api} per shard it holds, and the
 * {@link ShardedApi} routes in front that send each request to its shard, here or on the node
 * that holds it. The data directory holds the node's keys (the checkpoint key, named for the
 * cluster's origin, and the token issuer key: copy both from the first node to every other, so
 * that every node accepts the same tokens and signs with the same key) and {@code shard-<n>/}
 * for each shard the node has held.
 */
public final class ShardedServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ShardedServer.class.getName());

    private final WebServer server;
    private final ShardedNode node;
    private final String verifierKey;
    private final String url;

    private ShardedServer(WebServer server, ShardedNode node, String verifierKey, String url) {
        this.server = server;
        this.node = node;
        this.verifierKey = verifierKey;
        this.url = url;
    }

    /**
     * Starts serving, then joins the cluster.
     *
     * @throws IOException           if the keys cannot be read or written
     * @throws IllegalStateException if the port is taken, no broker answers, or the cluster has
     *                               another number of shards
     */
    public static ShardedServer start(Settings settings) throws IOException {
        if (settings.shards() < 1 || settings.kafka().isBlank()) {
            throw new IllegalArgumentException("the sharded mode needs --kafka and --shards of at least 1");
        }
        DataDirectory dir = new DataDirectory(settings.dataDir());
        NoteSigner signer = dir.loadOrCreateCheckpointSigner(settings.origin());
        ECKey issuerKey = TokenKeys.loadOrCreate(dir.tokenIssuerKey());
        TokenVerifier tokens = new TokenVerifier(new JWKSet(issuerKey), settings.tokenIssuer());
        Api.Limits limits = new Api.Limits(settings.maxBodyBytes());

        Holder holder = new Holder(settings.shards(), tokens, limits);
        ShardedApi routes = new ShardedApi(holder, new SubmissionValidator(Clock.systemUTC()), tokens, limits);
        HealthCheck shards = new HealthCheck() {
            @Override
            public String name() {
                return "shards";
            }

            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public HealthCheckResponse call() {
                ShardedNode n = holder.node;
                var response = HealthCheckResponse.builder().status(n != null).detail("node", holder.nodeId())
                        .detail("held", n == null ? List.of().toString() : n.assignedShards().toString());
                if (n != null) {
                    for (int s : n.assignedShards()) {
                        n.shard(s).ifPresent(shard -> {
                            long size = shard.ledger().size();
                            response.detail("shard-" + s, "size " + size + ", root "
                                    + HexFormat.of().formatHex(shard.ledger().root(size)));
                            shard.halted().ifPresent(why -> response.status(false).detail("shard-" + s + "-halted", why));
                        });
                    }
                }
                return response.build();
            }
        };
        WebServer server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .connectionOptions(options -> options.tcpNoDelay(true))
                .featuresDiscoverServices(false)
                .addFeature(ObserveFeature.just(HealthObserver.builder().details(true).addCheck(shards).build(),
                        MetricsObserver.create()))
                .addFeature(OpenApiFeature.create())
                .routing(routes::register)
                .build();
        server.start();
        if (server.port() < 0) {
            server.stop();
            throw new IllegalStateException("could not listen on " + settings.host() + ":" + settings.port()
                    + " (is the port in use?); pass another with --port or TRACKRECORD_PORT");
        }
        String url = settings.advertise().isBlank() ? "http://127.0.0.1:" + server.port() : settings.advertise();
        String nodeId = settings.nodeId().isBlank()
                ? InetAddress.getLocalHost().getHostName() + "-" + server.port() : settings.nodeId();
        try {
            holder.node = ShardedNode.start(new ShardedNode.Options(settings.kafka(), nodeId, settings.dataDir(),
                    settings.origin(), settings.shards(), url, signer, settings.checkpointInterval()));
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        return new ShardedServer(server, holder.node, signer.verifier().text(), url);
    }

    /** The node behind the routes, set once it has joined; one {@link Api} per shard it has opened. */
    private static final class Holder implements ShardedApi.Cluster {
        private final int shardCount;
        private final TokenVerifier tokens;
        private final Api.Limits limits;
        private final Map<Integer, Api> apis = new ConcurrentHashMap<>();
        private volatile ShardedNode node;

        Holder(int shardCount, TokenVerifier tokens, Api.Limits limits) {
            this.shardCount = shardCount;
            this.tokens = tokens;
            this.limits = limits;
        }

        @Override
        public int shardCount() {
            return shardCount;
        }

        @Override
        public String nodeId() {
            ShardedNode n = node;
            return n == null ? "(starting)" : n.nodeId();
        }

        @Override
        public Optional<Api> local(int s) {
            ShardedNode n = node;
            if (n == null || !n.holds(s)) {
                return Optional.empty();
            }
            return n.shard(s).map(shard -> apis.computeIfAbsent(s, k -> new Api(shard.ledger(), shard.checkpointer(),
                    new SubmissionValidator(Clock.systemUTC()), tokens, shard.verifierKey(), limits,
                    shard.reputation())));
        }

        @Override
        public Optional<String> ownerUrl(int s) {
            ShardedNode n = node;
            return n == null ? Optional.empty() : n.ownerUrl(s);
        }

        @Override
        public CompletableFuture<List<Appended>> submit(int s, String key, byte[] request, String source) {
            return node.submit(s, key, request, source);
        }
    }

    public int port() {
        return server.port();
    }

    /** The cluster's checkpoint verifier key (origin {@code <origin>}); shard n's is named {@code <origin>/shard-n}. */
    public String verifierKey() {
        return verifierKey;
    }

    public String nodeId() {
        return node.nodeId();
    }

    /** The base URL announced to the other nodes. */
    public String url() {
        return url;
    }

    /** The node that applies this server's shards. */
    public ShardedNode node() {
        return node;
    }

    /** Leaves the cluster (the other nodes take over its shards), then stops serving. */
    @Override
    public synchronized void close() {
        try {
            node.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not close the sharded node", e);
        }
        server.stop();
    }
}
