package dev.trackrecord.api;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.api.kafka.KafkaBridge;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running service: the data directory's keys, the ledger, the checkpointer and the HTTP
 * server. {@link #close()} stops them in reverse order; always call it, since the storage
 * threads keep the JVM alive.
 */
public final class TrackRecordServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrackRecordServer.class.getName());

    private final Deque<AutoCloseable> resources;
    private final WebServer server;
    private final String verifierKey;
    private final List<Api.Route> routes;
    private final Ledger ledger;

    private TrackRecordServer(Deque<AutoCloseable> resources, WebServer server, String verifierKey,
                              List<Api.Route> routes, Ledger ledger) {
        this.resources = resources;
        this.ledger = ledger;
        this.server = server;
        this.verifierKey = verifierKey;
        this.routes = routes;
    }

    /**
     * Creates what a first start needs (data directory, checkpoint key, token issuer key), opens
     * the ledger and starts serving.
     *
     * @throws IOException           if the keys cannot be read or written
     * @throws IllegalStateException if the server could not listen on the port
     */
    public static TrackRecordServer start(Settings settings) throws IOException {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            DataDirectory dir = new DataDirectory(settings.dataDir());
            NoteSigner signer = dir.loadOrCreateCheckpointSigner(settings.origin());
            ECKey issuerKey = TokenKeys.loadOrCreate(dir.tokenIssuerKey());
            String verifierKey = signer.verifier().text();

            Ledger ledger = Ledger.open(LedgerOptions.defaults(dir.store(), settings.origin()));
            resources.push(ledger);
            Checkpointer checkpointer = new Checkpointer(ledger, signer, settings.checkpointInterval());
            resources.push(checkpointer);
            checkpointer.checkpointNow();
            if (!settings.kafka().isBlank()) {
                resources.push(KafkaBridge.start(KafkaBridge.Options.defaults(settings.kafka())
                        .withInstanceId(settings.nodeId()), ledger, Duration.ofMillis(100)));
            }

            Api api = new Api(ledger, checkpointer, new SubmissionValidator(Clock.systemUTC()),
                    new TokenVerifier(new JWKSet(issuerKey), settings.tokenIssuer()), verifierKey,
                    new Api.Limits(settings.maxBodyBytes()));

            HealthCheck storage = new HealthCheck() {
                @Override
                public String name() {
                    return "storage";
                }

                @Override
                public HealthCheckType type() {
                    return HealthCheckType.READINESS;
                }

                @Override
                public HealthCheckResponse call() {
                    var problem = ledger.storageProblem();
                    var response = HealthCheckResponse.builder().status(problem.isEmpty())
                            .detail("size", ledger.size());
                    problem.ifPresent(p -> response.detail("problem", p));
                    return response.build();
                }
            };

            WebServer server = WebServer.builder()
                    .host(settings.host())
                    .port(settings.port())
                    .shutdownHook(false)
                    .featuresDiscoverServices(false)
                    .addFeature(ObserveFeature.just(
                            HealthObserver.builder().details(true).addCheck(storage).build(),
                            MetricsObserver.create()))
                    .addFeature(OpenApiFeature.create())
                    .routing(api::register)
                    .build();
            server.start();
            resources.push(server::stop);
            if (server.port() < 0) {
                throw new IllegalStateException("could not listen on " + settings.host() + ":" + settings.port()
                        + " (is the port in use?); pass another with --port or TRACKRECORD_PORT");
            }
            return new TrackRecordServer(resources, server, verifierKey, api.routes(), ledger);
        } catch (IOException | RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    /** The checkpoint verifier key, C2SP text form. */
    public String verifierKey() {
        return verifierKey;
    }

    /** The ledger it serves. */
    public Ledger ledger() {
        return ledger;
    }

    /** The /v1 routes served. */
    public List<Api.Route> routes() {
        return routes;
    }

    @Override
    public synchronized void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "could not close " + r, e);
            }
        }
    }
}
