package dev.trackrecord.ledger.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.store.Ledger;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle of a million entries: the writer must add little to the live heap next to the ledger
 * (measured by forcing a GC every 200 ms while it runs), and the verifier must run in a child
 * JVM with a 48 MB heap. Both only work if they stream. Slow step:
 * {@code mvn -Pslow -pl ledger -am test -Dtest=LargeBundleTest}; {@code -Dbundle.entries=N}
 * changes the size.
 */
@Tag("slow")
class LargeBundleTest {
    private static final int ENTRIES = Integer.getInteger("bundle.entries", 1_000_000);
    private static final long WRITER_HEAP_LIMIT = 48L << 20;

    @TempDir
    Path dir;

    @Test
    void writeAndVerify_millionEntries_inSmallHeaps() throws Exception {
        Path zip = dir.resolve("bundle.zip");
        try (TestLog log = new TestLog(dir.resolve("data"))) {
            Ledger ledger = log.ledger;
            for (int done = 0; done < ENTRIES; ) {
                List<Submission> batch = new ArrayList<>();
                for (int i = 0; i < 8192 && done < ENTRIES; i++, done++) {
                    batch.add(TestLog.audit("e-" + done, "c-" + (done % 1000)));
                }
                ledger.append(batch, "load").join();
            }
            log.checkpoint();

            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long before = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(before);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    System.gc();
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long written;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16)) {
                written = BundleWriter.write(ledger, ExportQuery.all(), log.signer.verifier(), TestLog.CLOCK, out);
            } finally {
                running.set(false);
                sampler.join();
            }
            System.out.printf("bundle of %d entries, %d MB; live heap grew by at most %d MB while writing%n",
                    written, Files.size(zip) >> 20, (peak.get() - before) >> 20);
            assertThat(written).isEqualTo(ENTRIES);
            assertThat(peak.get() - before).isLessThan(WRITER_HEAP_LIMIT);
        }

        assertThat(verifyInChild("-Xmx48m", zip)).isEqualTo(0);
    }

    private static int verifyInChild(String heap, Path zip) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), zip.toString());
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    /** The child: verifies one bundle. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            long start = System.nanoTime();
            BundleVerification v = BundleVerifier.verify(Path.of(args[0]), Optional.empty());
            System.out.printf("%s in %.1f s%n", v.summary(), (System.nanoTime() - start) / 1e9);
            System.exit(0);
        }
    }
}
