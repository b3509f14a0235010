package dev.trackrecord.tools;

import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.tools.bench.Report;
import dev.trackrecord.tools.bench.Results;
import dev.trackrecord.tools.bench.Suite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord bench}: runs the standard workloads (durable appends in process and over
 * REST, REST reads, export and verification, reopen and heap), the PostgreSQL baseline on the
 * same entries ({@code --vs postgres}) and the machine's limits in one run, and writes
 * {@code docs/BENCHMARKS.md} with an SVG plot beside it. {@code --quick} runs tiny sizes; the
 * test suite runs it so that the benchmark cannot rot.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs the benchmarks side by side with PostgreSQL (--vs postgres) and the machine's limits, "
                + "and writes docs/BENCHMARKS.md with a plot.",
                "Needs wrk for the HTTP rows and PostgreSQL for the baseline; as root it installs them with apt-get "
                        + "when missing. It starts its own PostgreSQL on 127.0.0.1 at a free port and stops it after."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--doc", defaultValue = "docs/BENCHMARKS.md", paramLabel = "FILE",
            description = "the document to write (default: ${DEFAULT-VALUE}); the plot goes beside it as benchmarks.svg")
    Path doc;

    @Option(names = "--dir", defaultValue = "target/bench", paramLabel = "DIR",
            description = "scratch directory, emptied first and removed after (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--append-entries", defaultValue = "1000000", paramLabel = "N",
            description = "entries per in-process and PostgreSQL batched append run (default: ${DEFAULT-VALUE})")
    long appendEntries;

    @Option(names = "--log-size", defaultValue = "1000000", paramLabel = "N",
            description = "size of the log exported, verified and reopened (default: ${DEFAULT-VALUE})")
    long logSize;

    @Option(names = "--large", description = "also build and reopen a log of 10,000,000 entries (several minutes)")
    boolean large;

    @Option(names = "--proofs", defaultValue = "1000000", paramLabel = "N",
            description = "proofs per proof measurement (default: ${DEFAULT-VALUE})")
    int proofs;

    @Option(names = "--seconds", defaultValue = "20", paramLabel = "S",
            description = "seconds per HTTP and PostgreSQL scenario, after a warm-up of a quarter of it (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--market-contractors", defaultValue = "5000", paramLabel = "N",
            description = "contractors in the simulated marketplace the reads run on (default: ${DEFAULT-VALUE})")
    int marketContractors;

    @Option(names = "--market-entries", defaultValue = "200000", paramLabel = "N",
            description = "about how many entries it holds (default: ${DEFAULT-VALUE})")
    int marketEntries;

    @Option(names = "--reputation-contractors", defaultValue = "100000", paramLabel = "N",
            description = "contractors, all in one skill, in the ledger the in-process reputation lookups and "
                    + "top-k run on (default: ${DEFAULT-VALUE})")
    int reputationContractors;

    @Option(names = "--vs", paramLabel = "BASELINE", description = "the baseline to measure beside TrackRecord: postgres")
    String vs;

    @Option(names = "--pg-url", paramLabel = "JDBC_URL",
            description = "with --vs postgres, use this server (e.g. jdbc:postgresql://host/db?user=u&password=p) "
                    + "instead of starting one; its tables entries, scores and skill_scores are replaced")
    String pgUrl;

    @Option(names = "--quick", description = "tiny sizes and 1-second scenarios, for a smoke run")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (vs != null && !vs.equals("postgres")) {
            throw new CommandLine.ParameterException(cmd, "--vs: the only baseline is postgres, was '" + vs + "'");
        }
        if (pgUrl != null && (vs == null || !pgUrl.startsWith("jdbc:postgresql:"))) {
            throw new CommandLine.ParameterException(cmd,
                    "--pg-url: needs --vs postgres and a jdbc:postgresql: URL, was '" + pgUrl + "'");
        }
        // Checked before --quick replaces it, so that a wrong value is refused even in a smoke run.
        if (reputationContractors < 10) {
            throw new CommandLine.ParameterException(cmd, "--reputation-contractors: must be at least 10 (one in ten "
                    + "holds a credential), was " + reputationContractors);
        }
        long limitMillis = 2000;
        int writeMib = 512;
        if (quick) {
            appendEntries = 2_000;
            logSize = 5_000;
            proofs = 2_000;
            seconds = 1;
            marketContractors = 50;
            marketEntries = 2_000;
            limitMillis = 200;
            writeMib = 16;
            reputationContractors = 1_000;
        }
        if (appendEntries < 100 || logSize < 100 || proofs < 1 || seconds < 1 || marketContractors < 1
                || marketEntries < 10) {
            throw new CommandLine.ParameterException(cmd, "--append-entries and --log-size must be at least 100, "
                    + "--proofs, --seconds and --market-contractors at least 1, --market-entries at least 10");
        }
        List<Long> sizes = new ArrayList<>(List.of(logSize));
        if (large && logSize != 10_000_000L) {
            sizes.add(10_000_000L);
        }
        // The command as given, less where it wrote (--doc, --dir), which does not change a figure.
        List<String> shown = new ArrayList<>();
        List<String> given = cmd.getParseResult().originalArgs();
        for (int i = given.isEmpty() || !given.get(0).equals("bench") ? 0 : 1; i < given.size(); i++) {
            String a = given.get(i);
            if (a.equals("--doc") || a.equals("--dir")) {
                i++;
            } else if (!a.startsWith("--doc=") && !a.startsWith("--dir=")) {
                shown.add(a);
            }
        }
        String command = "./trackrecord bench " + String.join(" ", shown);
        Suite.Options options = new Suite.Options(dir, appendEntries, sizes, proofs, seconds, marketContractors,
                marketEntries, limitMillis, writeMib, reputationContractors, vs != null, Optional.ofNullable(pgUrl));
        Results results = new Suite(options, BenchCommand::mint, System.err).run(command.strip());
        Report report = new Report(results);
        Path plot = doc.toAbsolutePath().resolveSibling("benchmarks.svg");
        Files.createDirectories(plot.getParent());
        Files.writeString(plot, report.svg(), StandardCharsets.UTF_8);
        Files.writeString(doc, report.markdown(plot.getFileName().toString()) + keptSections(doc), StandardCharsets.UTF_8);
        cmd.getOut().println("wrote " + doc + " and " + plot);
        return 0;
    }

    /** Marks where the sections that other commands measured begin; the generated part ends above it. */
    static final String KEPT_MARKER =
            "<!-- Sections below are measured by other commands; ./trackrecord bench keeps them as they are. -->";

    /** The sections of an existing doc from {@link #KEPT_MARKER} on, or nothing. */
    private static String keptSections(Path doc) throws java.io.IOException {
        if (!Files.exists(doc)) {
            return "";
        }
        String existing = Files.readString(doc, StandardCharsets.UTF_8);
        int at = existing.indexOf(KEPT_MARKER);
        return at < 0 ? "" : "\n" + existing.substring(at);
    }

    private static String mint(Path data, String role) throws Exception {
        DataDirectory dir = new DataDirectory(data);
        ECKey key = ECKey.parse(Files.readString(dir.tokenIssuerKey(), StandardCharsets.UTF_8));
        return TokenCommand.mint(key, "trackrecord:" + dir.loadCheckpointVerifier().name(), role + "-bench", role, null,
                Duration.ofDays(1));
    }
}
