package dev.trackrecord.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.api.Main;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of every standard workload, side by side with the PostgreSQL baseline and the machine's
 * limits, in this order: the limits (CPU per entry, fsync, write bandwidth), in-process appends,
 * the reputation index in process (lookups and top-k on a ledger of one skill), logs of the given sizes (export, verify, reopen, heap, proofs), the service over HTTP driven by
 * wrk (reads on a simulated marketplace, then appends) beside a plain Helidon endpoint, then
 * PostgreSQL on the same entries. A part that cannot run (no wrk, no PostgreSQL) leaves its rows
 * "not measured" with the reason, and the rest still runs.
 */
public final class Suite {
    static final String ORIGIN = "trackrecord.local/ledger";
    static final String ID_FORMAT = "c-%05d";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Mints a bearer token for a running service's data directory. */
    public interface TokenMinter {
        String mint(Path dataDir, String role) throws Exception;
    }

    /**
     * @param scratch          where logs, the service's data directory and probe files go (emptied first)
     * @param appendEntries    entries per in-process batched append measurement, and per PostgreSQL batch run
     * @param logSizes         sizes of the logs for export/verify (first size only), reopen, heap and proofs
     * @param proofs           proofs per proof measurement
     * @param seconds          seconds per HTTP and PostgreSQL scenario, each after a warm-up of a quarter of it
     *                         (none below 4 s, so that a smoke run stays short)
     * @param marketContractors contractors in the simulated marketplace the reads run on
     * @param marketEntries    about how many entries it has
     * @param limitMillis      milliseconds per CPU limit measurement and for the fsync probe
     * @param writeMib         MiB written by the bandwidth probe
     * @param reputationContractors contractors in the one skill of the in-process reputation measurement
     * @param postgres         measure the PostgreSQL baseline
     * @param postgresUrl      a JDBC URL of a server to use instead of starting one
     */
    public record Options(Path scratch, long appendEntries, List<Long> logSizes, int proofs, int seconds,
                          int marketContractors, int marketEntries, long limitMillis, int writeMib,
                          int reputationContractors, boolean postgres, Optional<String> postgresUrl) {
    }

    private final Options o;
    private final TokenMinter minter;
    private final PrintStream progress;
    private final LedgerBench ledgerBench;
    private final Results r = new Results();
    private final long t0 = System.nanoTime();

    public Suite(Options options, TokenMinter minter, PrintStream progress) {
        this.o = options;
        this.minter = minter;
        this.progress = progress;
        this.ledgerBench = new LedgerBench(options.scratch().resolve("ledger"), progress);
    }

    public Results run(String command) throws Exception {
        LedgerBench.deleteTree(o.scratch());
        Files.createDirectories(o.scratch().resolve("ledger"));
        r.command = command;
        r.started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        r.loadBefore = loadAverage();
        r.machine = Machine.describe(o.scratch());
        r.dataDisk = Machine.disk(o.scratch());
        r.appendEntries = o.appendEntries();
        r.restSeconds = o.seconds();
        r.marketContractors = o.marketContractors();
        r.marketEntries = o.marketEntries();

        limits();
        inProcessAppends();
        reputation();
        for (int i = 0; i < o.logSizes().size(); i++) {
            long size = o.logSizes().get(i);
            step("log of %,d entries: build%s, reopen, heap, proofs", size, i == 0 ? ", export, verify" : "");
            r.sizes.add(ledgerBench.atSize(size, o.proofs(), i == 0));
        }
        List<PostgresBench.Row> marketRows = new ArrayList<>();
        Map<String, byte[]> scoreBodies = new LinkedHashMap<>();
        List<Object[]> skillRows = new ArrayList<>();
        rest(marketRows, scoreBodies, skillRows);
        if (o.postgres()) {
            postgres(marketRows, scoreBodies, skillRows);
        } else {
            r.postgres = "not measured: run with --vs postgres";
        }
        r.finished = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        r.loadAfter = loadAverage();
        LedgerBench.deleteTree(o.scratch());
        return r;
    }

    private void limits() throws IOException {
        step("limits: canonical JSON and SHA-256 per entry, fsync rate, write bandwidth");
        r.entryBytes = Limits.entryBytes(ledgerBench::submission);
        double encode = Limits.canonicalEncodeNanos(ledgerBench::submission, o.limitMillis());
        double parse = Limits.canonicalParseNanos(ledgerBench::submission, o.limitMillis());
        double hash = Limits.leafHashNanos(ledgerBench::submission, o.limitMillis());
        r.limits.put("encode", Figure.of(1e9 / encode, "entries/s"));
        r.limits.put("parse", Figure.of(1e9 / parse, "entries/s"));
        r.limits.put("hash", Figure.of(1e9 / hash, "entries/s"));
        r.limits.put("cpu", Figure.of(1e9 / (encode + hash), "entries/s"));
        r.limits.put("fsync", Limits.fsyncRate(o.scratch(), o.limitMillis()));
        r.limits.put("fsync.inPlace", Limits.fsyncRateInPlace(o.scratch(), o.limitMillis()));
        r.limits.put("write", Limits.sequentialWrite(o.scratch(), o.writeMib()));
    }

    private void inProcessAppends() throws Exception {
        for (int batch : new int[] {10, 100, 1000, 10_000}) {
            step("in-process appends, batches of %,d", batch);
            r.trackrecord.put("append.batch" + batch, ledgerBench.appendBatches(o.appendEntries(), batch));
        }
        step("in-process appends, single entries from 64 callers");
        r.trackrecord.put("append.single", ledgerBench.appendSingles(Math.max(1000, o.appendEntries() / 4)));
        int entries = (int) Math.min(o.appendEntries(), 200_000);
        int rounds = entries >= 50_000 ? 7 : 1;
        step("in-process appends of a simulated marketplace with and without scoring, %d rounds", rounds);
        ScoringCost.Result scoring = ScoringCost.measure(o.scratch().resolve("scoring"), entries, 100, rounds, progress);
        r.trackrecord.put("append.unscored", Figure.of(scoring.withoutScoring(), "entries/s"));
        r.trackrecord.put("append.scored", Figure.of(scoring.withScoring(), "entries/s"));
        r.trackrecord.put("append.scoringLag", Figure.of(scoring.lagMillis(), "ms"));
        r.scoringRounds = rounds;
        r.scoringCosts = scoring.roundCosts();
        r.followerShare = scoring.followerShare();
        r.scoringAlone = scoring.alone();
    }

    private void reputation() throws Exception {
        step("reputation in process: %,d contractors in one skill, replay, lookups, batches, top-k",
                o.reputationContractors());
        r.reputationLoadBefore = loadAverage();
        ReputationBench.Result result = ReputationBench.measure(o.scratch().resolve("reputation"),
                o.reputationContractors(), progress);
        r.reputationLoadAfter = loadAverage();
        r.reputationContractors = result.contractors();
        r.reputationEntries = result.entries();
        r.reputation.putAll(result.figures());
        LedgerBench.deleteTree(o.scratch().resolve("reputation"));
    }

    private void rest(List<PostgresBench.Row> marketRows, Map<String, byte[]> scoreBodies, List<Object[]> skillRows)
            throws Exception {
        Wrk wrk;
        try {
            wrk = Wrk.find(o.scratch(), r.notes);
        } catch (IOException e) {
            for (String k : List.of("rest.plain", "rest.score", "rest.entry", "rest.history", "rest.proof", "rest.top",
                    "rest.append.single", "rest.append.batch")) {
                r.trackrecord.put(k, Figure.notMeasured(e.getMessage()));
            }
            r.limits.put("plain", Figure.notMeasured(e.getMessage()));
            r.limits.put("plain.post", Figure.notMeasured(e.getMessage()));
            r.generator = "not available: " + e.getMessage();
            // PostgreSQL still reads the same marketplace.
            fillMarketplace(o.scratch().resolve("service"), marketRows);
            return;
        }
        r.generator = wrk.describe() + ", on the same cores as the server, as a separate process";
        int warm = o.seconds() / 4;

        Path data = o.scratch().resolve("service");
        long size = fillMarketplace(data, marketRows);
        step("the service over HTTP: reads on %,d entries, then appends", size);
        try (ChildProcess service = ChildProcess.start(Main.class, o.scratch().resolve("service.log"),
                "--data", data.toString(), "--port", "{port}", "--origin", ORIGIN).awaitHttp("/observe/health", 120_000);
             ChildProcess plain = ChildProcess.start(PlainJsonServer.class, o.scratch().resolve("plain.log"), "{port}")
                     .awaitHttp("/plain/x", 60_000)) {
            String reader = minter.mint(data, "compliance");
            String ingest = minter.mint(data, "ingest");
            fetchScores(service.url(), reader, scoreBodies, skillRows);
            plainAndLookup(wrk, plain.url(), service.url(), reader, o.seconds() / 2);
            Map<String, Map<String, String>> reads = new LinkedHashMap<>();
            reads.put("rest.history", Map.of("PATH_PREFIX", "/v1/contractors/", "PATH_SUFFIX", "/entries?limit=20"));
            for (var e : reads.entrySet()) {
                Map<String, String> env = new LinkedHashMap<>(e.getValue());
                env.putAll(Map.of("TOKEN", reader, "FORMAT", ID_FORMAT, "MIN", "1",
                        "MAX", Integer.toString(o.marketContractors())));
                warmUp(wrk, service.url(), "read.lua", env, warm);
                r.trackrecord.put(e.getKey(), wrk.run(service.url(), "read.lua", 64, o.seconds(), 1, "requests/s", env));
            }
            Map<String, String> entryEnv = Map.of("TOKEN", reader, "PATH_PREFIX", "/v1/entries/",
                    "MIN", "0", "MAX", Long.toString(size - 1));
            warmUp(wrk, service.url(), "read.lua", entryEnv, warm);
            r.trackrecord.put("rest.entry", wrk.run(service.url(), "read.lua", 64, o.seconds(), 1, "requests/s", entryEnv));
            Map<String, String> proofEnv = Map.of("TOKEN", reader, "PATH_PREFIX",
                    "/v1/proofs/inclusion?tree_size=" + size + "&seq=", "MIN", "0", "MAX", Long.toString(size - 1));
            warmUp(wrk, service.url(), "read.lua", proofEnv, warm);
            r.trackrecord.put("rest.proof", wrk.run(service.url(), "read.lua", 64, o.seconds(), 1, "requests/s", proofEnv));
            Map<String, String> topEnv = Map.of("TOKEN", reader, "PATHS", String.join("|",
                    Marketplace.SKILLS.stream().map(s -> "/v1/reputation/top?skill=" + s + "&limit=10").toList()));
            warmUp(wrk, service.url(), "read.lua", topEnv, warm);
            r.trackrecord.put("rest.top", wrk.run(service.url(), "read.lua", 64, o.seconds(), 1, "requests/s", topEnv));

            // The append path (validation, the writer, the follower) is compiled only once appends
            // come: on a loaded machine C2 was still compiling through the first 30 s of appends
            // (jstat -compiler), and after 15 s of them still took 14-24% of the service's CPU.
            // Each audit names one of the marketplace's skills, whose rankings the service keeps
            // since the top-k reads above: scoring re-keys the contractor as it would in service.
            String skills = String.join(",", Marketplace.SKILLS);
            warmUp(wrk, service.url(), "append.lua", Map.of("TOKEN", ingest, "RUN", "warm", "SKILLS", skills),
                    2 * o.seconds());
            // The same requests to a plain POST endpoint, right before: what single appends cannot beat.
            warmUp(wrk, plain.url(), "append.lua", Map.of("TOKEN", ingest, "RUN", "plain-warm", "SKILLS", skills), warm);
            r.limits.put("plain.post", wrk.run(plain.url(), "append.lua", 64, o.seconds(), 1, "requests/s",
                    Map.of("TOKEN", ingest, "RUN", "plain", "SKILLS", skills)));
            ThreadCpu.Snapshot before = ThreadCpu.available() ? ThreadCpu.of(service.pid()) : null;
            Figure single = wrk.run(service.url(), "append.lua", 64, o.seconds(), 1, "entries/s",
                    Map.of("TOKEN", ingest, "RUN", "single", "SKILLS", skills));
            r.trackrecord.put("rest.append.single", single);
            if (before != null && single.measured()) {
                r.appendCpu = before.microsPer(ThreadCpu.of(service.pid()), Math.round(single.value() * o.seconds()));
            }
            if (warm > 0) {
                wrk.run(service.url(), "batch.lua", 16, warm, 1000, "", Map.of("TOKEN", ingest, "RUN", "warm-batch",
                        "BATCH", "1000"));
            }
            r.trackrecord.put("rest.append.batch", wrk.run(service.url(), "batch.lua", 16, o.seconds(), 1000, "entries/s",
                    Map.of("TOKEN", ingest, "RUN", "batch", "BATCH", "1000")));
        }
    }

    /** Rounds of the plain endpoint and of the score lookup, one after the other, to compare. */
    static final int PAIRED_ROUNDS = 5;

    /**
     * The plain Helidon endpoint and the score lookup, in alternating rounds so that both see the
     * same machine; both are sent the same requests but for the path, the reader's bearer token
     * included (the plain endpoint ignores it). Keeps the median round of each, and the median of
     * the rounds' lookup / plain ratios.
     */
    private void plainAndLookup(Wrk wrk, String plainUrl, String serviceUrl, String token, int warm) throws Exception {
        step("plain Helidon JSON endpoint and score lookup, %d alternating rounds", PAIRED_ROUNDS);
        Map<String, String> common = Map.of("TOKEN", token, "FORMAT", ID_FORMAT, "MIN", "1",
                "MAX", Integer.toString(o.marketContractors()));
        Map<String, String> plainEnv = new LinkedHashMap<>(common);
        plainEnv.put("PATH_PREFIX", "/plain/");
        Map<String, String> lookupEnv = new LinkedHashMap<>(common);
        lookupEnv.putAll(Map.of("PATH_PREFIX", "/v1/contractors/", "PATH_SUFFIX", "/reputation"));
        warmUp(wrk, plainUrl, "read.lua", plainEnv, warm);
        warmUp(wrk, serviceUrl, "read.lua", lookupEnv, warm);
        List<Figure> plains = new ArrayList<>();
        List<Figure> lookups = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < PAIRED_ROUNDS; round++) {
            Figure p = wrk.run(plainUrl, "read.lua", 64, o.seconds(), 1, "requests/s", plainEnv);
            Figure l = wrk.run(serviceUrl, "read.lua", 64, o.seconds(), 1, "requests/s", lookupEnv);
            plains.add(p);
            lookups.add(l);
            if (p.measured() && l.measured()) {
                ratios.add(l.value() / p.value());
            }
            progress.printf("  round %d: plain %s, lookup %s%n", round + 1, p.text(), l.text());
        }
        r.limits.put("plain", medianRound(plains));
        r.trackrecord.put("rest.score", medianRound(lookups));
        r.lookupShares = ratios;
    }

    /** The round with the median rate (the lower middle one of an even count), or why none was measured. */
    static Figure medianRound(List<Figure> rounds) {
        List<Figure> measured = rounds.stream().filter(Figure::measured)
                .sorted(java.util.Comparator.comparingDouble(Figure::value)).toList();
        if (measured.isEmpty()) {
            return rounds.isEmpty() ? Figure.notMeasured("not run") : rounds.get(0);
        }
        return measured.get((measured.size() - 1) / 2);
    }

    /**
     * Fills a new data directory with the simulated marketplace (as {@code serve --demo} does) and
     * keeps its entries, chained by the ledger, for PostgreSQL. Returns the log size.
     */
    private long fillMarketplace(Path data, List<PostgresBench.Row> rows) throws Exception {
        step("simulated marketplace: %,d contractors, about %,d entries", o.marketContractors(), o.marketEntries());
        Marketplace market = Marketplace.generate(new Marketplace.Options(o.marketContractors(), o.marketEntries(), 1,
                Instant.now().truncatedTo(ChronoUnit.HOURS)));
        NoteSigner signer = new DataDirectory(data).loadOrCreateCheckpointSigner(ORIGIN);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, ORIGIN));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofDays(1))) {
            market.feed(subs -> ledger.append(subs, "simulator").get().stream().mapToLong(Appended::seq).toArray(), 1000);
            checkpointer.checkpointNow();
            for (long seq = 0; seq < ledger.size(); seq++) {
                byte[] canonical = ledger.entry(seq).orElseThrow();
                Entry e = Entry.parse(canonical);
                rows.add(new PostgresBench.Row(seq, e.contractor(), e.eventId(), e.cprev(), e.prev(),
                        ledger.leafHash(seq), canonical));
            }
            return ledger.size();
        }
    }

    /** Each contractor's reputation as the service serves it, for PostgreSQL's stored score rows. */
    private void fetchScores(String url, String token, Map<String, byte[]> bodies, List<Object[]> skillRows)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 1; i <= o.marketContractors(); i++) {
            String id = String.format(ID_FORMAT, i);
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/contractors/" + id + "/reputation"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                continue;
            }
            bodies.put(id, res.body());
            JsonNode skills = JSON.readTree(res.body()).path("skills");
            for (Iterator<Map.Entry<String, JsonNode>> it = skills.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> s = it.next();
                skillRows.add(new Object[] {s.getKey(), id, s.getValue().path("lower").asDouble(),
                        s.getValue().path("score").asDouble()});
            }
        }
    }

    private void postgres(List<PostgresBench.Row> marketRows, Map<String, byte[]> scoreBodies, List<Object[]> skillRows) {
        LocalPostgres local = null;
        try {
            String url;
            if (o.postgresUrl().isPresent()) {
                url = o.postgresUrl().get();
            } else {
                step("starting a local PostgreSQL");
                local = LocalPostgres.start(r.notes);
                url = local.jdbcUrl();
                r.postgresDisk = Machine.disk(local.dataDir());
            }
            PostgresBench pg = new PostgresBench(url);
            pg.createSchema();
            r.postgres = pg.serverVersion() + (local != null
                    ? ", a fresh cluster (initdb) on 127.0.0.1, default settings"
                    : " at " + url.replaceAll("password=[^&]*", "password=…"));
            double warm = o.seconds() / 4;
            step("PostgreSQL: JDBC batches of 1,000 from 16 connections");
            pg.appendBatches(ledgerBench::submission, Math.min(o.appendEntries(), 20_000), 1000, 16);
            pg.truncateEntries();
            r.postgresFigures.put("append.batch1000", pg.appendBatches(ledgerBench::submission, o.appendEntries(), 1000, 16));
            pg.truncateEntries();
            step("PostgreSQL: single-row transactions from 64 connections");
            if (warm > 0) {
                pg.appendSingles(ledgerBench::submission, 0, 64, warm);
                pg.truncateEntries();
            }
            r.postgresFigures.put("append.single", pg.appendSingles(ledgerBench::submission, 0, 64, o.seconds()));
            pg.truncateEntries();
            step("PostgreSQL: reads on the same %,d entries", marketRows.size());
            pg.load(marketRows);
            pg.loadScores(scoreBodies, skillRows);
            if (warm > 0) {
                pg.scoreRow(ID_FORMAT, o.marketContractors(), 64, warm);
            }
            r.postgresFigures.put("score", pg.scoreRow(ID_FORMAT, o.marketContractors(), 64, o.seconds()));
            if (warm > 0) {
                pg.history(ID_FORMAT, o.marketContractors(), 64, warm);
            }
            r.postgresFigures.put("history", pg.history(ID_FORMAT, o.marketContractors(), 64, o.seconds()));
            if (warm > 0) {
                pg.entry(marketRows.size(), 64, warm);
            }
            r.postgresFigures.put("entry", pg.entry(marketRows.size(), 64, o.seconds()));
            if (warm > 0) {
                pg.top(Marketplace.SKILLS, 64, warm);
            }
            r.postgresFigures.put("top", pg.top(Marketplace.SKILLS, 64, o.seconds()));
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().strip().replace('\n', ' ');
            r.postgres = "not measured: " + reason;
            for (String k : List.of("append.batch1000", "append.single", "score", "entry", "history", "top")) {
                r.postgresFigures.putIfAbsent(k, Figure.notMeasured(reason));
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private static void warmUp(Wrk wrk, String url, String script, Map<String, String> env, int seconds)
            throws IOException, InterruptedException {
        if (seconds > 0) {
            wrk.run(url, script, 64, seconds, 1, "", env);
        }
    }

    private void step(String format, Object... args) {
        progress.printf("bench [%3d s]: " + format + "%n", prepend((System.nanoTime() - t0) / 1_000_000_000L, args));
        progress.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
