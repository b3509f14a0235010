package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.reputation.EntrySource;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulateAndRescoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The evaluation time of "current" scores in both the reference index and rescore. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:20:00Z"), ZoneOffset.UTC);
    private static final String ORIGIN = "trackrecord.test/simulate";

    @TempDir
    static Path tmp;

    private Path data;
    private String out;
    private String err;
    private String busiest;
    private long[] busiestSeqs;
    private ReputationIndex reference;

    /**
     * Simulates 60 contractors into a data directory, then publishes a second policy and one more
     * audit of the busiest contractor, so that scores depend on a policy other than seq 0's.
     */
    @BeforeAll
    void simulate() throws Exception {
        data = tmp.resolve("data");
        Path truth = tmp.resolve("truth.json");
        assertThat(run("simulate", "--data", data.toString(), "--origin", ORIGIN, "--contractors", "60",
                "--entries", "1500", "--seed", "3", "--end", "2026-11-28T00:00:00Z", "--batch", "300",
                "--truth", truth.toString())).as(err).isZero();
        assertThat(out).contains("appended");
        JsonNode t = JSON.readTree(truth.toFile());
        assertThat(t.get("contractors")).hasSize(60);
        assertThat(run("simulate", "--data", tmp.resolve("d2").toString(), "--contractors", "5", "--entries", "50",
                "--end", "2026-11-28T00:00:00Z", "--truth", tmp.resolve("t.csv").toString())).as(err).isZero();
        assertThat(Files.readAllLines(tmp.resolve("t.csv")).get(0)).isEqualTo("contractor,type,suspended,skill,quality,tasks,audits");

        SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, ORIGIN));
             Checkpointer checkpointer = new Checkpointer(ledger, new DataDirectory(data).loadCheckpointSigner(),
                     Duration.ofDays(1))) {
            assertThat(ledger.size()).isBetween(1200L, 1500L);
            assertThat(new String(ledger.entry(0).orElseThrow(), StandardCharsets.UTF_8)).contains("policy.published");
            busiest = IntStream.rangeClosed(1, 60).mapToObj(i -> String.format("c-%05d", i))
                    .max(Comparator.comparingInt(id -> ledger.contractorSeqs(id).length)).orElseThrow();
            ledger.append(List.of(validator.parse("""
                    {"kind":"policy.published","contractor":"_system","event_id":"policy-fast-decay","body":{
                    "occurred_at":"2026-11-28T01:00:00Z","policy_id":"fast-decay","params":{"half_life_days":30}}}
                    """.getBytes(StandardCharsets.UTF_8))), "admin").get();
            ledger.append(List.of(validator.parse("""
                    {"kind":"audit.result","contractor":"%s","event_id":"late-audit","body":{
                    "occurred_at":"2026-11-28T02:00:00Z","audit_id":"late-1","task_id":"unknown-task","method":"review",
                    "auditor":"qa","verdict":"fail","score_bp":1200,"skills":["ner"],"error_tags":[],
                    "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                    """.formatted(busiest).getBytes(StandardCharsets.UTF_8))), "qa").get();
            checkpointer.checkpointNow();
            busiestSeqs = ledger.contractorSeqs(busiest);
            reference = new ReputationIndex(new LedgerSource(ledger), CLOCK);
            reference.catchUp();
            // Everything the reference needs is read now, while the ledger is open.
            expectedNow = reparsed(RescoreCommand.reputationJson(reference.lookup(busiest).orElseThrow()));
            midSeq = busiestSeqs[busiestSeqs.length / 2];
            expectedMid = reparsed(RescoreCommand.reputationJson(reference.asOfSeq(busiest, midSeq, false).orElseThrow()));
            expectedMidExplained = reparsed(
                    RescoreCommand.reputationJson(reference.asOfSeq(busiest, midSeq, true).orElseThrow()));
            assertThat(expectedMidExplained.get("explanation")).isNotEmpty();
        }
    }

    private JsonNode expectedNow;
    private JsonNode expectedMid;
    private JsonNode expectedMidExplained;
    private long midSeq;

    @Test
    void rescore_contractorAndPolicyBundles_printsWhatTheIndexOnTheLedgerGives() throws Exception {
        Path record = export("--contractor", busiest);
        Path policies = export("--contractor", "_system");
        assertThat(run("rescore", record.toString(), policies.toString(), "--contractor", busiest)).as(err).isZero();
        JsonNode got = JSON.readTree(out);
        assertThat(got).isEqualTo(expectedNow);
        assertThat(got.get("policy").asText()).isEqualTo("fast-decay");
        assertThat(got.get("skills").size()).isPositive();
    }

    @Test
    void rescore_asOfSeq_matchesTheIndexAsOfThatSeq_andDiffersFromNow() throws Exception {
        Path record = export("--contractor", busiest);
        Path policies = export("--contractor", "_system");
        assertThat(run("rescore", record.toString(), policies.toString(), "--contractor", busiest,
                "--as-of-seq", Long.toString(midSeq))).as(err).isZero();
        JsonNode got = JSON.readTree(out);
        assertThat(got).isEqualTo(expectedMid);
        assertThat(got.get("policy").asText()).isEqualTo("trackrecord.default.1");
        assertThat(got.get("overall")).isNotEqualTo(expectedNow.get("overall"));
        assertThat(run("rescore", record.toString(), policies.toString(), "--contractor", busiest,
                "--as-of-seq", Long.toString(midSeq), "--explain")).as(err).isZero();
        assertThat(JSON.readTree(out)).isEqualTo(expectedMidExplained);
    }

    @Test
    void rescore_unfilteredExport_isEnoughAlone() throws Exception {
        assertThat(run("rescore", export().toString(), "--contractor", busiest)).as(err).isZero();
        assertThat(JSON.readTree(out)).isEqualTo(expectedNow);
    }

    @Test
    void rescore_withoutPolicyEntries_failsAndSaysWhatIsMissing() {
        Path record = export("--contractor", busiest);
        assertThat(run("rescore", record.toString(), "--contractor", busiest)).isEqualTo(1);
        assertThat(err).contains("the policy entries (export --contractor _system");
        Path policies = export("--contractor", "_system");
        assertThat(run("rescore", policies.toString(), "--contractor", busiest)).isEqualTo(1);
        assertThat(err).contains("contractor " + busiest + "'s whole record");
        Path auditsOnly = export("--contractor", busiest, "--kinds", "audit.result");
        assertThat(run("rescore", auditsOnly.toString(), policies.toString(), "--contractor", busiest)).isEqualTo(1);
    }

    @Test
    void rescore_asOfSeqOfSomeoneElse_failsForItsUnknownTime() {
        Path record = export("--contractor", busiest);
        Path policies = export("--contractor", "_system");
        long other = 1;
        while (contains(busiestSeqs, other)) {
            other++;
        }
        assertThat(run("rescore", record.toString(), policies.toString(), "--contractor", busiest,
                "--as-of-seq", Long.toString(other))).isEqualTo(1);
        assertThat(err).contains("is in no bundle");
    }

    @Test
    void rescore_tamperedBundle_fails() throws Exception {
        Path record = export("--contractor", busiest);
        byte[] bytes = Files.readAllBytes(record);
        bytes[bytes.length / 2] ^= 1;
        Files.write(record, bytes);
        assertThat(run("rescore", record.toString(), export("--contractor", "_system").toString(),
                "--contractor", busiest)).isEqualTo(1);
        assertThat(err).startsWith("FAILED:");
    }

    /** As text and back, so that numbers compare as the printed output parses. */
    private static JsonNode reparsed(JsonNode node) throws Exception {
        return JSON.readTree(node.toString());
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private int exports;

    private Path export(String... query) {
        Path zip = tmp.resolve("export-" + (++exports) + ".zip");
        String[] args = new String[query.length + 5];
        args[0] = "export";
        args[1] = "--data";
        args[2] = data.toString();
        System.arraycopy(query, 0, args, 3, query.length);
        args[query.length + 3] = "--out";
        args[query.length + 4] = zip.toString();
        assertThat(run(args)).as(err).isZero();
        return zip;
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new Cli());
        ((RescoreCommand) cli.getSubcommands().get("rescore").getCommand()).clock = CLOCK;
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    /** The ledger as the service's index reads it. */
    private record LedgerSource(Ledger ledger) implements EntrySource {
        @Override
        public long size() {
            return ledger.size();
        }

        @Override
        public Entry entry(long seq) {
            try {
                return Entry.parse(ledger.entry(seq).orElseThrow());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long[] contractorSeqs(String contractor) {
            return ledger.contractorSeqs(contractor);
        }
    }

}
