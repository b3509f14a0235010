package dev.trackrecord.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.LogConflictException;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord import FILE.jsonl (--data DIR | --server URL --token T)}: bulk-loads
 * entries, one submission per line as {@code POST /v1/entries} takes them (a marketplace's
 * history with its own {@code occurred_at}), through the same validation and event_id
 * idempotency. Invalid lines are refused and reported with their line number and every
 * violation; the rest are appended in batches. Re-running an import appends nothing twice.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Bulk-loads entries from a JSON Lines file into a stopped data directory or a running service.")
final class ImportCommand implements Callable<Integer> {
    private static final int MAX_REPORTED = 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "one submission per line: {\"kind\",\"contractor\",\"event_id\",\"body\"}")
    Path file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--data", paramLabel = "DIR", description = "a stopped data directory to append to")
        Path data;

        @Option(names = "--server", paramLabel = "URL", description = "a running service, e.g. http://localhost:8080")
        URI server;
    }

    @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token with the ingest role (with --server)")
    String token;

    @Option(names = "--source", defaultValue = "import", paramLabel = "NAME",
            description = "recorded as the entries' source with --data (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "N", description = "entries per request, 1..1000 (default: ${DEFAULT-VALUE})")
    int batch;

    private final Map<Integer, String> refused = new LinkedHashMap<>();
    private long appended;
    private long duplicates;
    private long refusedCount;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (batch < 1 || batch > 1000) {
            throw new CommandLine.ParameterException(cmd, "--batch: must be between 1 and 1000");
        }
        if (target.server != null && (token == null || token.isBlank())) {
            throw new CommandLine.ParameterException(cmd, "--token: required with --server");
        }
        if (!Files.isReadable(file)) {
            throw new CommandLine.ParameterException(cmd, file + ": no such readable file");
        }
        long total;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            total = lines.count();
        }
        SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
        Sink sink = target.data != null ? new LedgerSink(target.data, source) : new HttpSink(target.server, token);
        PrintWriter err = cmd.getErr();
        long start = System.nanoTime();
        try (sink; BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<Integer> lineNumbers = new ArrayList<>();
            List<Submission> pending = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    pending.add(validator.parse(line.getBytes(StandardCharsets.UTF_8)));
                    lineNumbers.add(n);
                    raw.add(line);
                } catch (EntryRejectedException e) {
                    refuse(n, describe(e.violations()));
                }
                if (pending.size() == batch) {
                    flush(sink, pending, raw, lineNumbers);
                }
                if (n % 1000 == 0) {
                    progress(err, n, total, start);
                }
            }
            flush(sink, pending, raw, lineNumbers);
            progress(err, n, total, start);
            err.println();
        }
        PrintWriter out = cmd.getOut();
        out.printf("imported %s: %d appended, %d already present, %d refused%n", file, appended, duplicates, refusedCount);
        refused.forEach((lineNo, why) -> out.printf("  line %d: %s%n", lineNo, why));
        if (refusedCount > refused.size()) {
            out.printf("  ... and %d more refused lines%n", refusedCount - refused.size());
        }
        return refusedCount == 0 ? 0 : 1;
    }

    private void flush(Sink sink, List<Submission> pending, List<String> raw, List<Integer> lineNumbers) throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        Result r = sink.append(pending, raw);
        if (r.conflict() == null) {
            count(r.appended());
        } else {
            // An event_id or a dispute did not fit the log, so the ledger took none of the batch: send
            // them one by one.
            for (int i = 0; i < pending.size(); i++) {
                Result one = sink.append(List.of(pending.get(i)), List.of(raw.get(i)));
                if (one.conflict() != null) {
                    refuse(lineNumbers.get(i), one.conflict());
                } else {
                    count(one.appended());
                }
            }
        }
        pending.clear();
        raw.clear();
        lineNumbers.clear();
    }

    private void count(List<Boolean> duplicateFlags) {
        for (boolean dup : duplicateFlags) {
            if (dup) {
                duplicates++;
            } else {
                appended++;
            }
        }
    }

    private void refuse(int line, String why) {
        refusedCount++;
        if (refused.size() < MAX_REPORTED) {
            refused.put(line, why);
        }
    }

    private static String describe(List<Violation> violations) {
        StringBuilder b = new StringBuilder();
        for (Violation v : violations) {
            if (!b.isEmpty()) {
                b.append("; ");
            }
            b.append(v.path()).append(": ").append(v.rule());
        }
        return b.toString();
    }

    private static void progress(PrintWriter err, long done, long total, long start) {
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        int width = 30;
        int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
        err.printf("\r[%s%s] %,d/%,d lines, %,.0f lines/s", "#".repeat(filled), " ".repeat(width - filled), done, total,
                done / secs);
        err.flush();
    }

    /** The outcome of one append request: duplicate flags, or the conflict that refused it. */
    private record Result(List<Boolean> appended, String conflict) {
    }

    private interface Sink extends AutoCloseable {
        Result append(List<Submission> subs, List<String> raw) throws Exception;

        @Override
        void close();
    }

    private static final class LedgerSink implements Sink {
        private final Ledger ledger;
        private final String source;

        LedgerSink(Path data, String source) throws IOException {
            DataDirectory dir = new DataDirectory(data);
            String origin = dir.loadCheckpointVerifier().name();
            this.ledger = Ledger.open(LedgerOptions.defaults(data, origin));
            this.source = source;
        }

        @Override
        public Result append(List<Submission> subs, List<String> raw) {
            try {
                List<Appended> acks = ledger.append(subs, source).join();
                return new Result(acks.stream().map(Appended::duplicate).toList(), null);
            } catch (CompletionException e) {
                if (e.getCause() instanceof LogConflictException c) {
                    return new Result(List.of(), c.getMessage());
                }
                throw e;
            }
        }

        @Override
        public void close() {
            ledger.close();
        }
    }

    private static final class HttpSink implements Sink {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final ObjectMapper json = new ObjectMapper();
        private final URI entries;
        private final String token;

        HttpSink(URI server, String token) {
            this.entries = server.resolve("/v1/entries");
            this.token = token;
        }

        @Override
        public Result append(List<Submission> subs, List<String> raw) throws Exception {
            String body = "{\"entries\":[" + String.join(",", raw) + "]}";
            for (int attempt = 0; ; attempt++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(entries)
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = res.statusCode();
                if (status == 200 || status == 201) {
                    List<Boolean> flags = new ArrayList<>();
                    for (JsonNode e : json.readTree(res.body()).path("entries")) {
                        flags.add(e.path("duplicate").asBoolean());
                    }
                    return new Result(flags, null);
                }
                JsonNode problem = json.readTree(res.body().isEmpty() ? "{}" : res.body());
                String detail = problem.path("detail").asText("HTTP " + status);
                if (status == 409 || status == 400) {
                    return new Result(List.of(), detail);
                }
                if (status == 503 && attempt < 20) {
                    long wait = res.headers().firstValueAsLong("Retry-After").orElse(1);
                    Thread.sleep(Math.min(30, wait) * 1000);
                    continue;
                }
                throw new IOException(entries + " answered " + status + ": " + detail);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
