package dev.trackrecord.api.me;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.api.Periodic;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.http.Api;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
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
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who read which contractor's data: append-only files of JSON lines, one per UTC day
 * ({@code DIR/2026-11-29.jsonl}), each line naming the SHA-256 of the line before it
 * ({@code prev}), across files too, so editing, inserting or deleting a line, or deleting a day
 * file between two others, breaks the chain there. Reads are recorded off the request thread:
 * {@link #read} only offers to a bounded queue that one writer thread drains and appends a batch
 * at a time, forcing the file to disk within 50 ms.
 *
 * <p>When the queue is full the read is not recorded but counted; the writer then appends a
 * {@code dropped} record with the count, which every contractor sees, so a gap is never silent.
 *
 * <p>With a retention period, day files whose every record is older than it are deleted
 * ({@link #prune}); the oldest kept file's first {@code prev} is then where the chain starts.
 */
public final class AccessLog implements Api.ReadRecorder, AutoCloseable {
    /** Reads queued before the writer catches up; beyond this they are dropped and counted. */
    public static final int DEFAULT_CAPACITY = 65_536;
    static final String GENESIS = AccessChain.GENESIS;

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
    private static final long DAY_MILLIS = TimeUnit.DAYS.toMillis(1);

    /** One read as queued: nothing is formatted or hashed on the request thread. */
    private record Pending(Instant ts, String principal, String route, String contractor) {
    }

    /** A record of the log. {@code kind} is {@code read} or {@code dropped}. */
    public record Record(long n, String ts, String kind, String principal, String route, String contractor,
                         long dropped) {
    }

    /**
     * Where the kept chain starts when older day files were deleted: the first kept line's
     * {@code n}, and its {@code prev}, the hash of a line no longer kept.
     */
    public record Anchor(long n, String prev) {
    }

    /**
     * What a contractor is shown: their records (newest first) from the day files read, newest
     * first ({@code daysRead}), and whether the chain of those files verified, from line
     * {@code checkedFrom} (in the file of {@code checkedFromDay}) to the head; when it did not, {@code problem} says at which file and
     * line, and only records read before it are listed. {@code startsAfter} is set when the oldest
     * kept file was read and its first line is not line 0 (older files were deleted).
     */
    public record View(List<Record> records, long length, String head, long checkedFrom,
                       Optional<String> checkedFromDay, List<String> daysRead, Optional<Anchor> startsAfter,
                       Optional<String> problem, long droppedTotal) {
    }

    private final Path dir;
    private final Clock clock;
    /** How long day files are kept; zero for all of them. */
    private final Period retention;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final LongAdder offered = new LongAdder();
    private final AtomicLong droppedSinceRecorded = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final Object progress = new Object();
    /** Held by the writer while it writes, and to take a consistent look at the files and the head. */
    private final Object fileLock = new Object();
    /** Readers of the files share it; deleting files past retention takes it alone. */
    private final ReadWriteLock deleting = new ReentrantReadWriteLock();
    private final Thread writer;
    /** Used by the writer thread only. */
    private final MessageDigest digest = newSha256();
    private final byte[] hash = new byte[32];
    private final LineBuffer out = new LineBuffer();
    /** The current day's file, opened at its first write; used by the writer thread only. */
    private FileChannel channel;
    private volatile long handled;
    private volatile boolean closing;
    /** Guarded by fileLock: the last line's hash and the n of the next, the writer's day and its file's size. */
    private String head = GENESIS;
    private long length;
    private LocalDate currentDay;
    private long currentSize;
    /** Used by the writer thread only: the first millisecond after {@code currentDay}. */
    private long nextDayMillis = Long.MIN_VALUE;
    private long formattedMillis = Long.MIN_VALUE;
    private String formatted;

    private AccessLog(Path dir, Clock clock, int capacity, Period retention) throws IOException {
        this.dir = dir;
        this.clock = clock;
        this.capacity = capacity;
        this.retention = retention;
        Files.createDirectories(dir);
        carryOnSingleFile(singleFile(dir), dir);
        List<String> days = DayFiles.list(dir);
        for (int i = days.size() - 1; i >= 0; i--) {
            Path file = DayFiles.path(dir, days.get(i));
            try (FileChannel existing = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Tail tail = Tail.read(existing, file);
                if (currentDay == null) {
                    currentDay = LocalDate.parse(days.get(i));
                    currentSize = existing.size();
                    nextDayMillis = currentDay.plusDays(1).toEpochDay() * DAY_MILLIS;
                }
                if (tail.length() > 0) {
                    head = tail.head();
                    length = tail.length();
                    break;
                }
            }
        }
        this.writer = Thread.ofPlatform().name("access-log-writer").daemon(true).unstarted(this::drain);
        writer.start();
    }

    /** Opens (or creates) the log in directory {@code dir}, keeping every day file, and starts its writer thread. */
    public static AccessLog open(Path dir, Clock clock, int capacity) throws IOException {
        return create(dir, clock, capacity, Period.ZERO);
    }

    /**
     * Opens (or creates) the log in directory {@code dir} and starts its writer thread; {@link #prune}
     * deletes day files whose records are all older than {@code retention}.
     */
    public static AccessLog open(Path dir, Clock clock, int capacity, Period retention) throws IOException {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("access log retention must be a positive period, was " + retention);
        }
        return create(dir, clock, capacity, retention);
    }

    private static AccessLog create(Path dir, Clock clock, int capacity, Period retention) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        return new AccessLog(dir, clock, capacity, retention);
    }

    /** The single file earlier versions wrote beside the directory: {@code DIR.jsonl}. */
    static Path singleFile(Path dir) {
        return dir.toAbsolutePath().resolveSibling(dir.getFileName() + ".jsonl");
    }

    /**
     * Moves the single-file log earlier versions wrote ({@code single}) into {@code dir} as the day
     * file of its last record's day: its chain starts at line 0, so it is the oldest day file and
     * the next day's file goes on from its last line. A file with no whole line is deleted.
     * Refused when {@code dir} already has day files, since the two chains cannot both be the log.
     */
    static void carryOnSingleFile(Path single, Path dir) throws IOException {
        if (!Files.exists(single)) {
            return;
        }
        Tail tail;
        try (FileChannel existing = FileChannel.open(single, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            tail = Tail.read(existing, single);
        }
        if (tail.length() == 0) {
            Files.delete(single);
            LOG.info(() -> "access log " + single + " held no whole line; deleted it");
            return;
        }
        if (!DayFiles.list(dir).isEmpty()) {
            throw new IOException("both the single-file access log " + single + " and day files in " + dir
                    + " exist; move one of them aside");
        }
        Path target = DayFiles.path(dir, tail.day());
        Files.move(single, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info(() -> "access log " + single + " (" + tail.length() + " lines) moved to " + target
                + ", the day file of its last record; the chain goes on from it");
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
     * {@link #viewFor(String, int, int, long)} reading back as far as it takes to find {@code limit}
     * records, to the oldest kept file at most.
     */
    public View viewFor(String contractor, int limit, long waitMillis) throws IOException {
        return viewFor(contractor, limit, Integer.MAX_VALUE, waitMillis);
    }

    /**
     * Waits (at most {@code waitMillis}) until every read offered before the call is written, then
     * reads the day files newest first and returns {@code contractor}'s records, newest first, at
     * most {@code limit}; {@code dropped} records are everyone's. Reading stops once {@code limit}
     * records are found or before a file older than the last {@code days} UTC days (today is the
     * first), but the newest file with lines is always read. Every file read is verified, with the
     * link between it and the next newer one read, and the newest one's end against the head this
     * service holds.
     */
    public View viewFor(String contractor, int limit, int days, long waitMillis) throws IOException {
        if (days < 1) {
            throw new IllegalArgumentException("days must be at least 1");
        }
        awaitWritten(offered.sum(), waitMillis);
        String since = days == Integer.MAX_VALUE ? ""
                : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days - 1L).toString();
        AccessChain.Result result;
        deleting.readLock().lock();
        try {
            List<String> dayFiles;
            long headLength;
            String headHash;
            String writing;
            long written;
            synchronized (fileLock) {
                // Files and head as of one moment: the writer appends only to its day's file, so
                // reading that one up to its size then, and the others whole, sees that moment.
                dayFiles = DayFiles.list(dir);
                headLength = length;
                headHash = head;
                writing = currentDay == null ? null : currentDay.toString();
                written = currentSize;
            }
            AccessChain.Source source = day -> {
                InputStream in = Files.newInputStream(DayFiles.path(dir, day));
                return day.equals(writing) ? new Limited(in, written) : in;
            };
            result = AccessChain.newestFirst(dayFiles, source, headLength, headHash,
                    r -> r.kind().equals("dropped") || contractor.equals(r.contractor()), limit, since);
        } finally {
            deleting.readLock().unlock();
        }
        return new View(result.records(), result.length(), result.head(), result.checkedFrom(),
                result.checkedFromDay(), result.daysRead(), result.startsAfter(), result.problem(), droppedTotal.get());
    }

    /**
     * Deletes the day files whose every record is older than the retention period (the file of
     * day D once D + retention is before today, UTC), oldest first, never the newest file, which
     * the writer goes on from. Returns the days deleted; none without a retention period.
     */
    public List<String> prune() throws IOException {
        if (retention.isZero()) {
            return List.of();
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<String> deleted = new ArrayList<>();
        deleting.writeLock().lock();
        try {
            List<String> days;
            synchronized (fileLock) {
                days = DayFiles.list(dir);
            }
            for (int i = 0; i < days.size() - 1; i++) {
                if (!LocalDate.parse(days.get(i)).plus(retention).isBefore(today)) {
                    break;
                }
                Files.deleteIfExists(DayFiles.path(dir, days.get(i)));
                deleted.add(days.get(i));
            }
        } finally {
            deleting.writeLock().unlock();
        }
        return deleted;
    }

    /** Runs {@link #prune} now and then every {@code interval}; closing the result stops it. */
    public AutoCloseable scheduleRetention(Duration interval) {
        return Periodic.every(interval, "access-log-retention", LOG,
                "access log retention: could not delete day files past retention; will retry", () -> {
                    List<String> deleted = prune();
                    if (!deleted.isEmpty()) {
                        LOG.info(() -> "access log retention: deleted the day files of " + deleted);
                    }
                });
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
                    if (unforced && channel != null) {
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
                if (System.nanoTime() - forcedAt >= FORCE_INTERVAL_NANOS && channel != null) {
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
                LOG.log(Level.SEVERE, "could not append to the access log in " + dir + "; " + batch.size()
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

    /** Appends the batch, moving to a new day's file when a record's UTC day is after the current one. */
    private void write(List<Pending> batch, long dropped) throws IOException {
        out.reset();
        byte[] prev = head.getBytes(StandardCharsets.US_ASCII);
        long n = length;
        if (dropped > 0) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            if (now.toEpochMilli() >= nextDayMillis) {
                startDay(now, prev, n);
            }
            int start = out.size();
            out.ascii("{\"dropped\":").digits(dropped).ascii(",\"kind\":\"dropped\",\"n\":").digits(n)
                    .ascii(",\"prev\":\"").bytes(prev).ascii("\",\"ts\":\"")
                    .ascii(TS.format(now)).ascii("\"}");
            chain(start, prev);
            n++;
        }
        for (Pending p : batch) {
            // A read queued just before midnight may come after one just past it: it goes into the
            // new day's file, as files are never appended to once the next day's is begun.
            if (p.ts().toEpochMilli() >= nextDayMillis) {
                startDay(p.ts(), prev, n);
            }
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
        flush(prev, n);
    }

    /**
     * Writes the lines formatted so far to the current day's file, then begins the file of
     * {@code ts}'s UTC day; the chain goes on into it ({@code prev} and {@code n} carry over).
     */
    private void startDay(Instant ts, byte[] prev, long n) throws IOException {
        flush(prev, n);
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
        LocalDate day = LocalDate.ofInstant(ts, ZoneOffset.UTC);
        channel = FileChannel.open(DayFiles.path(dir, day), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        currentDay = day;
        currentSize = channel.size();
        nextDayMillis = day.plusDays(1).toEpochDay() * DAY_MILLIS;
        // So that the new file's name survives a crash of the machine, not only its bytes.
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not force the access log directory " + dir, e);
        }
    }

    /** Appends the lines formatted so far; the last of them has hash {@code prev}, the next is {@code n}. */
    private void flush(byte[] prev, long n) throws IOException {
        if (out.size() == 0) {
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(DayFiles.path(dir, currentDay), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        ByteBuffer bytes = ByteBuffer.wrap(out.buffer(), 0, out.size());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        currentSize += out.size();
        head = new String(prev, StandardCharsets.US_ASCII);
        length = n;
        out.reset();
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
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the writer goes on: the hash and count of the file's last whole line, read from its
     * end alone, so that opening does not read a log that grows by a line per read (the chain is
     * verified when it is read, {@link #viewFor}). A last line a crash cut short is cut off.
     */
    record Tail(String head, long length, LocalDate day) {
        /** At most this much of the end is read to find the last whole line. */
        static final int MAX_LINE = 64 * 1024;

        static Tail read(FileChannel channel, Path file) throws IOException {
            long size = channel.size();
            if (size == 0) {
                return new Tail(GENESIS, 0, null);
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
                    return new Tail(GENESIS, 0, null);
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
            LocalDate day;
            try {
                JsonNode json = JSON.readTree(line);
                n = json.path("n").asLong(-1);
                day = LocalDate.ofInstant(Instant.parse(json.path("ts").asText()), ZoneOffset.UTC);
            } catch (IOException | java.time.DateTimeException e) {
                n = -1;
                day = null;
            }
            if (n < 0) {
                throw new IOException("access log " + file + " ends in a line that is not a record of it;"
                        + " move it aside to start a new log");
            }
            return new Tail(HEX.formatHex(sha256(line)), n + 1, day);
        }
    }

    /** The first {@code left} bytes of a stream: the current day's file as of one moment. */
    private static final class Limited extends FilterInputStream {
        private long left;

        Limited(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int got = super.read(b, off, (int) Math.min(len, left));
            if (got > 0) {
                left -= got;
            }
            return got;
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
