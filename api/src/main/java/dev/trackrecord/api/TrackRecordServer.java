package dev.trackrecord.api;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.api.http.TransportProblems;
import dev.trackrecord.api.me.AccessLog;
import dev.trackrecord.api.me.MeRoutes;
import dev.trackrecord.api.me.ReputationView;
import dev.trackrecord.api.kafka.KafkaBridge;
import dev.trackrecord.api.privacy.Privacy;
import dev.trackrecord.api.privacy.RetentionJob;
import dev.trackrecord.ledger.privacy.Retention;
import dev.trackrecord.ledger.privacy.Vault;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.backup.Backup;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.reputation.Policy;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Fsck;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerEntrySource;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final ReputationIndex reputation;
    private Privacy privacy;

    private TrackRecordServer(Deque<AutoCloseable> resources, WebServer server, String verifierKey,
                              List<Api.Route> routes, Ledger ledger, ReputationIndex reputation) {
        this.resources = resources;
        this.ledger = ledger;
        this.reputation = reputation;
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

            refuseDamaged(dir, settings.openCheck());
            Ledger ledger = Ledger.open(LedgerOptions.defaults(dir.root(), settings.origin()));
            resources.push(ledger);
            SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
            if (ledger.size() == 0) {
                publishDefaultPolicy(ledger, validator);
            }
            Checkpointer checkpointer = new Checkpointer(ledger, signer, settings.checkpointInterval());
            resources.push(checkpointer);
            checkpointer.checkpointNow();

            // From the last snapshot if it matches the log, then whatever came after it.
            ReputationSnapshots snapshots = new ReputationSnapshots(settings.dataDir());
            ReputationIndex reputation = snapshots.load(new LedgerEntrySource(ledger), Clock.systemUTC());
            long replayStart = System.nanoTime();
            reputation.catchUp();
            LOG.info(() -> "reputation index " + (reputation.restoredFrom() < 0 ? "replayed the log"
                    : "restored at size " + reputation.restoredFrom()) + ", now at size " + reputation.appliedSize()
                    + " (" + (System.nanoTime() - replayStart) / 1_000_000 + " ms)");
            resources.push(() -> snapshots.save(reputation));
            resources.push(scheduleRankings(reputation, snapshots));
            if (!settings.kafka().isBlank()) {
                resources.push(KafkaBridge.start(KafkaBridge.Options.defaults(settings.kafka())
                        .withInstanceId(settings.nodeId()), ledger, reputation, Duration.ofMillis(100)));
            }

            Api api = new Api(ledger, checkpointer, new SubmissionValidator(Clock.systemUTC(), true),
                    new TokenVerifier(new JWKSet(issuerKey), settings.tokenIssuer()), verifierKey,
                    new Api.Limits(settings.maxBodyBytes()), reputation);
            resources.push(api.followLedgerInBackground());
            Privacy privacy = new Privacy(ledger, Vault.open(dir.root().resolve("vault")),
                    Retention.parse(settings.retention()), Clock.systemUTC());
            privacy.addTo(api);
            resources.push(new RetentionJob(ledger, privacy.vault(), Clock.systemUTC())
                    .schedule(settings.retentionInterval()));
            api.add(new Api.Route(io.helidon.http.Method.GET, "/v1/admin/backup", java.util.EnumSet.of(
                    dev.trackrecord.api.auth.Role.ADMIN)), (req, res, principal) -> {
                res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/zip");
                res.header(io.helidon.http.HeaderNames.CONTENT_DISPOSITION,
                        "attachment; filename=\"trackrecord-backup.zip\"");
                try (java.io.OutputStream out = res.outputStream()) {
                    Backup.Summary summary = Backup.write(ledger, dir, out, Clock.systemUTC());
                    LOG.info(() -> "backup for " + principal.subject() + ": " + summary);
                }
            });
            // Day files in DATA/access-log/; a DATA/access-log.jsonl from before is carried on as the oldest.
            AccessLog accessLog = AccessLog.open(settings.dataDir().resolve("access-log"), Clock.systemUTC(),
                    AccessLog.DEFAULT_CAPACITY, settings.accessLogRetention());
            resources.push(accessLog);
            resources.push(accessLog.scheduleRetention(Duration.ofHours(1)));
            api.recordReadsWith(accessLog);
            new MeRoutes(ledger, new SubmissionValidator(Clock.systemUTC()), signer.verifier(), accessLog,
                    new ReputationView() {
                        @Override
                        public Optional<byte[]> reputation(String contractor) throws Exception {
                            return api.reputationDocument(contractor);
                        }

                        @Override
                        public Optional<byte[]> history(String contractor) throws Exception {
                            return api.reputationHistory(contractor, 100);
                        }
                    }, Clock.systemUTC()).withPersonalData(privacy::personalJson).addTo(api);

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
                    // Without TCP_NODELAY a keep-alive client waits on delayed ACKs: about 40 ms a
                    // request here, which capped a plain health check at ~180 requests/s per connection.
                    .connectionOptions(options -> options.tcpNoDelay(true))
                    .featuresDiscoverServices(false)
                    .directHandlers(TransportProblems.handlers())
                    .addFeature(ObserveFeature.just(
                            HealthObserver.builder().details(true).addCheck(storage).build(),
                            MetricsObserver.create()))
                    .addFeature(OpenApiFeature.create())
                    .routing(routing -> {
                        api.register(routing);
                        MeRoutes.registerPage(routing);
                    })
                    .build();
            server.start();
            resources.push(server::stop);
            if (server.port() < 0) {
                throw new IllegalStateException("could not listen on " + settings.host() + ":" + settings.port()
                        + " (is the port in use?); pass another with --port or TRACKRECORD_PORT");
            }
            TrackRecordServer started = new TrackRecordServer(resources, server, verifierKey, api.routes(), ledger,
                    reputation);
            started.privacy = privacy;
            return started;
        } catch (IOException | RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /**
     * Builds the per-skill rankings for each evaluation period (hour) two minutes before it
     * begins, so that routing queries do not pay for it, and snapshots the index.
     */
    private static AutoCloseable scheduleRankings(ReputationIndex reputation, ReputationSnapshots snapshots) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("reputation-rankings").daemon(true).unstarted(r));
        long period = ReputationIndex.EVALUATION_PERIOD_MILLIS;
        long lead = 120_000;
        long delay = Math.floorMod(period - lead - Math.floorMod(System.currentTimeMillis(), period), period);
        scheduler.scheduleAtFixedRate(() -> {
            try {
                reputation.prepareRankings(reputation.nextEvaluationTime());
                snapshots.save(reputation);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not prepare the reputation rankings", e);
            }
        }, delay, period, TimeUnit.MILLISECONDS);
        // The first hour's rankings now, rather than in the first query.
        scheduler.execute(() -> reputation.prepareRankings(reputation.evaluationTime()));
        return scheduler::shutdownNow;
    }

    /** Runs the open-time check on an existing log and refuses to serve one that fails it. */
    private static void refuseDamaged(DataDirectory dir, Settings.OpenCheck check) throws IOException {
        if (check == Settings.OpenCheck.OFF || !Files.isDirectory(dir.store())) {
            return;
        }
        long start = System.nanoTime();
        Optional<String> problem = Fsck.checkBeforeServing(dir.root(), check == Settings.OpenCheck.SEAL);
        if (problem.isPresent()) {
            throw new IOException("the data directory " + dir.root() + " fails its check, so it is not served: "
                    + problem.get() + ". Run ./trackrecord fsck --data " + dir.root()
                    + " for the full report; restore from a backup (docs/reliability.md)");
        }
        LOG.info(() -> "open check (" + check.name().toLowerCase(java.util.Locale.ROOT) + ") passed in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /** A new log starts with the default scoring policy at seq 0, so every score names a policy in the log. */
    private static void publishDefaultPolicy(Ledger ledger, SubmissionValidator validator) throws IOException {
        try {
            var policy = validator.parse(Policy.defaultPolicyEntry().getBytes(StandardCharsets.UTF_8));
            ledger.append(List.of(policy), "trackrecord").get();
        } catch (EntryRejectedException e) {
            throw new IllegalStateException("the default policy entry is invalid: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing the default policy", e);
        } catch (ExecutionException e) {
            throw new IOException("could not publish the default policy: " + e.getCause().getMessage(), e.getCause());
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

    /** The reputation index that follows the ledger. */
    public ReputationIndex reputation() {
        return reputation;
    }

    /** The personal data vault and its retention. */
    public Privacy privacy() {
        return privacy;
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
