package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.backup.Backup;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trackrecord backup} against a server, {@code trackrecord restore} into a new directory. */
class BackupRestoreCommandTest {
    private static final String ORIGIN = "trackrecord.test/backup";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private Path backup;
    private String out;
    private String err;

    /** A backup of 8 entries with checkpoints at 4 and 8, written as the service's route writes it. */
    @BeforeEach
    void setUp() throws Exception {
        Path data = tmp.resolve("data");
        DataDirectory dir = new DataDirectory(data);
        NoteSigner signer = dir.loadOrCreateCheckpointSigner(ORIGIN);
        SubmissionValidator validator = new SubmissionValidator(CLOCK);
        backup = tmp.resolve("backup.zip");
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, ORIGIN).withClock(CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            for (int i = 0; i < 8; i++) {
                ledger.append(List.of(validator.parse("""
                        {"kind":"audit.result","contractor":"c-%d","event_id":"e-%d","body":{
                          "occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-%d","task_id":"t-%d","method":"gold",
                          "auditor":"qa-bot-7","verdict":"pass","score_bp":9000,"error_tags":["none"],
                          "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                        """.formatted(i % 3, i, i, i).getBytes(StandardCharsets.UTF_8))), "qa").join();
                if (i % 4 == 3) {
                    checkpointer.checkpointNow();
                }
            }
            try (OutputStream os = Files.newOutputStream(backup)) {
                Backup.write(ledger, dir, os, CLOCK);
            }
        }
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new Cli());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void restore_intoANewDirectory_passesFsckWithTheSameRoot() throws Exception {
        Backup.Summary summary = Backup.verify(backup);

        int code = run("restore", backup.toString(), "--data", tmp.resolve("restored").toString());

        assertThat(code).as(err).isEqualTo(0);
        assertThat(out).contains("OK: restored " + ORIGIN + " at tree size 8 (root " + summary.root()
                + ", 2 signed checkpoints)").contains("fsck OK: 8 entries, 3 contractors, 2 signed checkpoints verified");
    }

    @Test
    void restore_aLogWrittenBeforeTheDisputeRules_reproducesItAsItIs() throws Exception {
        // Logs written before the ledger checked disputes may hold a resolution naming an audit.
        Path data = tmp.resolve("old");
        DataDirectory dir = new DataDirectory(data);
        NoteSigner signer = dir.loadOrCreateCheckpointSigner(ORIGIN);
        SubmissionValidator validator = new SubmissionValidator(CLOCK);
        Path old = tmp.resolve("old.zip");
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, ORIGIN).withClock(CLOCK)
                .withDisputeChecks(false));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            ledger.append(List.of(validator.parse("""
                    {"kind":"dispute.resolved","contractor":"c-1","event_id":"r-1","body":{
                    "occurred_at":"2026-11-02T10:00:00Z","dispute_seq":1,"target_seq":0,"resolution":"upheld",
                    "reason_code":"checked"}}""".getBytes(StandardCharsets.UTF_8))), "qa").join();
            checkpointer.checkpointNow();
            try (OutputStream os = Files.newOutputStream(old)) {
                Backup.write(ledger, dir, os, CLOCK);
            }
        }

        int code = run("restore", old.toString(), "--data", tmp.resolve("restored").toString());

        assertThat(code).as(err).isEqualTo(0);
        assertThat(out).contains("fsck OK: 1 entries");
    }

    @Test
    void restore_intoADirectoryWithALog_isAUsageError() {
        assertThat(run("restore", backup.toString(), "--data", tmp.resolve("data").toString())).isEqualTo(2);
        assertThat(err).contains("already holds a log");
    }

    @Test
    void restore_truncatedBackup_exitsOneAndCreatesNothing() throws Exception {
        byte[] all = Files.readAllBytes(backup);
        Path cut = tmp.resolve("cut.zip");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 200));

        assertThat(run("restore", cut.toString(), "--data", tmp.resolve("new").toString())).isEqualTo(1);
        assertThat(err).startsWith("FAILED: ");
        assertThat(tmp.resolve("new").resolve("store")).doesNotExist();
    }

    @Test
    void backup_fromAServer_verifiesAndWritesTheFile_orReportsTheRefusal() throws Exception {
        byte[] bytes = Files.readAllBytes(backup);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/v1/admin/backup", exchange -> {
            boolean admin = "Bearer admin-token".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = admin ? bytes : "{\"status\":403}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(admin ? 200 : 403, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort();
            Path file = tmp.resolve("downloaded.zip");

            assertThat(run("backup", "--server", url, "--token", "admin-token", "--out", file.toString()))
                    .as(err).isEqualTo(0);
            assertThat(out).startsWith("OK: backup of " + ORIGIN + " at tree size 8");
            assertThat(Files.readAllBytes(file)).isEqualTo(bytes);

            assertThat(run("backup", "--server", url, "--token", "other", "--out", tmp.resolve("x.zip").toString()))
                    .isEqualTo(1);
            assertThat(err).contains("answered 403");
            assertThat(tmp.resolve("x.zip")).doesNotExist();
        } finally {
            http.stop(0);
        }
    }
}
