package dev.trackrecord.api.me;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.http.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who read which contractor's data: an append-only file of JSON lines, each naming the SHA-256
 * of the line before it ({@code prev}), so editing, inserting or deleting a line breaks the chain
 * at that line. Reads are recorded off the request thread: {@link #read} only offers to a
 * bounded queue that one writer thread drains and appends a batch at a time, forcing the file to
 * disk within 50 ms.
 *
 * <p>When the queue is full the read is not recorded but counted; the writer then appends a
 * {@code dropped} record with the count, which every contractor sees, so a gap is never silent.
 */
public final class AccessLog implements Api.ReadRecorder, AutoCloseable {
    /** Reads queued before the writer catches up; beyond this they are dropped and counted. */
    public static final int DEFAULT_CAPACITY = 65_536;
    static final String GENESIS = "0".repeat(64);

    /** Reads written per batch at most. */
    private static final int MAX_BATCH = 4096;
    /** How long written reads may wait to be forced to disk while reads keep coming. */
    static final long FORCE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long the writer waits after a batch while reads keep coming, so that the next is larger. */
    private static final long BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter TS = DateTimeFormatter.ISO_INSTANT;

    /** One read as queued: nothing is formatted or hashed on the request thread. */
    private record Pending(Instant ts, String principal, String route, String contractor) {
    }

    /** A record of the log. {@code kind} is {@code read} or {@code dropped}. */
    public record Record(long n, String ts, String kind, String principal, String route, String contractor,
                         long dropped) {
    }

    /**
     * What a contractor is shown: their records (newest first), and whether the whole chain
     * verified; when it did not, {@code problem} says at which line, and only records before it
     * are listed.
     */
    public record View(List<Record> records, long length, String head, Optional<String> problem, long droppedTotal) {
    }

    private final Path file;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final LongAdder offered = new LongAdder();
    private final AtomicLong droppedSinceRecorded = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final Object progress = new Object();
    private final Object fileLock = new Object();
    private final Thread writer;
    private final FileChannel channel;
    /** Used by the writer thread only. */
    private final MessageDigest digest = newSha256();
    private final byte[] hash = new byte[32];
    private final LineBuffer out = new LineBuffer();
    private volatile long handled;
    private volatile boolean closing;
    private String head;
    private long length;
    /** Used by the writer thread only. */
    private long formattedMillis = Long.MIN_VALUE;
    private String formatted;

    private AccessLog(Path file, Clock clock, int capacity) throws IOException {
        this.file = file;
        this.clock = clock;
        this.capacity = capacity;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        Tail tail = Tail.read(channel, file);
        this.head = tail.head();
        this.length = tail.length();
        channel.position(channel.size());
        this.writer = Thread.ofPlatform().name("access-log-writer").daemon(true).unstarted(this::drain);
        writer.start();
    }

    /** Opens (or creates) the log at {@code file} and starts its writer thread. */
    public static AccessLog open(Path file, Clock clock, int capacity) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        return new AccessLog(file, clock, capacity);
    }

    @Override
    public void read(Principal principal, String route, String contractor) {
        // Lock-free: a lock shared with the writer made readers park while it drained.
        if (queued.incrementAndGet() <= capacity) {
            queue.add(new Pending(clock.instant(), principal.subject(), route, contractor));
            offered.increment();
        } else {
            queued.decrementAndGet();
            droppedSinceRecorded.incrementAndGet();
            droppedTotal.incrementAndGet();
        }
    }

    /** Reads not recorded because the queue was full, since this process started. */
    public long droppedTotal() {
        return droppedTotal.get();
    }

    /**
     * Waits (at most {@code wait}) until every read offered before the call is written, then
     * reads and verifies the whole chain and returns {@code contractor}'s records, newest first,
     * at most {@code limit}; {@code dropped} records are everyone's.
     */
    public View viewFor(String contractor, int limit, long waitMillis) throws IOException {
        awaitWritten(offered.sum(), waitMillis);
        Chain chain;
        synchronized (fileLock) {
            chain = Chain.read(file);
            if (chain.problem().isEmpty() && (chain.length() != length || !chain.head().equals(head))) {
                // Only this process's memory catches a changed last line or a cut tail.
                chain = new Chain(chain.records(), chain.length(), chain.head(), Optional.of("the file ends at line "
                        + chain.length() + " with hash " + chain.head() + ", but this service wrote " + length
                        + " lines ending with " + head + " (lines were cut off or the last one changed)"));
            }
        }
        List<Record> mine = new ArrayList<>();
        for (int i = chain.records().size() - 1; i >= 0 && mine.size() < limit; i--) {
            Record r = chain.records().get(i);
            if (r.kind().equals("dropped") || contractor.equals(r.contractor())) {
                mine.add(r);
            }
        }
        return new View(mine, chain.length(), chain.head(), chain.problem(), droppedTotal.get());
    }

    private void awaitWritten(long target, long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        synchronized (progress) {
            while (handled < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                try {
                    progress.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The writer loop. It never blocks in the queue: a consumer parked in {@code poll} makes every
     * {@code offer} pay for waking it (a futex call, about 2 us here), so it polls every 2 ms.
     * Under load it writes a batch, then waits 5 ms so that the next one is larger, and
     * forces the file at most every {@link #FORCE_INTERVAL_NANOS} and whenever it falls idle:
     * forcing each small batch had taken about a tenth of the service's CPU under a lookup load.
     */
    private void drain() {
        List<Pending> batch = new ArrayList<>();
        long forcedAt = System.nanoTime();
        boolean unforced = false;
        while (true) {
            try {
                Pending p;
                while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
                    batch.add(p);
                }
                queued.addAndGet(-batch.size());
                long dropped = droppedSinceRecorded.getAndSet(0);
                if (batch.isEmpty() && dropped == 0) {
                    if (unforced) {
                        channel.force(false);
                        unforced = false;
                        forcedAt = System.nanoTime();
                    }
                    if (closing) {
                        return;
                    }
                    LockSupport.parkNanos(2_000_000);
                    continue;
                }
                synchronized (fileLock) {
                    write(batch, dropped);
                }
                unforced = true;
                if (System.nanoTime() - forcedAt >= FORCE_INTERVAL_NANOS) {
                    channel.force(false);
                    unforced = false;
                    forcedAt = System.nanoTime();
                }
                long n = batch.size();
                batch.clear();
                synchronized (progress) {
                    handled += n;
                    progress.notifyAll();
                }
                if (n < MAX_BATCH) {
                    LockSupport.parkNanos(BATCH_WAIT_NANOS);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "could not append to the access log " + file + "; " + batch.size()
                        + " reads are counted as dropped", e);
                droppedSinceRecorded.addAndGet(batch.size());
                droppedTotal.addAndGet(batch.size());
                synchronized (progress) {
                    handled += batch.size();
                    progress.notifyAll();
                }
                batch.clear();
                if (closing) {
                    return;
                }
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(List<Pending> batch, long dropped) throws IOException {
        out.reset();
        byte[] prev = head.getBytes(StandardCharsets.US_ASCII);
        long n = length;
        if (dropped > 0) {
            int start = out.size();
            out.ascii("{\"dropped\":").digits(dropped).ascii(",\"kind\":\"dropped\",\"n\":").digits(n)
                    .ascii(",\"prev\":\"").bytes(prev).ascii("\",\"ts\":\"")
                    .ascii(TS.format(clock.instant().truncatedTo(ChronoUnit.MILLIS))).ascii("\"}");
            chain(start, prev);
            n++;
        }
        for (Pending p : batch) {
            // Keys in sorted order and Jackson's escaping, so each line is its own canonical form.
            int start = out.size();
            out.ascii("{\"contractor\":").quoted(p.contractor())
                    .ascii(",\"kind\":\"read\",\"n\":").digits(n)
                    .ascii(",\"prev\":\"").bytes(prev)
                    .ascii("\",\"principal\":").quoted(p.principal())
                    .ascii(",\"route\":").quoted(p.route())
                    .ascii(",\"ts\":\"").ascii(timestamp(p.ts())).ascii("\"}");
            chain(start, prev);
            n++;
        }
        ByteBuffer bytes = ByteBuffer.wrap(out.buffer(), 0, out.size());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        head = new String(prev, StandardCharsets.US_ASCII);
        length = n;
    }

    /** Ends the line begun at {@code start} and puts its SHA-256, in hex, into {@code prev}. */
    private void chain(int start, byte[] prev) {
        digest.reset();
        digest.update(out.buffer(), start, out.size() - start);
        try {
            digest.digest(hash, 0, hash.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < hash.length; i++) {
            prev[2 * i] = HEX_DIGITS[(hash[i] >> 4) & 0xf];
            prev[2 * i + 1] = HEX_DIGITS[hash[i] & 0xf];
        }
        out.ascii("\n");
    }

    /** {@code ts} to the millisecond, formatted once per millisecond: reads come thousands a second. */
    private String timestamp(Instant ts) {
        long millis = ts.toEpochMilli();
        if (millis != formattedMillis) {
            formatted = TS.format(Instant.ofEpochMilli(millis));
            formattedMillis = millis;
        }
        return formatted;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops accepting work, writes what is queued and closes the file. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the writer goes on: the hash and count of the file's last whole line, read from its
     * end alone, so that opening does not read a log that grows by a line per read (the chain is
     * verified when it is read, {@link #viewFor}). A last line a crash cut short is cut off.
     */
    record Tail(String head, long length) {
        /** At most this much of the end is read to find the last whole line. */
        static final int MAX_LINE = 64 * 1024;

        static Tail read(FileChannel channel, Path file) throws IOException {
            long size = channel.size();
            if (size == 0) {
                return new Tail(GENESIS, 0);
            }
            int window = (int) Math.min(size, MAX_LINE);
            ByteBuffer end = ByteBuffer.allocate(window);
            while (end.hasRemaining() && channel.read(end, size - window + end.position()) >= 0) {
                // read the whole window
            }
            byte[] bytes = end.array();
            int lastNewline = window - 1;
            while (lastNewline >= 0 && bytes[lastNewline] != '\n') {
                lastNewline--;
            }
            if (lastNewline < 0 && size > window) {
                throw new IOException("access log " + file + " has no line end in its last " + window
                        + " bytes; move it aside to start a new log");
            }
            if (lastNewline < window - 1) {
                long whole = size - window + lastNewline + 1;
                LOG.warning("access log " + file + " ended in a line cut short (" + (size - whole)
                        + " bytes, from a crash while writing); cut it off at byte " + whole);
                channel.truncate(whole);
                channel.force(false);
                if (whole == 0) {
                    return new Tail(GENESIS, 0);
                }
            }
            int start = lastNewline - 1;
            while (start >= 0 && bytes[start] != '\n') {
                start--;
            }
            start++;
            if (start == 0 && size > window) {
                throw new IOException("access log " + file + " has a last line longer than " + MAX_LINE
                        + " bytes; move it aside to start a new log");
            }
            byte[] line = java.util.Arrays.copyOfRange(bytes, start, lastNewline);
            long n;
            try {
                n = JSON.readTree(line).path("n").asLong(-1);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                throw new IOException("access log " + file + " ends in a line that is not a record of it;"
                        + " move it aside to start a new log");
            }
            return new Tail(HEX.formatHex(sha256(line)), n + 1);
        }
    }

    /** The verified prefix of the log file, its head hash and the first problem found. */
    record Chain(List<Record> records, long length, String head, Optional<String> problem) {
        static Chain read(Path file) throws IOException {
            List<Record> records = new ArrayList<>();
            String head = GENESIS;
            if (!Files.exists(file)) {
                return new Chain(records, 0, head, Optional.empty());
            }
            byte[] all = Files.readAllBytes(file);
            int start = 0;
            long n = 0;
            while (start < all.length) {
                int end = start;
                while (end < all.length && all[end] != '\n') {
                    end++;
                }
                long lineNo = n + 1;
                if (end == all.length) {
                    return new Chain(records, n, head, Optional.of("line " + lineNo + " is not terminated by a newline"));
                }
                byte[] line = java.util.Arrays.copyOfRange(all, start, end);
                Optional<String> problem = check(line, n, head);
                if (problem.isPresent()) {
                    return new Chain(records, n, head, Optional.of("line " + lineNo + ": " + problem.get()));
                }
                JsonNode json = JSON.readTree(line);
                records.add(new Record(n, json.path("ts").asText(), json.path("kind").asText(),
                        json.path("principal").asText(null), json.path("route").asText(null),
                        json.path("contractor").asText(null), json.path("dropped").asLong(0)));
                head = HEX.formatHex(sha256(line));
                n++;
                start = end + 1;
            }
            return new Chain(records, n, head, Optional.empty());
        }

        private static Optional<String> check(byte[] line, long n, String prev) {
            JsonNode json;
            try {
                json = JSON.readTree(line);
            } catch (IOException e) {
                return Optional.of("not JSON");
            }
            if (json == null || !json.isObject()) {
                return Optional.of("not a JSON object");
            }
            if (json.path("n").asLong(-1) != n) {
                return Optional.of("n is " + json.path("n") + ", expected " + n + " (a line was removed or inserted)");
            }
            if (!prev.equals(json.path("prev").asText())) {
                return Optional.of("prev " + json.path("prev").asText() + " is not the SHA-256 of the line before, "
                        + prev + " (a line was changed)");
            }
            try {
                if (!java.util.Arrays.equals(line, JSON.writeValueAsBytes(json))) {
                    return Optional.of("not in the form the writer produces");
                }
            } catch (IOException e) {
                return Optional.of("not in the form the writer produces");
            }
            return Optional.empty();
        }
    }

    /** The bytes of a batch of lines, built without going through strings; used by the writer only. */
    private static final class LineBuffer {
        private byte[] buf = new byte[64 * 1024];
        private int size;

        void reset() {
            size = 0;
        }

        int size() {
            return size;
        }

        byte[] buffer() {
            return buf;
        }

        private void room(int more) {
            if (size + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        /** Appends {@code s}, which holds ASCII only. */
        LineBuffer ascii(String s) {
            room(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[size++] = (byte) s.charAt(i);
            }
            return this;
        }

        LineBuffer bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        LineBuffer digits(long v) {
            return ascii(Long.toString(v));
        }

        /** Appends {@code s} as a JSON string, escaped as Jackson escapes it. */
        LineBuffer quoted(String s) throws IOException {
            int start = size;
            room(s.length() + 2);
            buf[size++] = '"';
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    size = start;
                    return bytes(JSON.writeValueAsBytes(s));
                }
                buf[size++] = (byte) c;
            }
            buf[size++] = '"';
            return this;
        }
    }
}
