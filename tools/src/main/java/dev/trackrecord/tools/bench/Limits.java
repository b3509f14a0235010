package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;

/**
 * The machine's limits for the ledger's work, measured the same way in the same run: the CPU cost
 * of an entry's canonical JSON and SHA-256 leaf hash (one core), the data directory's fsync rate
 * (4 KiB appends, each forced) and its sequential write bandwidth (1 MiB blocks, forced every
 * 8 MiB).
 */
final class Limits {
    private static final int SAMPLE = 4096;
    private static volatile long sink;

    private Limits() {
    }

    /** Nanoseconds to write one entry's RFC 8785 envelope (what the writer does per entry). */
    static double canonicalEncodeNanos(LongFunction<Submission> source, long millis) {
        Submission[] subs = new Submission[SAMPLE];
        for (int i = 0; i < SAMPLE; i++) {
            subs[i] = source.apply(i);
        }
        byte[] prev = new byte[Entry.HASH_BYTES];
        Instant ts = Instant.ofEpochMilli(1_790_000_000_000L);
        return nanosPerOp(millis, i -> subs[(int) (i % SAMPLE)].toEntry(i, ts, "bench", prev, i - 1).canonicalBytes().length);
    }

    /** Nanoseconds to parse a submission as sent over REST and write it in canonical form. */
    static double canonicalParseNanos(LongFunction<Submission> source, long millis) {
        byte[][] requests = new byte[SAMPLE][];
        for (int i = 0; i < SAMPLE; i++) {
            Submission s = source.apply(i);
            requests[i] = ("{\"kind\":\"" + s.kind().wire() + "\",\"contractor\":\"" + s.contractor() + "\",\"event_id\":\""
                    + s.eventId() + "\",\"body\":" + new String(s.bodyBytes(), StandardCharsets.UTF_8) + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return nanosPerOp(millis, i -> {
            try {
                return CanonicalJson.canonicalize(requests[(int) (i % SAMPLE)]).length;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Nanoseconds to compute one entry's leaf hash, SHA-256(0x00 ‖ canonical bytes). */
    static double leafHashNanos(LongFunction<Submission> source, long millis) {
        byte[][] entries = new byte[SAMPLE][];
        byte[] prev = new byte[Entry.HASH_BYTES];
        Instant ts = Instant.ofEpochMilli(1_790_000_000_000L);
        for (int i = 0; i < SAMPLE; i++) {
            entries[i] = source.apply(i).toEntry(i, ts, "bench", prev, i - 1).canonicalBytes();
        }
        return nanosPerOp(millis, i -> Rfc9162.leafHash(entries[(int) (i % SAMPLE)])[0]);
    }

    /** Mean canonical size of the entries, in bytes. */
    static double entryBytes(LongFunction<Submission> source) {
        long total = 0;
        Instant ts = Instant.ofEpochMilli(1_790_000_000_000L);
        for (int i = 0; i < SAMPLE; i++) {
            total += source.apply(i).toEntry(i, ts, "bench", new byte[Entry.HASH_BYTES], i - 1).canonicalBytes().length;
        }
        return (double) total / SAMPLE;
    }

    interface Op {
        long run(long i);
    }

    private static double nanosPerOp(long millis, Op op) {
        long acc = 0;
        long warm = System.nanoTime() + millis * 500_000L;
        long i = 0;
        while (System.nanoTime() < warm) {
            for (int k = 0; k < 256; k++) {
                acc += op.run(i++);
            }
        }
        long t0 = System.nanoTime();
        long end = t0 + millis * 1_000_000L;
        long n = 0;
        long now;
        while ((now = System.nanoTime()) < end) {
            for (int k = 0; k < 256; k++) {
                acc += op.run(n++);
            }
        }
        sink = acc;
        return (double) (now - t0) / n;
    }

    /** Forced 4 KiB appends to a file in {@code dir} for {@code millis}: forces/s with latency. */
    static Figure fsyncRate(Path dir, long millis) throws IOException {
        return fsyncRate(dir, millis, false);
    }

    /**
     * As {@link #fsyncRate(Path, long)}, but each 4 KiB block overwrites zeros written (and forced)
     * ahead of time, in turn through a 16 MiB file, as the segment log writes: a sync that need
     * not record a new file length.
     */
    static Figure fsyncRateInPlace(Path dir, long millis) throws IOException {
        return fsyncRate(dir, millis, true);
    }

    private static Figure fsyncRate(Path dir, long millis, boolean inPlace) throws IOException {
        Path file = dir.resolve("fsync-probe");
        Histogram h = new Histogram(3);
        long n = 0;
        long span = 16 << 20;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(4096);
            if (inPlace) {
                for (long at = 0; at < span; at += block.capacity()) {
                    block.clear();
                    ch.write(block, at);
                }
                ch.force(true);
            }
            long t0 = System.nanoTime();
            long end = t0 + millis * 1_000_000L;
            long now = t0;
            while (now < end) {
                block.clear();
                long s = System.nanoTime();
                if (inPlace) {
                    ch.write(block, n * block.capacity() % span);
                } else {
                    ch.write(block);
                }
                ch.force(false);
                now = System.nanoTime();
                h.recordValue((now - s) / 1000);
                n++;
            }
            double rate = n / ((now - t0) / 1e9);
            return Figure.of(rate, "fsyncs/s", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Sequential writes of 1 MiB blocks, forced every 8 MiB, {@code mib} in all: MiB/s. */
    static Figure sequentialWrite(Path dir, int mib) throws IOException {
        Path file = dir.resolve("write-probe");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            for (int i = 0; i < block.capacity(); i += 8) {
                block.putLong(i, i * 0x9E3779B97F4A7C15L);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < mib; i++) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block);
                }
                if (i % 8 == 7) {
                    ch.force(false);
                }
            }
            ch.force(false);
            return Figure.of(mib / ((System.nanoTime() - t0) / 1e9), "MiB/s");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
