package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.note.NoteSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the service's open-time check costs on a large log: closing (which writes the seal),
 * verifying the seal, a full fsck, and opening the ledger, side by side on one log.
 *
 * <p>{@code mvn -B -o -Pslow -pl schemas,ledger test -Dtest=OpenCheckMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtorture.open.entries=1000000}
 */
@Tag("slow")
class OpenCheckMeasurement {
    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        int entries = Integer.getInteger("torture.open.entries", 1_000_000);
        String origin = "trackrecord.test/open-check";
        NoteSigner signer = new DataDirectory(dir).loadOrCreateCheckpointSigner(origin);
        long closeNanos;
        try (Checkpointer ignored = null) {
            Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, origin).withClock(TestEntries.CLOCK));
            Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1));
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int b = 0; b < entries / 1000; b++) {
                List<Submission> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    batch.add(TestEntries.audit("e-" + b + "-" + i, "c-" + ((b * 1000 + i) % 20000), 5000));
                }
                pending.add(ledger.append(batch, "qa"));
                if (pending.size() >= 50) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                    if (b % 100 == 0) {
                        checkpointer.checkpointNow();
                    }
                }
            }
            pending.forEach(CompletableFuture::join);
            checkpointer.checkpointNow();
            checkpointer.close();
            long t = System.nanoTime();
            ledger.close();
            closeNanos = System.nanoTime() - t;
        }
        long bytes;
        try (var walk = Files.walk(dir)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long t = System.nanoTime();
        StoreSeal.Check seal = StoreSeal.verify(dir);
        long sealNanos = System.nanoTime() - t;
        assertThat(seal.present()).isTrue();
        assertThat(seal.problem()).isEmpty();
        t = System.nanoTime();
        Fsck.Report report = Fsck.check(dir);
        long fsckNanos = System.nanoTime() - t;
        assertThat(report.problem()).isEmpty();
        t = System.nanoTime();
        Ledger reopened = Ledger.open(LedgerOptions.defaults(dir, origin));
        long openNanos = System.nanoTime() - t;
        reopened.close();
        System.out.printf("open check at %,d entries (%,d MB on disk): close incl. seal %d ms, verify seal %d ms,"
                + " full fsck %d ms, Ledger.open %d ms%n", entries, bytes >> 20, closeNanos / 1_000_000,
                sealNanos / 1_000_000, fsckNanos / 1_000_000, openNanos / 1_000_000);
    }
}
