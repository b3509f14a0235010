package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.merkle.MemoryTree;
import dev.trackrecord.ledger.merkle.Proofs;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL at random moments and checks, after each restart, that
 * every acknowledged entry is present exactly once at its acknowledged seq, that nothing else
 * is half-present, and that the tree over the stored entries matches the stored tree.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void sigkillDuringAppends_keepsEveryAcknowledgedEntry_threeRounds() throws Exception {
        crashRounds(3, 0xC0FFEEL);
    }

    @Test
    @Tag("slow")
    void sigkillDuringAppends_keepsEveryAcknowledgedEntry_twentyRounds() throws Exception {
        crashRounds(20, 0xBADC0DEL);
    }

    /** The torture size: {@code -Dtorture.crash.rounds=50}; skipped unless it is set (the three rounds above run always). */
    @Test
    @Tag("torture")
    void sigkillDuringAppends_keepsEveryAcknowledgedEntry_tortureRounds() throws Exception {
        int rounds = Integer.getInteger("torture.crash.rounds", 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(rounds > 0, "set -Dtorture.crash.rounds=N to run N rounds");
        crashRounds(rounds, Long.getLong("torture.seed", 0x7047L));
    }

    private void crashRounds(int rounds, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> acknowledged = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            Process writer = new ProcessBuilder(javaBin(), "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                    dir.toString(), Integer.toString(round), "3")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            AtomicBoolean ready = new AtomicBoolean();
            Map<String, Long> acksThisRound = new HashMap<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("READY")) {
                            ready.set(true);
                        } else if (line.startsWith("ACK ")) {
                            String[] parts = line.split(" ");
                            synchronized (acksThisRound) {
                                acksThisRound.put(parts[1], Long.parseLong(parts[2]));
                            }
                        }
                    }
                } catch (Exception ignored) {
                    // The process was killed mid-line; a partial line was never a complete ack.
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (firstAck(acksThisRound) && System.nanoTime() < deadline && writer.isAlive()) {
                Thread.sleep(10);
            }
            assertThat(ready).as("writer of round %d started", round).isTrue();
            // Kill at a random moment once appends are flowing.
            Thread.sleep(50 + random.nextInt(1500));
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();
            synchronized (acksThisRound) {
                assertThat(acksThisRound).as("round %d acknowledged something", round).isNotEmpty();
                acknowledged.putAll(acksThisRound);
            }
            Fsck.Report report = Fsck.check(dir);
            assertThat(report.problem()).as("fsck after the kill in round %d", round).isEmpty();
            System.out.printf("in-process crash round %2d: %6d acknowledged this round, log %7d entries, fsck ok%n",
                    round, acksThisRound.size(), report.entries());
            verifyStore(acknowledged, round);
        }
    }

    private void verifyStore(Map<String, Long> acknowledged, int round) throws Exception {
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "trackrecord.test/crash"))) {
            long size = ledger.size();
            assertThat(size).as("round %d: log holds every acknowledged entry", round)
                    .isGreaterThanOrEqualTo(acknowledged.size());
            Map<String, Long> seen = new HashMap<>();
            MemoryTree reference = new MemoryTree();
            byte[] prev = new byte[32];
            for (long seq = 0; seq < size; seq++) {
                byte[] bytes = ledger.entry(seq).orElseThrow();
                Entry e = Entry.parse(bytes);
                assertThat(e.seq()).isEqualTo(seq);
                assertThat(e.prev()).as("prev of %d", seq).isEqualTo(prev);
                Long dup = seen.put(e.eventId(), seq);
                assertThat(dup).as("event %s present once", e.eventId()).isNull();
                prev = Rfc9162.leafHash(bytes);
                assertThat(ledger.leafHash(seq)).isEqualTo(prev);
                reference.append(prev);
            }
            for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
                assertThat(seen.get(ack.getKey())).as("acknowledged %s", ack.getKey()).isEqualTo(ack.getValue());
            }
            assertThat(ledger.root(size)).isEqualTo(Proofs.root(size, reference));
            // A retry of an acknowledged event gets its original seq back.
            Map.Entry<String, Long> any = acknowledged.entrySet().iterator().next();
            Entry original = Entry.parse(ledger.entry(any.getValue()).orElseThrow());
            String body = new String(original.bodyBytes(), StandardCharsets.UTF_8);
            var retry = TestEntries.parse("{\"kind\":\"audit.result\",\"contractor\":\"" + original.contractor()
                    + "\",\"event_id\":\"" + original.eventId() + "\",\"body\":" + body + "}");
            List<Appended> again = ledger.append(List.of(retry), "crash-writer").join();
            assertThat(again.get(0).seq()).isEqualTo(any.getValue());
            assertThat(again.get(0).duplicate()).isTrue();
        }
    }

    private static boolean firstAck(Map<String, Long> acks) {
        synchronized (acks) {
            return acks.isEmpty();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
