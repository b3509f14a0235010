package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The benchmark's smoke run: the whole pipeline (limits, in-process appends, export and verify,
 * reopen, the service and a plain Helidon endpoint under wrk, PostgreSQL) at tiny sizes into a
 * temporary document, so that the benchmark cannot rot. Without wrk or PostgreSQL their rows must
 * say "not measured" and why; with CI set (where .ci/run installs both) they must be measured.
 */
class BenchCommandTest {
    private static final boolean CI = System.getenv("CI") != null && !System.getenv("CI").isBlank();
    /** A measured cell: a number and a unit; or "not measured: reason". */
    private static final Pattern CELL = Pattern.compile("[0-9][0-9,.]* [a-zA-Z/ ]+.*|not measured: .+");

    /** A duration cell of the reputation table. */
    private static final Pattern DURATION = Pattern.compile("[0-9][0-9.]* (ns|µs|ms|s)");

    @TempDir
    Path tmp;

    private String err;

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setOut(new PrintWriter(o));
        cmd.setErr(new PrintWriter(e));
        int code = cmd.execute(args);
        err = e.toString();
        return code;
    }

    @Test
    void bench_quickVsPostgres_writesEveryRowWithRatiosAndThePlot() throws Exception {
        Path doc = tmp.resolve("docs/BENCHMARKS.md");
        // A doc from an earlier run: its generated part is replaced, its kept sections stay.
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, "# old figures\n\n| stale | row |\n\n" + BenchCommand.KEPT_MARKER
                + "\n\n## Kafka\n\nmeasured by another command\n");

        int code = run("bench", "--quick", "--vs", "postgres", "--doc", doc.toString(), "--dir", tmp.resolve("scratch").toString());

        assertThat(code).as(err).isZero();
        String text = Files.readString(doc);
        assertThat(text).doesNotContain("| stale | row |").endsWith(BenchCommand.KEPT_MARKER
                + "\n\n## Kafka\n\nmeasured by another command\n");
        assertThat(text).contains("Command: `./trackrecord bench --quick --vs postgres`")
                .contains("Machine: ").contains(" cores, ")
                .contains("| workload | TrackRecord | p50 | p99 | PostgreSQL | p50 | p99 | TrackRecord / PostgreSQL |")
                .contains("| workload | TrackRecord | p50 | p99 | limit | what bounds it | TrackRecord / limit |")
                .contains("![TrackRecord and PostgreSQL side by side").contains("(benchmarks.svg)")
                .contains("## What keeping scores costs appends");
        assertThat(row(text, "| with scoring |")[1]).matches(CELL);
        assertThat(row(text, "| cost of scoring (1 - with / without) |")[1]).matches("-?[0-9.]+%");
        assertThat(row(text, "| scores caught up after the last acknowledgement |")[1]).matches(CELL);
        assertThat(tmp.resolve("docs/benchmarks.svg")).content().startsWith("<svg").contains("score lookup");
        assertThat(tmp.resolve("scratch")).doesNotExist();

        List<String> sideBySide = List.of("durable append, batches of 1,000", "durable append, REST batches of 1,000",
                "durable append, single entries, 64 callers", "durable append, single entries, 64 connections",
                "score lookup", "entry by seq", "contractor history page (20 entries)", "top 10 of a skill");
        for (String workload : sideBySide) {
            String[] cells = row(text, "| " + workload + " (");
            assertThat(cells).as(workload).hasSize(8);
            assertThat(cells[1]).as(workload + ", TrackRecord").matches(CELL);
            assertThat(cells[4]).as(workload + ", PostgreSQL").matches(CELL);
            if (CI) {
                assertThat(cells[4]).as(workload + ", PostgreSQL on CI").doesNotStartWith("not measured");
            }
            if (!cells[1].startsWith("not measured") && !cells[4].startsWith("not measured")) {
                assertThat(cells[7]).as(workload + ", ratio").matches("[0-9.]+×");
            }
        }
        for (String workload : List.of("durable append, in process, batches of 10, 16 in flight",
                "durable append, in process, single entries, 64 concurrent callers",
                "durable append, REST, single entries, 64 connections", "entry by seq, REST, 64 connections",
                "inclusion proof, REST, 64 connections")) {
            String[] cells = row(text, "| " + workload + " |");
            assertThat(cells[1]).as(workload).matches(CELL);
            if (CI) {
                assertThat(cells[1]).as(workload + " on CI").doesNotStartWith("not measured");
            }
        }
        assertThat(row(text, "| durable append, in process, batches of 1,000, 16 in flight |")[6]).matches("[0-9.]+×");
        boolean restAppends = !row(text, "| durable append, REST, single entries, 64 connections |")[1]
                .startsWith("not measured");
        if (restAppends && Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(text).containsPattern("\\*\\*[0-9.]+%\\*\\* of the service's CPU \\(target: under 10%\\)");
            for (String threads : List.of("scoring (reputation-follower)", "ledger writer", "the whole service")) {
                String[] cells = row(text, "| " + threads + " |");
                assertThat(cells[1]).as(threads).matches("[0-9.]+ µs");
                assertThat(cells[2]).as(threads).matches("[0-9.]+%");
            }
        }
        for (String limit : List.of("| SHA-256 leaf hash of an entry, one core |",
                "| fsync rate of the data directory's disk (4 KiB appends, each forced) |",
                "| fsync rate, 4 KiB each forced, overwriting zeros written ahead (as the segment log writes) |",
                "| sequential write bandwidth (1 MiB blocks, forced every 8 MiB) |",
                "| plain Helidon SE JSON endpoint (no auth check, no ledger; sent the same bearer token), 64 connections |",
                "| plain Helidon SE POST endpoint (reads the body, answers a one-entry receipt; sent the same append"
                        + " requests as the single-entry appends, right before them), 64 connections |")) {
            assertThat(row(text, limit)[1]).as(limit).matches(CELL);
            if (CI) {
                assertThat(row(text, limit)[1]).as(limit + " on CI").doesNotStartWith("not measured");
            }
        }
        if (CI) {
            assertThat(row(text, "| durable append, REST, single entries, 64 connections |")[5])
                    .as("what bounds single appends over REST")
                    .isIn("plain Helidon POST endpoint, sent the same requests", "64 callers, each waiting for one fsync");
        }
        assertThat(text).containsPattern("The cost in each round: -?[0-9]+%\\.");
        assertThat(text).containsPattern("Score lookup / plain endpoint, per round: [0-9]+%(, [0-9]+%){4}; median \\*\\*[0-9]+%\\*\\*");
        assertThat(text).contains("## Reputation, in process").contains("holding 1,000 contractors, all in skill `ner`")
                .doesNotContain("docs/reputation.md");
        for (String operation : List.of("lookup, warm (band cached for the hour)",
                "lookup as the JSON document the route sends, warm", "first lookup of the hour (band computed)",
                "batch of 1,000 lookups", "top-10 by lower bound", "top-50 by lower bound",
                "top-10 by lower bound, credential filter (1 in 10 hold it)")) {
            String[] cells = row(text, "| " + operation + " |");
            assertThat(cells).as(operation).hasSize(6);
            for (int i = 1; i <= 3; i++) {
                assertThat(cells[i]).as(operation + ", column " + i).matches(DURATION);
            }
            assertThat(cells[5]).as(operation + ", met").matches("yes|\\*\\*no\\*\\*|—");
        }
        assertThat(row(text, "| batch of 1,000 lookups |")[4]).isEqualTo("mean < 2.00 ms");
        assertThat(row(text, "| top-10 by lower bound |")[4]).isEqualTo("p99 < 2.00 ms");
        assertThat(row(text, "| replay of the whole log into a new index (`catchUp`) |")[1]).matches(DURATION);
        assertThat(row(text, "| first top-k by score: the skill's order by score built in line |")[1]).matches(DURATION);
        assertThat(text).contains("## A log of 5,000 entries");
        for (String figure : List.of("| export of all of it as a bundle", "| offline verification of that bundle",
                "| reopen to serving (fresh JVM) |", "| heap held after reopen |",
                "| inclusion proofs, one thread, random leaves |",
                "| entry by seq (its canonical bytes), one thread, random seqs |")) {
            assertThat(row(text, figure)[1]).as(figure).matches("[0-9][0-9,.]* .+");
        }
    }

    @Test
    void bench_unknownBaseline_exitTwoNamingTheOption() {
        assertThat(run("bench", "--quick", "--vs", "mysql", "--doc", tmp.resolve("B.md").toString())).isEqualTo(2);
        assertThat(err).contains("--vs: the only baseline is postgres, was 'mysql'");
        assertThat(tmp.resolve("B.md")).doesNotExist();
    }

    @Test
    void bench_reputationContractorsBelowTen_exitTwoNamingTheOption() {
        assertThat(run("bench", "--quick", "--reputation-contractors", "9", "--doc", tmp.resolve("B.md").toString()))
                .isEqualTo(2);
        assertThat(err).contains("--reputation-contractors: must be at least 10");
        assertThat(tmp.resolve("B.md")).doesNotExist();
    }

    @Test
    void bench_reputationContractorsNotANumber_exitTwoNamingTheOption() {
        assertThat(run("bench", "--quick", "--reputation-contractors", "lots", "--doc", tmp.resolve("B.md").toString()))
                .isEqualTo(2);
        assertThat(err).contains("--reputation-contractors").contains("lots");
        assertThat(tmp.resolve("B.md")).doesNotExist();
    }

    /** The cells of the first table row starting with {@code start}, trimmed, without the outer pipes. */
    private static String[] row(String text, String start) {
        Matcher m = Pattern.compile("^" + Pattern.quote(start) + ".*$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("a row starting with " + start).isTrue();
        String line = m.group();
        String[] cells = line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].strip();
        }
        return cells;
    }
}
