package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.Submission;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * A process that appends until it is killed, printing {@code ACK <event_id> <seq>} for every
 * acknowledged append. Run by {@link CrashRecoveryTest} in its own JVM.
 *
 * <p>Arguments: data directory, round number, number of writer threads.
 */
public final class CrashWriter {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, false);
        Ledger ledger = Ledger.open(LedgerOptions.defaults(dir, "trackrecord.test/crash"));
        System.out.println("READY " + ledger.size());
        System.out.flush();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(round * 1000L + id);
                for (long n = 0; ; n++) {
                    int batch = 1 + random.nextInt(random.nextBoolean() ? 4 : 300);
                    List<Submission> subs = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        String eventId = "r" + round + "-t" + id + "-" + n + "-" + i;
                        subs.add(TestEntries.audit(eventId, "c-" + random.nextInt(40), random.nextInt(10001)));
                    }
                    CompletableFuture<List<Appended>> acks = ledger.append(subs, "crash-writer");
                    List<Appended> done = acks.join();
                    StringBuilder lines = new StringBuilder();
                    for (int i = 0; i < batch; i++) {
                        lines.append("ACK ").append(subs.get(i).eventId()).append(' ').append(done.get(i).seq()).append('\n');
                    }
                    synchronized (out) {
                        out.print(lines);
                        out.flush();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
    }
}
