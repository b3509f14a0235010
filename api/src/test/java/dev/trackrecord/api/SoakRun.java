package dev.trackrecord.api;

import com.nimbusds.jose.jwk.ECKey;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenKeys;
import dev.trackrecord.ledger.DataDirectory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A bounded load run against the real service in its own JVM: measures the capacity of a
 * request mix with closed-loop workers, then sends the same mix open-loop at a fixed fraction
 * of it, and every sample interval records p50/p99/max latency (from each request's intended
 * start, so a stall is not hidden by the driver waiting), errors, and the server's heap (its
 * {@code memory.usedHeap} metric polled every 200 ms: the lowest and highest seen in the
 * interval; the lowest is about the heap after the interval's last collection). Before and after
 * the load it forces a full collection ({@code jcmd PID GC.run}) and reads the live heap. (JMX
 * would be the obvious way in, but Helidon installs a JVM-wide deserialization filter in the
 * test JVM that refuses the RMI stubs.)
 *
 * <p>The mix: 20% single-entry appends (ingest), 30% reputation lookups (marketplace), 20% entry
 * reads by seq and 20% inclusion proofs (compliance), 10% latest checkpoint.
 */
final class SoakRun {
    private static final Pattern ISSUER = Pattern.compile("token issuer: (\\S+)");
    private static final Pattern USED_HEAP = Pattern.compile("memory_usedHeap_bytes\\{[^}]*}\\s+(\\S+)");
    private static final int CONTRACTORS = 500;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One sample interval. */
    record Sample(double seconds, long requests, long errors, double p50Millis, double p99Millis, double maxMillis,
                  long heapMinBytes, long heapMaxBytes, long appended) {
    }

    /** What a run measured. */
    record Result(double capacity, double targetRate, double achievedRate, long requests, long errors,
                  List<String> errorExamples, long liveHeapBefore, long liveHeapAfter, long appended,
                  List<Sample> samples) {
    }

    private final Path data;
    private final int samplePeriodSeconds;
    private Process process;
    private int port;
    private ServerProcess server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String ingest;
    private String marketplace;
    private String compliance;
    private long seededSize;
    private final AtomicLong eventIds = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> errorExamples = java.util.Collections.synchronizedList(new ArrayList<>());

    SoakRun(Path data, int samplePeriodSeconds) {
        this.data = data;
        this.samplePeriodSeconds = samplePeriodSeconds;
    }

    /** Starts the server with a heap of at most {@code heap} and seeds it. */
    void start(String heap) throws Exception {
        server = ServerProcess.start(ServerProcess.Launch.of(data).withHeap(heap));
        process = server.process;
        port = server.port;

        DataDirectory dir = new DataDirectory(data);
        ECKey key = TokenKeys.load(dir.tokenIssuerKey());
        Matcher issuerLine = ISSUER.matcher(log());
        if (!issuerLine.find()) {
            throw new IllegalStateException("server printed no token issuer:\n" + log());
        }
        String issuer = issuerLine.group(1);
        ingest = TokenKeys.mint(key, issuer, "soak-ingest", List.of(Role.INGEST), null, Duration.ofDays(1));
        marketplace = TokenKeys.mint(key, issuer, "soak-market", List.of(Role.MARKETPLACE), null, Duration.ofDays(1));
        compliance = TokenKeys.mint(key, issuer, "soak-compliance", List.of(Role.COMPLIANCE), null, Duration.ofDays(1));
        String admin = TokenKeys.mint(key, issuer, "soak-admin", List.of(Role.ADMIN), null, Duration.ofDays(1));
        // Every contractor of the mix has entries before the load starts, so every lookup is a 200.
        for (int batch = 0; batch < CONTRACTORS / 100; batch++) {
            StringBuilder b = new StringBuilder("{\"entries\":[");
            for (int i = 0; i < 100; i++) {
                b.append(i == 0 ? "" : ",").append(TestServer.audit("c-" + (batch * 100 + i), "seed-" + (batch * 100 + i), 8000));
            }
            b.append("]}");
            HttpResponse<String> r = send(post("/v1/entries", ingest, b.toString()));
            if (r.statusCode() != 201) {
                throw new IllegalStateException("seeding failed: " + r.statusCode() + " " + r.body());
            }
        }
        HttpResponse<String> checkpoint = send(post("/v1/checkpoints", admin, ""));
        seededSize = Long.parseLong(checkpoint.body().split("\n")[1]);
    }

    String log() {
        return server == null ? "" : server.output();
    }

    /**
     * Measures capacity for {@code capacitySeconds}, then runs the mix at {@code load} of it for
     * {@code soakSeconds}.
     */
    Result run(int capacitySeconds, int soakSeconds, double load) throws Exception {
        // Warm-up, then capacity: closed loop, 32 workers.
        closedLoop(Math.max(1, capacitySeconds / 2));
        long done = closedLoop(capacitySeconds);
        double capacity = done / (double) capacitySeconds;
        errors.set(0);
        errorExamples.clear();
        long liveBefore = liveHeap();
        double rate = capacity * load;
        long periodNanos = (long) (1e9 / rate);
        Recorder recorder = new Recorder(3);
        List<Sample> samples = new ArrayList<>();
        long appendedBefore = appended.get();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(soakSeconds);
        Thread sampler = Thread.ofPlatform().daemon(true).start(() -> sample(recorder, samples, start, end, appendedBefore));
        long sent = 0;
        for (long intended = start; intended < end; intended = start + sent * periodNanos) {
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long at = intended;
            long n = sent++;
            Thread.ofVirtual().start(() -> {
                one(n);
                long latency = System.nanoTime() - at;
                recorder.recordValue(Math.min(latency, TIMEOUT_NANOS * 2) / 1000);
            });
        }
        sampler.join(TimeUnit.SECONDS.toMillis(samplePeriodSeconds * 3L + 30));
        long liveAfter = liveHeap();
        long requests = samples.stream().mapToLong(Sample::requests).sum();
        return new Result(capacity, rate, requests / (double) soakSeconds, requests, errors.get(),
                List.copyOf(errorExamples), liveBefore, liveAfter, appended.get() - appendedBefore, List.copyOf(samples));
    }

    private void sample(Recorder recorder, List<Sample> samples, long start, long end, long appendedBefore) {
        long next = start + TimeUnit.SECONDS.toNanos(samplePeriodSeconds);
        long lastErrors = 0;
        Histogram interval = null;
        while (next <= end + TimeUnit.MILLISECONDS.toNanos(100)) {
            long min = Long.MAX_VALUE;
            long max = 0;
            while (System.nanoTime() < next) {
                long used = usedHeap();
                min = Math.min(min, used);
                max = Math.max(max, used);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            interval = recorder.getIntervalHistogram(interval);
            long e = errors.get();
            samples.add(new Sample((next - start) / 1e9, interval.getTotalCount(), e - lastErrors,
                    interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
                    interval.getMaxValue() / 1000.0, min, max, appended.get() - appendedBefore));
            lastErrors = e;
            next += TimeUnit.SECONDS.toNanos(samplePeriodSeconds);
        }
    }

    /** The server's used heap, from its metrics. */
    private long usedHeap() {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/metrics?scope=base&name=memory.usedHeap")).timeout(Duration.ofSeconds(10)).build());
            Matcher m = USED_HEAP.matcher(r.body());
            if (!m.find()) {
                throw new IllegalStateException("no memory_usedHeap_bytes in the metrics: " + r.body());
            }
            return (long) Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Used heap right after a full collection of the server ({@code jcmd PID GC.run}). */
    private long liveHeap() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed: " + out);
        }
        return usedHeap();
    }

    private long closedLoop(int seconds) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong n = new AtomicLong(1L << 40);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 32; w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    one(n.getAndIncrement());
                    done.incrementAndGet();
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        return done.get();
    }

    /** Request {@code n} of the mix; counts an error for anything but its expected 2xx. */
    private void one(long n) {
        int kind = (int) Math.floorMod(n * 0x9E3779B97F4A7C15L >>> 32, 10);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        HttpRequest request;
        if (kind < 2) {
            String c = "c-" + random.nextInt(CONTRACTORS);
            request = post("/v1/entries", ingest, TestServer.audit(c, "soak-" + eventIds.incrementAndGet(),
                    random.nextInt(10_001)));
        } else if (kind < 5) {
            request = get("/v1/contractors/c-" + random.nextInt(CONTRACTORS) + "/reputation", marketplace);
        } else if (kind < 7) {
            request = get("/v1/entries/" + random.nextLong(seededSize), compliance);
        } else if (kind < 9) {
            request = get("/v1/proofs/inclusion?seq=" + random.nextLong(seededSize) + "&tree_size=" + seededSize, compliance);
        } else {
            request = get("/v1/checkpoints/latest", compliance);
        }
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                error(request.method() + " " + request.uri().getPath() + " -> " + r.statusCode() + " " + r.body());
            } else if (kind < 2) {
                appended.incrementAndGet();
            }
        } catch (IOException e) {
            error(request.method() + " " + request.uri().getPath() + " -> " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (errorExamples.size() < 10) {
            errorExamples.add(what);
        }
    }

    private HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofNanos(TIMEOUT_NANOS)).header("Authorization", "Bearer " + token).GET().build();
    }

    private HttpRequest post(String path, String token, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofNanos(TIMEOUT_NANOS)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------ output

    static void writeCsv(Result r, Path file) throws IOException {
        StringBuilder csv = new StringBuilder("seconds,requests,errors,p50_ms,p99_ms,max_ms,heap_min_mb,heap_max_mb,appended\n");
        for (Sample s : r.samples()) {
            csv.append(String.format(Locale.ROOT, "%.0f,%d,%d,%.2f,%.2f,%.2f,%.1f,%.1f,%d%n", s.seconds(), s.requests(),
                    s.errors(), s.p50Millis(), s.p99Millis(), s.maxMillis(), s.heapMinBytes() / 1048576.0,
                    s.heapMaxBytes() / 1048576.0, s.appended()));
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv);
    }

    /** Two stacked line charts, p99 (and p50) latency and heap (interval min and max), as SVG. */
    static void writeSvg(Result r, String title, Path file) throws IOException {
        int w = 720;
        int h = 200;
        int left = 60;
        int right = 20;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"")
                .append(2 * h + 70).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append("<text x=\"").append(left).append("\" y=\"18\" font-size=\"14\">").append(escape(title))
                .append("</text>\n");
        List<Sample> s = r.samples();
        double maxT = s.isEmpty() ? 1 : s.get(s.size() - 1).seconds();
        double maxLatency = s.stream().mapToDouble(Sample::p99Millis).max().orElse(1) * 1.15;
        double maxHeap = s.stream().mapToDouble(x -> x.heapMaxBytes() / 1048576.0).max().orElse(1) * 1.15;
        chart(svg, s, 30, h, left, w - right, maxT, maxLatency, "latency (ms)",
                List.of(new Series("p99", "#d62728", Sample::p99Millis), new Series("p50", "#1f77b4", Sample::p50Millis)));
        chart(svg, s, 50 + h, h, left, w - right, maxT, maxHeap, "server heap (MB)",
                List.of(new Series("max used", "#ff7f0e", x -> x.heapMaxBytes() / 1048576.0),
                        new Series("min used (~ after GC)", "#2ca02c", x -> x.heapMinBytes() / 1048576.0)));
        svg.append("<text x=\"").append((left + w - right) / 2).append("\" y=\"").append(2 * h + 65)
                .append("\" text-anchor=\"middle\">seconds into the run</text>\n</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, svg);
    }

    private record Series(String name, String color, java.util.function.ToDoubleFunction<Sample> value) {
    }

    private static void chart(StringBuilder svg, List<Sample> s, int top, int h, int x0, int x1, double maxT,
                              double maxY, String label, List<Series> series) {
        int bottom = top + h - 20;
        svg.append("<line x1=\"").append(x0).append("\" y1=\"").append(bottom).append("\" x2=\"").append(x1)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n");
        svg.append("<line x1=\"").append(x0).append("\" y1=\"").append(top).append("\" x2=\"").append(x0)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            double y = bottom - (bottom - top) * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x0 - 4,
                    y + 4, v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v)));
            double t = maxT * i / 4;
            double x = x0 + (x1 - x0) * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x,
                    bottom + 15, t));
        }
        svg.append("<text x=\"").append(x0 + 6).append("\" y=\"").append(top + 12).append("\">").append(label).append("</text>\n");
        int legend = x1 - 200;
        for (int k = 0; k < series.size(); k++) {
            Series ser = series.get(k);
            StringBuilder points = new StringBuilder();
            for (Sample p : s) {
                double x = x0 + (x1 - x0) * p.seconds() / maxT;
                double y = bottom - (bottom - top) * Math.min(1, ser.value().applyAsDouble(p) / maxY);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(ser.color()).append("\" stroke-width=\"1.5\" points=\"")
                    .append(points.toString().trim()).append("\"/>\n");
            svg.append("<text x=\"").append(legend).append("\" y=\"").append(top + 12 + 14 * k).append("\" fill=\"")
                    .append(ser.color()).append("\">").append(escape(ser.name())).append("</text>\n");
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
