package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    private static final String ORIGIN = "trackrecord.test/cli";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private Path data;
    private String out;
    private String err;

    /** A stopped data directory: 6 entries of 2 contractors, checkpoints at 3 and 6. */
    @BeforeEach
    void setUp() throws Exception {
        data = tmp.resolve("data");
        NoteSigner signer = new DataDirectory(data).loadOrCreateCheckpointSigner(ORIGIN);
        SubmissionValidator validator = new SubmissionValidator(CLOCK);
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, ORIGIN).withClock(CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            for (int i = 0; i < 6; i++) {
                Submission s = validator.parse("""
                        {"kind":"audit.result","contractor":"c-%d","event_id":"e-%d","body":{
                          "occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-%d","task_id":"t-%d","method":"gold",
                          "auditor":"qa-bot-7","verdict":"pass","score_bp":9000,"error_tags":["none"],
                          "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                        """.formatted(i % 2, i, i, i).getBytes(StandardCharsets.UTF_8));
                ledger.append(List.of(s), "qa").join();
                if (i == 2 || i == 5) {
                    checkpointer.checkpointNow();
                }
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

    private Path export(String... extra) {
        Path zip = tmp.resolve("bundle-" + System.nanoTime() + ".zip");
        List<String> args = new java.util.ArrayList<>(List.of("export", "--data", data.toString(), "--out", zip.toString()));
        args.addAll(List.of(extra));
        assertThat(run(args.toArray(String[]::new))).as(err).isEqualTo(0);
        return zip;
    }

    @Test
    void exportThenVerify_withKeyFile_exitsZeroWithSummary() {
        Path zip = export("--since-size", "3");
        assertThat(out).contains("6 entries against the checkpoint at tree size 6");

        int code = run("verify", zip.toString(), "--key", data.resolve("keys/checkpoint.vkey").toString());

        assertThat(code).isEqualTo(0);
        assertThat(out.strip()).startsWith("OK: 6 entries of trackrecord.test/cli verified against the checkpoint"
                + " at tree size 6, consistent with tree size 3").doesNotContain("\n");
    }

    @Test
    void verify_keyAsTextAndContractorExport_exitsZero() throws Exception {
        Path zip = export("--contractor", "c-1", "--kinds", "audit.result");
        String key = Files.readString(data.resolve("keys/checkpoint.vkey")).strip();

        assertThat(run("verify", zip.toString(), "--key", key)).isEqualTo(0);
        assertThat(out).startsWith("OK: 3 entries");
    }

    @Test
    void verify_tamperedBundle_exitsOneNamingFileLineAndSeq() throws Exception {
        Path zip = export();
        Map<String, byte[]> files = unzip(Files.readAllBytes(zip));
        String entries = new String(files.get("entries.jsonl"), StandardCharsets.UTF_8);
        files.put("entries.jsonl", entries.replace("\"audit_id\":\"a-4\"", "\"audit_id\":\"a-5\"")
                .getBytes(StandardCharsets.UTF_8));
        Path tampered = tmp.resolve("tampered.zip");
        Files.write(tampered, zip(files));

        int code = run("verify", tampered.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err).startsWith("FAILED: entries.jsonl line 5 (seq 4): inclusion proof does not lead to the"
                + " checkpoint root (expected ");
        assertThat(out).isEmpty();
    }

    @Test
    void verify_otherKey_exitsOne() throws Exception {
        Path zip = export();
        assertThat(run("keygen", "--origin", ORIGIN, "--out", tmp.resolve("other").toString())).isEqualTo(0);

        int code = run("verify", zip.toString(), "--key", tmp.resolve("other/checkpoint.vkey").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err).contains("key.vkey line 1").contains("is not the trusted key");
    }

    @Test
    void verify_usageErrors_exitTwo() {
        assertThat(run("verify")).isEqualTo(2);
        assertThat(run("verify", tmp.resolve("missing.zip").toString())).isEqualTo(2);
        assertThat(err).contains("no such file");
        assertThat(run("verify", export().toString(), "--key", "not-a-key")).isEqualTo(2);
        assertThat(err).contains("--key");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
    }

    @Test
    void export_badParameters_exitTwoNamingTheOption() {
        assertThat(run("export", "--data", data.toString(), "--out", tmp.resolve("x.zip").toString(),
                "--kinds", "audit.result,nope")).isEqualTo(2);
        assertThat(err).contains("--kinds").contains("nope");
        assertThat(run("export", "--data", data.toString(), "--out", tmp.resolve("x.zip").toString(),
                "--since-size", "2")).isEqualTo(2);
        assertThat(err).contains("--since-size").contains("no checkpoint was issued at tree size 2");
        assertThat(tmp.resolve("x.zip")).doesNotExist();
    }

    @Test
    void fsck_intactThenTampered_exitsZeroThenOne() throws Exception {
        assertThat(run("fsck", "--data", data.toString())).isEqualTo(0);
        assertThat(out).startsWith("OK: 6 entries, 2 contractors, 2 signed checkpoints verified");

        byte[] needle = "\"audit_id\":\"a-2\"".getBytes(StandardCharsets.UTF_8);
        try (var walk = Files.walk(data.resolve("segments"))) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                for (int i = 0; i + needle.length <= b.length; i++) {
                    if (java.util.Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)) {
                        b[i + 14] = '9';
                    }
                }
                Files.write(f, b);
            }
        }

        assertThat(run("fsck", "--data", data.toString())).isEqualTo(1);
        assertThat(err).startsWith("FAILED: entry 2: its bytes hash to ");
        assertThat(run("fsck", "--data", tmp.resolve("nowhere").toString())).isEqualTo(2);
    }

    @Test
    void keygen_writesKeyPairAndRefusesToOverwrite() throws Exception {
        Path keys = tmp.resolve("keys");

        assertThat(run("keygen", "--origin", "example.com/log", "--out", keys.toString())).isEqualTo(0);

        String vkey = Files.readString(keys.resolve("checkpoint.vkey")).strip();
        assertThat(out.strip()).isEqualTo(vkey).startsWith("example.com/log+");
        assertThat(NoteSigner.parse(Files.readString(keys.resolve("checkpoint.key")).strip()).verifier().text())
                .isEqualTo(vkey);
        assertThat(run("keygen", "--origin", "example.com/log", "--out", keys.toString())).isEqualTo(1);
        assertThat(run("keygen", "--out", keys.toString())).isEqualTo(2);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static byte[] zip(Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var f : files.entrySet()) {
                z.putNextEntry(new ZipEntry(f.getKey()));
                z.write(f.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
