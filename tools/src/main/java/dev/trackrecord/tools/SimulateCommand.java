package dev.trackrecord.tools;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.simulation.Marketplace;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord simulate}: generates a marketplace ({@link Marketplace}) into a stopped data
 * directory or a running service, and writes the hidden truth to a file. The entries start with
 * the default policy entry (a duplicate where the log already has it) and the same seed and
 * {@code --end} give the same entries.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Generates a simulated marketplace into a data directory or a running service, "
                + "and writes the hidden truth (JSON, or CSV when FILE ends in .csv).")
final class SimulateCommand implements Callable<Integer> {
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--data", paramLabel = "DIR", description = "a data directory; the service must be stopped")
        Path data;

        @Option(names = "--server", paramLabel = "URL", description = "a running service, such as http://localhost:8080")
        URI server;
    }

    @Option(names = "--token", paramLabel = "T", description = "bearer token with role ingest or admin (with --server)")
    String token;

    @Option(names = "--origin", paramLabel = "ORIGIN", defaultValue = "trackrecord.local/ledger",
            description = "origin of a new data directory's log (default: ${DEFAULT-VALUE})")
    String origin;

    @Option(names = "--contractors", paramLabel = "N", defaultValue = "1000", description = "default: ${DEFAULT-VALUE}")
    int contractors;

    @Option(names = "--entries", paramLabel = "N", defaultValue = "20000",
            description = "about this many entries (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--end", paramLabel = "TIME",
            description = "every occurred_at is before it, over the year up to it (default: the start of this hour)")
    Instant end;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "entries per append (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--truth", required = true, paramLabel = "FILE", description = "where to write the hidden truth")
    Path truth;

    @Override
    public Integer call() {
        if (target.server != null && (token == null || token.isBlank())) {
            throw usage("--server needs --token");
        }
        if (batch < 1 || batch > 1000) {
            throw usage("--batch must be from 1 to 1000, was " + batch);
        }
        if (end != null && end.isAfter(Instant.now().plus(SubmissionValidator.CLOCK_SKEW))) {
            throw usage("--end must not be in the future (occurred_at may not be), was " + end);
        }
        Marketplace market;
        try {
            Instant until = end != null ? end : Instant.now().truncatedTo(ChronoUnit.HOURS);
            market = Marketplace.generate(new Marketplace.Options(contractors, entries, seed, until));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        try {
            long[] seqs = target.data != null ? intoDataDirectory(market) : intoService(market);
            String text = truth.getFileName().toString().endsWith(".csv") ? market.truth().toCsv() : market.truth().toJson();
            Files.writeString(truth, text, StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("appended " + seqs.length + " entries (seqs " + seqs[0] + " to "
                    + seqs[seqs.length - 1] + ") for " + contractors + " contractors; truth in " + truth);
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
    }

    private long[] intoDataDirectory(Marketplace market) throws Exception {
        DataDirectory dir = new DataDirectory(target.data);
        NoteSigner signer = dir.loadOrCreateCheckpointSigner(origin);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(target.data, signer.name()));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofDays(1))) {
            long[] seqs = market.feed(submissions -> ledger.append(submissions, "simulator").get().stream()
                    .mapToLong(Appended::seq).toArray(), batch);
            // A signed checkpoint over the result, so that export can serve it at once.
            checkpointer.checkpointNow();
            return seqs;
        }
    }

    private long[] intoService(Marketplace market) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI entries = target.server.resolve("/v1/entries");
        return market.feed(submissions -> {
            String body = requestBody(submissions);
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(entries)
                            .header("Authorization", "Bearer " + token.strip())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (res.statusCode() / 100 != 2) {
                throw new IOException("POST " + entries + " answered " + res.statusCode() + ": " + res.body());
            }
            Matcher m = SEQ.matcher(res.body());
            long[] seqs = new long[submissions.size()];
            int i = 0;
            while (m.find() && i < seqs.length) {
                seqs[i++] = Long.parseLong(m.group(1));
            }
            if (i != seqs.length) {
                throw new IOException("POST " + entries + " answered " + i + " seqs for " + seqs.length + " entries");
            }
            return seqs;
        }, batch);
    }

    /** {@code {"entries":[...]}} with each submission's body as its canonical bytes. */
    static String requestBody(List<Submission> submissions) {
        StringBuilder b = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            b.append(i == 0 ? "" : ",").append("{\"kind\":\"").append(s.kind().wire()).append("\",\"contractor\":\"")
                    .append(s.contractor()).append("\",\"event_id\":\"").append(s.eventId()).append("\",\"body\":")
                    .append(new String(s.bodyBytes(), StandardCharsets.UTF_8)).append('}');
        }
        return b.append("]}").toString();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
