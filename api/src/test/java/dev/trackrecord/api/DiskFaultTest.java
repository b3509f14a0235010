package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.store.Fsck;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a small file system of its own, mounted by the test (needs root; skipped,
 * saying why, where mounting is not allowed). When the disk fills up (an 8 MiB tmpfs) or turns
 * read-only (a 16 MiB loop-mounted ext4 with errors=remount-ro, made read-only by the kernel's
 * own error path, as a failing disk would: Linux refuses a plain remount to read-only while the
 * service holds files open for writing), appends answer 503 with Retry-After, reads go on,
 * nothing acknowledged is lost and fsck passes. When space returns, appends resume without a
 * restart; a file system the kernel turned read-only needs an operator (e2fsck, mount) and a
 * restart, after which every acknowledged entry is there.
 */
@Tag("torture")
class DiskFaultTest {
    @TempDir
    Path temp;
    Path mount;
    TestServer server;
    final Map<String, Long> acked = new LinkedHashMap<>();
    int next;

    boolean mounted;

    @BeforeEach
    void mountPoint() throws Exception {
        mount = temp.resolve("disk");
        Files.createDirectories(mount);
    }

    private void mount(String... command) throws Exception {
        String result = run(command);
        Assumptions.assumeTrue(result.isEmpty(), "cannot mount a small file system here (needs root): " + result);
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (mounted) {
            assertThat(run("umount", mount.toString())).isEmpty();
        }
    }

    @Test
    void fullDisk_appendsAnswer503WithRetryAfter_readsWork_andAppendsResumeWhenSpaceReturns() throws Exception {
        mount("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
        Path data = mount.resolve("data");
        server = TestServer.start(data);
        appendOk(20);

        Path filler = mount.resolve("filler");
        fill(filler);
        HttpResponse<String> refused = appendUntilRefused();

        assertRetryLater(refused);
        assertThat(TestServer.json(refused.body()).get("type").asText()).endsWith(":storage-failed");
        assertReadsWork();
        // Reported until an append is stored again, though the storage may reopen in between.
        assertThat(server.server.ledger().storageProblem()).isPresent();
        assertThat(server.get("/observe/health", null).statusCode()).isEqualTo(503);

        Files.delete(filler);
        long resumed = appendWhenBack();
        assertThat(server.server.ledger().storageProblem()).isEmpty();
        System.out.printf("full disk: %d entries acknowledged, refused with %d (%s), resumed %d ms after space"
                + " returned%n", acked.size(), refused.statusCode(), refused.headers().firstValue("Retry-After")
                .orElse("?"), resumed);
        assertEveryAcknowledgedEntryServed();
        stopAndFsck(data);
    }

    @Test
    void readOnlyDisk_appendsAnswer503WithRetryAfter_readsWork_andNothingAcknowledgedIsLost() throws Exception {
        Path image = temp.resolve("ext4.img");
        try (var f = java.io.RandomAccessFile.class.getConstructor(java.io.File.class, String.class)
                .newInstance(image.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        Assumptions.assumeTrue(run("mkfs.ext4", "-q", "-F", image.toString()).isEmpty(), "no mkfs.ext4 here");
        mount("mount", "-o", "loop,errors=remount-ro", image.toString(), mount.toString());
        Path data = mount.resolve("data");
        server = TestServer.start(data);
        appendOk(20);

        String device = Path.of(findmnt(mount)).getFileName().toString();
        Files.writeString(Path.of("/sys/fs/ext4", device, "trigger_fs_error"), "1");
        HttpResponse<String> refused = appendUntilRefused();

        assertRetryLater(refused);
        assertThat(TestServer.json(refused.body()).get("detail").asText()).contains("Read-only file system");
        assertReadsWork();
        assertEveryAcknowledgedEntryServed();
        HttpResponse<String> again = append();
        assertRetryLater(again);

        // The operator's part: stop, repair, mount again; then everything acknowledged is there.
        server.stop();
        server = null;
        assertThat(run("umount", mount.toString())).isEmpty();
        mounted = false;
        run("e2fsck", "-fy", image.toString());
        mount("mount", "-o", "loop,errors=remount-ro", image.toString(), mount.toString());
        // The store may not have recorded the last batches before the disk went read-only; they
        // were synced to the segment log, and opening the ledger reads them back.
        server = TestServer.start(data);
        assertThat(server.server.ledger().size()).isEqualTo(acked.size() + 1);
        appendOk(5);
        assertEveryAcknowledgedEntryServed();
        System.out.printf("read-only disk: %d entries acknowledged, refused with %d (Retry-After %s) once the"
                + " kernel made the file system read-only; all there after e2fsck and a restart%n", acked.size(),
                refused.statusCode(), refused.headers().firstValue("Retry-After").orElse("?"));
        stopAndFsck(data);
    }

    private static String findmnt(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("findmnt", "-n", "-o", "SOURCE", dir.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }

    private void appendOk(int requests) {
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = append();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
    }

    /** One request of five entries; records what it acknowledged. */
    private HttpResponse<String> append() {
        StringBuilder body = new StringBuilder("{\"entries\":[");
        String[] ids = new String[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "disk-" + next++;
            body.append(i == 0 ? "" : ",").append(TestServer.audit("c-" + (next % 7), ids[i], 8000));
        }
        HttpResponse<String> r = server.post("/v1/entries", server.token(Role.INGEST), body.append("]}").toString());
        if (r.statusCode() == 201) {
            JsonNode entries = TestServer.json(r.body()).get("entries");
            for (int i = 0; i < ids.length; i++) {
                acked.put(ids[i], entries.get(i).get("seq").asLong());
            }
        }
        return r;
    }

    private HttpResponse<String> appendUntilRefused() {
        for (int i = 0; i < 2000; i++) {
            HttpResponse<String> r = append();
            if (r.statusCode() != 201) {
                return r;
            }
        }
        throw new AssertionError("2000 appends went through on a full disk");
    }

    private static void assertRetryLater(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    private void assertReadsWork() {
        String compliance = server.token(Role.COMPLIANCE);
        assertThat(server.get("/v1/entries/0", compliance).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/checkpoints/latest", compliance).statusCode()).isEqualTo(200);
        long last = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(server.get("/v1/entries/" + last, compliance).statusCode()).isEqualTo(200);
    }

    /** Appends until one is acknowledged (at most 20 s); returns how long it took. */
    private long appendWhenBack() throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
            HttpResponse<String> r = append();
            if (r.statusCode() == 201) {
                appendOk(10);
                return (System.nanoTime() - start) / 1_000_000;
            }
            assertRetryLater(r);
            Thread.sleep(200);
        }
        throw new AssertionError("appends did not resume within 20 s: " + server.server.ledger().storageProblem());
    }

    private void assertEveryAcknowledgedEntryServed() {
        String compliance = server.token(Role.COMPLIANCE);
        for (Map.Entry<String, Long> a : acked.entrySet()) {
            HttpResponse<String> r = server.get("/v1/entries/" + a.getValue(), compliance);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(r.body()).get("event_id").asText()).isEqualTo(a.getKey());
        }
    }

    private void stopAndFsck(Path data) throws IOException {
        server.stop();
        server = null;
        Fsck.Report report = Fsck.check(data);
        assertThat(report.problem()).isEmpty();
        assertThat(report.entries()).as("the default policy and every acknowledged entry")
                .isEqualTo(acked.size() + 1);
    }

    private static void fill(Path filler) {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // No space left on the device: what the test wants.
        }
    }

    /** What this process holds open under {@code dir}, for a failed remount's message. */
    private static List<String> openFilesUnder(Path dir) throws IOException {
        List<String> open = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString())) {
                        open.add(target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains(dir.toString())) {
                open.add("mapped " + line);
            }
        }
        return open;
    }

    /** Runs a command; returns its output when it failed, "" when it succeeded. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? "" : String.join(" ", command) + ": " + out.strip();
    }
}
