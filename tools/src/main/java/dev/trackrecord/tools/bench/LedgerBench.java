package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.EntryBody;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.merkle.ProofVerifier;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.bundle.BundleWriter;
import dev.trackrecord.ledger.bundle.ExportQuery;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Checkpointer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The ledger's own benchmarks, in process: durable append throughput at several batch sizes
 * with about 460-byte entries; and on a log of a given size, export and offline verification of
 * a bundle of all of it, inclusion and consistency proof generation, reopen time and resident
 * heap per entry (the last three in a fresh JVM).
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
    public Submission submission(long n) {
        EntryBody body = template.body();
        return new Submission(EntryKind.AUDIT_RESULT, "c-" + (n % 50_000), "ev-" + n, body, template.bodyBytes());
    }

    /** Appends {@code total} entries in batches of {@code batch}, {@code inFlight} requests at a time. */
    double appendThroughput(Ledger ledger, long startN, long total, int batch, int inFlight) {
        return appendThroughput(ledger, startN, total, batch, inFlight, new Histogram(3));
    }

    /** The same, recording each batch's time from submission to acknowledgement, in µs. */
    double appendThroughput(Ledger ledger, long startN, long total, int batch, int inFlight, Histogram latency) {
        List<CompletableFuture<List<Appended>>> pending = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long n = startN; n < startN + total; n += batch) {
            List<Submission> subs = new ArrayList<>(batch);
            for (long i = n; i < Math.min(startN + total, n + batch); i++) {
                subs.add(submission(i));
            }
            long s = System.nanoTime();
            pending.add(ledger.append(subs, "bench").whenComplete((ok, failed) -> {
                synchronized (latency) {
                    latency.recordValue((System.nanoTime() - s) / 1000);
                }
            }));
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

    /** Durable appends of {@code entries} entries in batches of {@code batch}, 16 in flight, on a fresh log. */
    public Figure appendBatches(long entries, int batch) throws IOException {
        Path dir = workDir.resolve("append-" + batch);
        deleteTree(dir);
        try (Ledger ledger = open(dir)) {
            appendThroughput(ledger, 0, Math.min(entries / 4, 20_000), batch, 16);
            Histogram h = new Histogram(3);
            double rate = appendThroughput(ledger, 1_000_000, entries, batch, 16, h);
            return Figure.of(rate, "entries/s", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        } finally {
            deleteTree(dir);
        }
    }

    /** Durable single-entry appends from 64 callers that each wait for their ack, on a fresh log. */
    public Figure appendSingles(long entries) throws Exception {
        Path dir = workDir.resolve("append-single");
        deleteTree(dir);
        try (Ledger ledger = open(dir)) {
            Histogram h = new Histogram(3);
            singleAppendThroughput(ledger, 0, Math.min(entries, 10_000), 64, new Histogram(3));
            double rate = singleAppendThroughput(ledger, 1_000_000, entries, 64, h);
            return Figure.of(rate, "entries/s", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        } finally {
            deleteTree(dir);
        }
    }

    /** What {@link #atSize} measured on a log of one size. */
    public record SizeFigures(long size, Figure build, long bytesOnDisk, Figure export, long bundleBytes,
                              Figure verify, Map<String, Figure> reopen) {
    }

    /**
     * Builds a log of {@code size} entries (batches of 10,000) with a signed checkpoint; with
     * {@code bundle}, exports it as a bundle and verifies the bundle offline; then reopens it in a
     * fresh JVM for the reopen time, resident heap and proof figures.
     */
    public SizeFigures atSize(long size, int proofs, boolean bundle) throws Exception {
        Path big = workDir.resolve("log-" + size);
        deleteTree(big);
        NoteSigner signer = NoteSigner.generate(ORIGIN, new SecureRandom());
        Figure build;
        Figure export = Figure.notMeasured("not run at this size");
        Figure verify = Figure.notMeasured("not run at this size");
        long bundleBytes = 0;
        Path zip = workDir.resolve("bundle-" + size + ".zip");
        long t0 = System.nanoTime();
        try (Ledger ledger = open(big); Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofDays(1))) {
            appendThroughput(ledger, 0, size, 10_000, 8);
            build = Figure.of(size / ((System.nanoTime() - t0) / 1e9), "entries/s");
            checkpointer.checkpointNow();
            if (bundle) {
                long e0 = System.nanoTime();
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16)) {
                    BundleWriter.write(ledger, ExportQuery.all(), signer.verifier(), Clock.systemUTC(), os);
                }
                double secs = (System.nanoTime() - e0) / 1e9;
                export = Figure.of(size / secs, "entries/s");
                bundleBytes = Files.size(zip);
            }
        }
        long onDisk = sizeOf(big);
        if (bundle) {
            long v0 = System.nanoTime();
            BundleVerification result = BundleVerifier.verify(zip, Optional.of(signer.verifier()));
            double secs = (System.nanoTime() - v0) / 1e9;
            if (result.entryCount() != size) {
                throw new IllegalStateException("the bundle verified " + result.entryCount() + " entries, not " + size);
            }
            verify = Figure.of(size / secs, "entries/s");
            Files.delete(zip);
        }
        Map<String, Figure> reopen = reopenInFreshJvm(big, size, proofs);
        deleteTree(big);
        return new SizeFigures(size, build, onDisk, export, bundleBytes, verify, reopen);
    }

    /** Reopens in a fresh JVM, so the heap figure holds nothing of the build. */
    private Map<String, Figure> reopenInFreshJvm(Path dir, long size, int proofs) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m",
                "-cp", System.getProperty("java.class.path"), LedgerBench.class.getName(),
                "reopen", dir.toString(), Long.toString(size), Integer.toString(proofs))
                .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Figure> figures = new LinkedHashMap<>();
        if (child.waitFor() != 0) {
            Figure failed = Figure.notMeasured("the reopen process exited with " + child.exitValue());
            for (String k : List.of("reopen", "heapOpen", "inclusion", "entry", "consistency", "heapTouched")) {
                figures.put(k, failed);
            }
            return figures;
        }
        for (String line : text.lines().filter(l -> l.startsWith("RESULT ")).toList()) {
            String[] f = line.split(" ");
            figures.put(f[1], f.length > 4
                    ? Figure.of(Double.parseDouble(f[2]), f[3].replace('_', ' '), Double.parseDouble(f[4]), Double.parseDouble(f[5]))
                    : Figure.of(Double.parseDouble(f[2]), f[3].replace('_', ' ')));
        }
        return figures;
    }

    /** Child process entry: {@code reopen DIR SIZE PROOFS}; prints {@code RESULT key value unit [p50 p99]} lines. */
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
            out.printf(Locale.ROOT, "RESULT reopen %.1f ms%n", reopenMs);
            out.printf(Locale.ROOT, "RESULT heapOpen %.2f bytes/entry%n", (double) heapOpen / size);
            bench.proofFigures(ledger, size, Integer.parseInt(args[3]));
            long heapTouched = usedHeapAfterGc() - heapBefore;
            out.printf(Locale.ROOT, "RESULT heapTouched %.2f bytes/entry%n", (double) heapTouched / size);
        }
    }

    private void proofFigures(Ledger ledger, long size, int count) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        byte[] root = ledger.root(size);
        // Warm up, and check that what is measured verifies.
        for (int i = 0; i < Math.min(count, 20_000); i++) {
            long seq = random.nextLong(size);
            ProofVerifier.verifyInclusion(seq, size, ledger.leafHash(seq), ledger.inclusionProof(seq, size), root);
        }
        timeEach("inclusion", "proofs/s", count, () -> random.nextLong(size), seq -> ledger.inclusionProof(seq, size));
        // An entry's canonical bytes by seq, as GET /v1/entries/{seq} reads them.
        for (int i = 0; i < Math.min(count, 20_000); i++) {
            ledger.entry(random.nextLong(size)).orElseThrow();
        }
        timeEach("entry", "entries/s", count, () -> random.nextLong(size), ledger::entry);
        timeEach("consistency", "proofs/s", count, () -> 1 + random.nextLong(size - 1),
                size1 -> ledger.consistencyProof(size1, size));
    }

    /**
     * Runs {@code op} on {@code count} arguments drawn by {@code pick}, timing each call alone,
     * and prints {@code RESULT key rate unit p50 p99} (milliseconds).
     */
    private void timeEach(String key, String unit, int count, LongSupplier pick, LongConsumer op) {
        Histogram h = new Histogram(3);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long argument = pick.getAsLong();
            long s = System.nanoTime();
            op.accept(argument);
            h.recordValue(System.nanoTime() - s);
        }
        double rate = count / ((System.nanoTime() - t0) / 1e9);
        out.printf(Locale.ROOT, "RESULT %s %.1f %s %.6f %.6f%n", key, rate, unit,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
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
