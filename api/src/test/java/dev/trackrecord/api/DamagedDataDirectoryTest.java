package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service refuses to serve a data directory that fails its open-time check, naming the damage. */
@Tag("torture")
class DamagedDataDirectoryTest {
    @TempDir
    Path temp;

    private Settings settings(Path data, Settings.OpenCheck check) {
        return new Settings(data, "127.0.0.1", 0, Settings.DEFAULT_ORIGIN, Duration.ofSeconds(60), 4L * 1024 * 1024)
                .withOpenCheck(check);
    }

    /** A directory with a few entries, stopped cleanly (so sealed); returns the byte offset of entry 2's body. */
    private long stoppedLog(Path data) throws Exception {
        try (TrackRecordServer server = TrackRecordServer.start(settings(data, Settings.OpenCheck.SEAL))) {
            for (int i = 0; i < 4; i++) {
                server.ledger().append(java.util.List.of(new dev.trackrecord.ledger.entry.SubmissionValidator(
                        java.time.Clock.systemUTC()).parse(TestServer.audit("c-" + i, "d-" + i, 9000)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))), "test").join();
            }
        }
        byte[] segment = Files.readAllBytes(data.resolve("segments/seg-000000.dat"));
        String text = new String(segment, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"event_id\":\"d-1\"");
        assertThat(at).isPositive();
        return at + 12;
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
    }

    @Test
    void sealedDirectoryWithAChangedByte_isRefused_namingTheFile() throws Exception {
        Path data = temp.resolve("data");
        flip(data.resolve("segments/seg-000000.dat"), stoppedLog(data));

        assertThatThrownBy(() -> TrackRecordServer.start(settings(data, Settings.OpenCheck.SEAL)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("fails its check, so it is not served")
                .hasMessageContaining("segments/seg-000000.dat has changed since the log was closed");
        assertThat(data.resolve("seal")).as("a refused directory keeps its seal").exists();
    }

    @Test
    void tokenIssuerKeyMadeAfterTheSeal_isServed_butAChangedOneIsNot() throws Exception {
        Path data = temp.resolve("data");
        stoppedLog(data);
        Path issuer = new dev.trackrecord.ledger.DataDirectory(data).tokenIssuerKey();
        // A log written by simulate or import is sealed before serve or token make the issuer key.
        Files.delete(issuer);
        Files.delete(data.resolve("seal"));
        try (var ledger = dev.trackrecord.ledger.store.Ledger.open(
                dev.trackrecord.ledger.store.LedgerOptions.defaults(data, Settings.DEFAULT_ORIGIN))) {
            assertThat(ledger.size()).isEqualTo(5);
        }
        try (TrackRecordServer server = TrackRecordServer.start(settings(data, Settings.OpenCheck.SEAL))) {
            assertThat(server.ledger().size()).isEqualTo(5);
        }
        assertThat(issuer).exists();
        flip(issuer, 10);
        assertThatThrownBy(() -> TrackRecordServer.start(settings(data, Settings.OpenCheck.SEAL)))
                .isInstanceOf(IOException.class).hasMessageContaining("token-issuer.jwk");
    }

    @Test
    void fullCheck_namesTheChangedEntry() throws Exception {
        Path data = temp.resolve("data");
        flip(data.resolve("segments/seg-000000.dat"), stoppedLog(data));

        assertThatThrownBy(() -> TrackRecordServer.start(settings(data, Settings.OpenCheck.FULL)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("entry 2: ");
    }

    @Test
    void realServer_damagedDirectory_exitsOneWithTheProblem() throws Exception {
        Path data = temp.resolve("data");
        flip(data.resolve("segments/seg-000000.dat"), stoppedLog(data));

        Map.Entry<Integer, String> result = ServerProcess.startExpectingFailure(data);

        assertThat(result.getKey()).as(result.getValue()).isEqualTo(1);
        assertThat(result.getValue()).contains("could not start: the data directory").contains("seg-000000.dat");
    }
}
