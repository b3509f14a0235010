package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.EntryBody;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The ledger's own benchmarks, in process: durable append throughput at several batch sizes
 * with about 460-byte entries, inclusion and consistency proof generation, reopen time and
 * resident heap per entry. Figures go to the given stream as Markdown tables.
 */
public final class LedgerBench {
    private static final String ORIGIN = "trackrecord.bench/ledger";

    private final Path workDir;
    private final PrintStream out;
    private final Submission template;

    public LedgerBench(Path workDir, PrintStream out) {
        this.workDir = workDir;
        this.out = out;
        try {
            this.template = new SubmissionValidator(Clock.systemUTC()).parse("""
                    {"kind":"audit.result","contractor":"c-000001","event_id":"template","body":{
                      "occurred_at":"2026-11-01T10:00:00Z","audit_id":"audit-2026-000001","task_id":"task-2026-000001",
                      "method":"gold","auditor":"qa-bot-7","verdict":"pass","score_bp":9000,"error_tags":["none"],
                      "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                    """.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("benchmark template entry is invalid", e);
        }
    }

    /** A submission like the template with its own event id and one of 50,000 contractors. */
    Submission submission(long n) {
        EntryBody body = template.body();
        return new Submission(EntryKind.AUDIT_RESULT, "c-" + (n % 50_000), "ev-" + n, body, template.bodyBytes());
    }

    /** Appends {@code total} entries in batches of {@code batch}, {@code inFlight} requests at a time. */
    double appendThroughput(Ledger ledger, long startN, long total, int batch, int inFlight) {
        List<CompletableFuture<List<Appended>>> pending = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long n = startN; n < startN + total; n += batch) {
            List<Submission> subs = new ArrayList<>(batch);
            for (long i = n; i < Math.min(startN + total, n + batch); i++) {
                subs.add(submission(i));
            }
            pending.add(ledger.append(subs, "bench"));
            if (pending.size() >= inFlight) {
                pending.remove(0).join();
            }
        }
        pending.forEach(CompletableFuture::join);
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    /** Single-entry appends from {@code threads} callers that each wait for their ack. */
    double singleAppendThroughput(Ledger ledger, long startN, long total, int threads, Histogram latency)
            throws InterruptedException {
        AtomicLong next = new AtomicLong(startN);
        long end = startN + total;
        List<Thread> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofVirtual().start(() -> {
                long n;
                while ((n = next.getAndIncrement()) < end) {
                    long s = System.nanoTime();
                    ledger.append(List.of(submission(n)), "bench").join();
                    synchronized (latency) {
                        latency.recordValue((System.nanoTime() - s) / 1000);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    /** Runs the append table, then builds a log of {@code logSize} entries for proofs and reopen. */
    public void run(long appendEntries, long logSize, int proofs) throws Exception {
        Files.createDirectories(workDir);
        out.println("Machine: " + Machine.describe(workDir));
        out.println();
        out.println("| durable append, in process | entries/s | p50 | p99 |");
        out.println("|---|---:|---:|---:|");
        for (int batch : new int[] {10, 100, 1000, 10_000}) {
            Path dir = workDir.resolve("append-" + batch);
            deleteTree(dir);
            try (Ledger ledger = open(dir)) {
                appendThroughput(ledger, 0, Math.min(appendEntries, 20_000), batch, 16);
                double rate = appendThroughput(ledger, 1_000_000, appendEntries, batch, 16);
                out.printf("| batches of %,d, 16 in flight | %,.0f | | |%n", batch, rate);
            }
            deleteTree(dir);
        }
        Path single = workDir.resolve("append-single");
        deleteTree(single);
        try (Ledger ledger = open(single)) {
            Histogram h = new Histogram(3);
            singleAppendThroughput(ledger, 0, Math.min(appendEntries / 4, 10_000), 64, new Histogram(3));
            double rate = singleAppendThroughput(ledger, 1_000_000, appendEntries / 4, 64, h);
            out.printf("| single entries, 64 concurrent callers | %,.0f | %.2f ms | %.2f ms |%n", rate,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        }
        deleteTree(single);
        out.println();

        Path big = workDir.resolve("log-" + logSize);
        deleteTree(big);
        long t0 = System.nanoTime();
        try (Ledger ledger = open(big)) {
            appendThroughput(ledger, 0, logSize, 10_000, 8);
        }
        out.printf("Built a log of %,d entries in %.1f s; %,d MiB on disk.%n%n", logSize,
                (System.nanoTime() - t0) / 1e9, sizeOf(big) >> 20);

        // Reopen in a fresh JVM, so the heap figure holds nothing of the build above.
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m",
                "-cp", System.getProperty("java.class.path"), LedgerBench.class.getName(),
                "reopen", big.toString(), Long.toString(logSize), Integer.toString(proofs))
                .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        out.print(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        if (child.waitFor() != 0) {
            out.println("(reopen measurement failed with exit " + child.exitValue() + ")");
        }
        out.println();
    }

    /** Child process entry: {@code reopen DIR SIZE PROOFS}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("reopen")) {
            System.err.println("usage: LedgerBench reopen DIR SIZE PROOFS");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        long size = Long.parseLong(args[2]);
        LedgerBench bench = new LedgerBench(dir.getParent(), System.out);
        long heapBefore = usedHeapAfterGc();
        long t0 = System.nanoTime();
        try (Ledger ledger = open(dir)) {
            double reopenMs = (System.nanoTime() - t0) / 1e6;
            long heapOpen = usedHeapAfterGc() - heapBefore;
            PrintStream out = System.out;
            out.println("| at " + String.format("%,d", size) + " entries | figure |");
            out.println("|---|---:|");
            out.printf("| reopen to serving (fresh JVM) | %,.0f ms |%n", reopenMs);
            out.printf("| heap held after reopen | %,d MiB (%.1f bytes/entry) |%n", heapOpen >> 20,
                    (double) heapOpen / size);
            bench.proofTable(ledger, size, Integer.parseInt(args[3]));
            long heapTouched = usedHeapAfterGc() - heapBefore;
            out.printf("| heap held after the proof runs (tiles read back) | %,d MiB (%.1f bytes/entry) |%n",
                    heapTouched >> 20, (double) heapTouched / size);
        }
    }

    private void proofTable(Ledger ledger, long size, int count) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        byte[] root = ledger.root(size);
        // Warm up, and check that what is measured verifies.
        for (int i = 0; i < Math.min(count, 20_000); i++) {
            long seq = random.nextLong(size);
            ProofVerifier.verifyInclusion(seq, size, ledger.leafHash(seq), ledger.inclusionProof(seq, size), root);
        }
        Histogram h = new Histogram(3);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long seq = random.nextLong(size);
            long s = System.nanoTime();
            ledger.inclusionProof(seq, size);
            h.recordValue(System.nanoTime() - s);
        }
        double rate = count / ((System.nanoTime() - t0) / 1e9);
        out.printf("| inclusion proofs, one thread, random leaves | %,.0f/s (p50 %.1f µs, p99 %.1f µs) |%n", rate,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        h.reset();
        t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long size1 = 1 + random.nextLong(size - 1);
            long s = System.nanoTime();
            ledger.consistencyProof(size1, size);
            h.recordValue(System.nanoTime() - s);
        }
        rate = count / ((System.nanoTime() - t0) / 1e9);
        out.printf("| consistency proofs, one thread, random size1 | %,.0f/s (p50 %.1f µs, p99 %.1f µs) |%n", rate,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static Ledger open(Path dir) {
        return Ledger.open(new LedgerOptions(dir, ORIGIN, Clock.systemUTC(), 1_000_000, 16_384));
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
