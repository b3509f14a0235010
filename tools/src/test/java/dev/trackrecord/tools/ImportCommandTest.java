package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportCommandTest {
    @TempDir
    Path tmp;

    private Path data;
    private String out;
    private String err;

    @BeforeEach
    void dataDirectory() throws Exception {
        data = tmp.resolve("data");
        new DataDirectory(data).loadOrCreateCheckpointSigner("example.org/log");
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setOut(new PrintWriter(o));
        cmd.setErr(new PrintWriter(e));
        int code = cmd.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private static String audit(String eventId, String contractor, String score) {
        return "{\"kind\":\"audit.result\",\"contractor\":\"" + contractor + "\",\"event_id\":\"" + eventId
                + "\",\"body\":{\"occurred_at\":\"2025-03-01T10:00:00Z\",\"audit_id\":\"a-" + eventId
                + "\",\"task_id\":\"t-1\",\"method\":\"gold\",\"auditor\":\"qa\",\"verdict\":\"pass\",\"score_bp\":"
                + score + ",\"error_tags\":[],\"evidence_sha256\":\""
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}}";
    }

    @Test
    void import_mixedFile_appendsValidLinesAndReportsEachRefusalWithItsLine() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            lines.add(audit("h-" + i, "c-" + (i % 2), "900" + i));
        }
        lines.add(audit("h-6", "c-1", "90.5"));
        lines.add(audit("h-1", "c-1", "9001"));
        lines.add(audit("h-2", "c-0", "1234"));
        Path file = tmp.resolve("history.jsonl");
        Files.write(file, lines);

        int code = run("import", file.toString(), "--data", data.toString(), "--batch", "3");

        assertThat(code).isEqualTo(1);
        assertThat(out).contains("5 appended, 1 already present, 2 refused")
                .contains("line 6: $.body.score_bp: floating-point numbers are not allowed")
                .contains("line 8: event_id 'h-2' is already used by entry");
        assertThat(err).contains("8/8 lines");
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, "example.org/log"))) {
            assertThat(ledger.size()).isEqualTo(5);
        }

        assertThat(run("import", file.toString(), "--data", data.toString())).isEqualTo(1);
        assertThat(out).contains("0 appended, 6 already present, 2 refused");
    }

    @Test
    void import_disputes_keepTheLogsRules_andARefusedOneIsReportedWithItsLine() throws Exception {
        List<String> lines = List.of(
                audit("d-1", "c-1", "2000"),                                         // seq 0
                audit("d-2", "c-1", "3000"),                                         // seq 1
                dispute("resolved", "d-3", "\"dispute_seq\":1,\"target_seq\":0"), // names an audit
                dispute("opened", "d-4", "\"target_seq\":0"),                        // seq 2
                dispute("resolved", "d-5", "\"dispute_seq\":2,\"target_seq\":0")); // seq 3
        Path file = tmp.resolve("disputes.jsonl");
        Files.write(file, lines);

        int code = run("import", file.toString(), "--data", data.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out).contains("4 appended, 0 already present, 1 refused")
                .contains("line 3: $.body.dispute_seq: entry 1 (audit.result) is not a dispute.opened");
    }

    private static String dispute(String what, String eventId, String seqs) {
        return "{\"kind\":\"dispute." + what + "\",\"contractor\":\"c-1\",\"event_id\":\"" + eventId
                + "\",\"body\":{\"occurred_at\":\"2025-03-02T10:00:00Z\"," + seqs
                + (what.equals("opened") ? ",\"reason_code\":\"other\",\"reason\":\"r\"}}"
                : ",\"resolution\":\"upheld\",\"reason_code\":\"checked\"}}");
    }

    @Test
    void import_usageErrors_exitTwoNamingTheOption() throws Exception {
        Path file = tmp.resolve("x.jsonl");
        Files.writeString(file, "");
        assertThat(run("import", file.toString(), "--server", "http://localhost:1")).isEqualTo(2);
        assertThat(err).contains("--token: required with --server");
        assertThat(run("import", file.toString(), "--data", data.toString(), "--batch", "0")).isEqualTo(2);
        assertThat(err).contains("--batch: must be between 1 and 1000");
        assertThat(run("import", tmp.resolve("missing.jsonl").toString(), "--data", data.toString())).isEqualTo(2);
        assertThat(run("import", file.toString())).isEqualTo(2);
    }
}
