package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.backup.Backup;
import dev.trackrecord.ledger.backup.BackupException;
import dev.trackrecord.ledger.store.Fsck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a live service ({@code GET /v1/admin/backup} while appends go on) restores into a
 * new data directory that passes fsck and serves the same root, checkpoints and key; a damaged
 * backup is refused, naming the place, and creates nothing.
 */
@Tag("torture")
class BackupRestoreTest {
    @TempDir
    Path temp;

    @Test
    void backupOfALiveService_restoresToTheSameRootAndCheckpoints_andADamagedOneIsRefused() throws Exception {
        Path backup = temp.resolve("backup.zip");
        List<String> notes = new ArrayList<>();
        String key;
        try (TestServer live = TestServer.start(temp.resolve("live"))) {
            String ingest = live.token(Role.INGEST);
            String admin = live.token(Role.ADMIN);
            for (int i = 0; i < 30; i++) {
                appendBatch(live, ingest, "pre-" + i);
                if (i % 10 == 9) {
                    assertThat(live.post("/v1/checkpoints", admin, "").statusCode()).isIn(200, 201);
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger during = new AtomicInteger();
            Thread appender = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    appendBatch(live, ingest, "during-" + during.getAndIncrement());
                }
            });
            HttpResponse<byte[]> r;
            try {
                r = live.client.send(HttpRequest.newBuilder(live.uri("/v1/admin/backup"))
                        .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofByteArray());
            } finally {
                stop.set(true);
                appender.join();
            }
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/zip");
            Files.write(backup, r.body());
            assertThat(during.get()).as("appends went on during the backup").isPositive();
            assertThat(live.get("/v1/admin/backup", live.token(Role.COMPLIANCE)).statusCode()).isEqualTo(403);
            key = live.get("/v1/checkpoints/key", ingest).body();
            Backup.Summary s = Backup.verify(backup);
            for (long size = 0; size <= s.treeSize(); size++) {
                HttpResponse<String> cp = live.get("/v1/checkpoints/" + size, ingest);
                if (cp.statusCode() == 200) {
                    notes.add(cp.body());
                }
            }
        }

        Backup.Summary summary = Backup.verify(backup);
        assertThat(summary.treeSize()).isGreaterThanOrEqualTo(1 + 30 * 5);
        Path restored = temp.resolve("restored");
        long t = System.nanoTime();
        assertThat(Backup.restore(backup, restored)).isEqualTo(summary);
        long restoreMillis = (System.nanoTime() - t) / 1_000_000;
        Fsck.Report report = Fsck.check(restored);
        assertThat(report.problem()).isEmpty();
        assertThat(report.root()).isEqualTo(summary.root());
        assertThat(report.entries()).isEqualTo(summary.treeSize());
        System.out.printf("backup of a live service: %d entries, %d checkpoints, %d bytes; restored in %d ms%n",
                summary.treeSize(), summary.checkpoints(), Files.size(backup), restoreMillis);

        try (TestServer again = TestServer.start(restored)) {
            String reader = again.token(Role.COMPLIANCE);
            assertThat(again.get("/v1/checkpoints/key", reader).body()).isEqualTo(key);
            assertThat(HexFormat.of().formatHex(again.server.ledger().root(summary.treeSize())))
                    .isEqualTo(summary.root());
            assertThat(notes).hasSize(summary.checkpoints());
            for (String note : notes) {
                long size = Long.parseLong(note.split("\n")[1]);
                assertThat(again.get("/v1/checkpoints/" + size, reader).body()).isEqualTo(note);
            }
            // The restored service takes appends under the same key and chain.
            assertThat(again.append(TestServer.audit("c-after", "after-restore", 7000))).isEqualTo(summary.treeSize());
        }

        // One entry changed (the zip rewritten, so its CRC holds): refused, naming the line.
        Path changed = temp.resolve("changed.zip");
        rewrite(backup, changed, "\"event_id\":\"pre-3-2\"", "\"event_id\":\"pre-3-9\"");
        Path target = temp.resolve("from-changed");
        assertThatThrownBy(() -> Backup.restore(changed, target)).isInstanceOf(BackupException.class)
                .hasMessageContaining("entries.jsonl line ");
        assertThat(target.resolve("store")).doesNotExist();

        // One raw byte flipped in the file: refused too.
        byte[] raw = Files.readAllBytes(backup);
        raw[raw.length / 2] ^= 0x20;
        Path flipped = temp.resolve("flipped.zip");
        Files.write(flipped, raw);
        assertThatThrownBy(() -> Backup.restore(flipped, temp.resolve("from-flipped")))
                .isInstanceOf(BackupException.class);
        assertThat(temp.resolve("from-flipped").resolve("store")).doesNotExist();
    }

    private static void appendBatch(TestServer server, String token, String prefix) {
        StringBuilder body = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 5; i++) {
            body.append(i == 0 ? "" : ",").append(TestServer.audit("c-" + (prefix.hashCode() + i & 15),
                    prefix + "-" + i, 6000 + i));
        }
        HttpResponse<String> r = server.post("/v1/entries", token, body.append("]}").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Copies a zip, replacing {@code from} with {@code to} once in entries.jsonl. */
    private static void rewrite(Path in, Path out, String from, String to) throws Exception {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(in)));
             ZipOutputStream zout = new ZipOutputStream(copy)) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                byte[] bytes = zin.readAllBytes();
                if (e.getName().equals("entries.jsonl")) {
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    assertThat(text).contains(from);
                    bytes = text.replaceFirst(java.util.regex.Pattern.quote(from), to).getBytes(StandardCharsets.UTF_8);
                }
                zout.putNextEntry(new ZipEntry(e.getName()));
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        Files.write(out, copy.toByteArray());
    }
}
