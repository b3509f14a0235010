package dev.trackrecord.ledger.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Append-only segment files for the log's bulk bytes (entry chunks and full tree tiles). The
 * EclipseStore database holds only where each piece lives, so opening a log does not read its
 * bulk: EclipseStore reads every byte of its data files on start, which made a 1M-entry log
 * take seconds to open when the entries lived inside it.
 *
 * <p>Protocol: the writer appends a batch's bytes and {@link #sync} forces them to stable
 * storage; the batch is acknowledged then. EclipseStore records the positions later, every so
 * often, so on open the bytes beyond its last recorded position may hold acknowledged batches:
 * the ledger reads them back (in {@linkplain #verifyAppends verifying} mode, which checks that
 * re-applying them reproduces the bytes on disk) and {@linkplain #cutAt cuts} the log after the
 * last whole batch.
 *
 * <p>Zeros ahead: when an append grows the current segment, {@value #ZEROS_AHEAD} bytes of zeros
 * are written after it, and later appends overwrite them in place. Forcing an overwrite in place
 * need not record a new file length, so those syncs skip a journal commit of the file system
 * (docs/storage.md, "Zeros ahead"). Zeros are never read as a record: a chunk starts with its
 * marker and is checked by its CRC. A segment the writer leaves behind is cut to its records, and
 * opening the log cuts the zeros after the last whole batch, as it cuts a batch a crash tore.
 *
 * <p>A position is {@code segment << 40 | offset}. One writer thread appends; any thread reads.
 */
final class SegmentLog implements AutoCloseable {
    static final long MAX_SEGMENT_BYTES = 1L << 30;
    private static final Pattern NAME = Pattern.compile("seg-(\\d{6})\\.dat");
    static final int ZEROS_AHEAD = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZEROS_AHEAD).asReadOnlyBuffer();

    private final Path dir;
    private final long maxSegmentBytes;
    private final boolean writable;
    private final List<FileChannel> channels = new ArrayList<>();
    private volatile FileChannel[] readers = new FileChannel[0];
    private int current;
    private long end;
    /** Length of the current segment's file: its records, then zeros written ahead of them. */
    private long fileLength;
    /** Segments written since the last sync, which the next sync must force. */
    private int unsyncedFrom;
    /** While set, appends compare their bytes with those on disk instead of writing them. */
    private boolean verifying;

    /** Thrown in verifying mode when the bytes on disk are missing or differ from an append's. */
    static final class Mismatch extends RuntimeException {
        final long position;

        Mismatch(long position, String message) {
            super(message);
            this.position = position;
        }
    }

    private SegmentLog(Path dir, long maxSegmentBytes, boolean writable) {
        this.dir = dir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.writable = writable;
    }

    /**
     * Opens the segments in {@code dir} for appending after {@code committedEnd} (a position).
     * Bytes beyond it are kept for the ledger to read back; nothing is cut until {@link #cutAt}.
     */
    static SegmentLog open(Path dir, long committedEnd) throws IOException {
        return open(dir, committedEnd, true, MAX_SEGMENT_BYTES);
    }

    /** As {@link #open(Path, long)}, moving on to a new segment after {@code maxSegmentBytes} (tests). */
    static SegmentLog open(Path dir, long committedEnd, long maxSegmentBytes) throws IOException {
        return open(dir, committedEnd, true, maxSegmentBytes);
    }

    /**
     * Opens the segments for reading only (fsck): nothing is cut or deleted, but a segment
     * shorter than what was committed is still refused.
     */
    static SegmentLog openForReading(Path dir, long committedEnd) throws IOException {
        return open(dir, committedEnd, false, MAX_SEGMENT_BYTES);
    }

    private static SegmentLog open(Path dir, long committedEnd, boolean writable, long maxSegmentBytes)
            throws IOException {
        if (writable) {
            Files.createDirectories(dir);
        }
        SegmentLog log = new SegmentLog(dir, maxSegmentBytes, writable);
        int lastSegment = segmentOf(committedEnd);
        long lastOffset = offsetOf(committedEnd);
        int lastOnDisk = lastSegment;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    lastOnDisk = Math.max(lastOnDisk, Integer.parseInt(m.group(1)));
                }
            }
        }
        for (int s = 0; s <= lastOnDisk; s++) {
            Path file = log.file(s);
            if (s > lastSegment && !Files.exists(file)) {
                break; // a gap after the committed segments: what follows it cannot be read back in order
            }
            FileChannel ch = writable
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
            if (s == lastSegment && ch.size() < lastOffset) {
                ch.close();
                log.close();
                throw new LedgerCorruptException(file + " holds " + ch.size() + " bytes but the log committed "
                        + lastOffset + " bytes to it; the segment was truncated or replaced");
            }
            log.channels.add(ch);
        }
        log.readers = log.channels.toArray(FileChannel[]::new);
        log.current = lastSegment;
        log.end = lastOffset;
        log.fileLength = lastSegment < log.channels.size() ? log.channels.get(lastSegment).size() : 0;
        log.unsyncedFrom = lastSegment;
        return log;
    }

    /** Whether {@code length} bytes from {@code position} are on disk. */
    boolean holds(long position, long length) {
        int segment = segmentOf(position);
        FileChannel[] r = readers;
        if (segment >= r.length) {
            return false;
        }
        try {
            return r[segment].size() >= offsetOf(position) + length;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the size of segment " + segment, e);
        }
    }

    /**
     * Where a record of at least {@code minLength} bytes appended at {@link #end} would be: at
     * the end when the bytes are there, else at the start of the next segment when the writer
     * moved on to it; empty when neither holds such bytes.
     */
    OptionalLong nextRecord(int minLength) {
        long at = end();
        if (holds(at, minLength)) {
            return OptionalLong.of(at);
        }
        long next = position(current + 1, 0);
        return holds(next, minLength) ? OptionalLong.of(next) : OptionalLong.empty();
    }

    /** Moves the end to {@code position}, past a record read back in verifying mode. */
    void advanceTo(long position) {
        if (!verifying) {
            throw new IllegalStateException("only a log being read back may skip bytes");
        }
        current = segmentOf(position);
        end = offsetOf(position);
    }

    /** Switches verifying mode (see the class comment) on or off. */
    void verifyAppends(boolean on) {
        verifying = on;
    }

    /**
     * Cuts the log at {@code position}: the segment is truncated there and later segments are
     * deleted, durably. Appends continue from there.
     */
    void cutAt(long position) throws IOException {
        int segment = segmentOf(position);
        long offset = offsetOf(position);
        for (int s = channels.size() - 1; s > segment; s--) {
            channels.remove(s).close();
            Files.deleteIfExists(file(s));
        }
        if (segment >= channels.size()) {
            throw new IllegalStateException("cannot cut at segment " + segment + "; the log has " + channels.size());
        }
        FileChannel ch = channels.get(segment);
        if (ch.size() > offset) {
            ch.truncate(offset);
        }
        ch.force(true);
        syncDirectory();
        readers = channels.toArray(FileChannel[]::new);
        current = segment;
        end = offset;
        fileLength = ch.size();
        unsyncedFrom = segment;
    }

    static int segmentOf(long position) {
        return (int) (position >>> 40);
    }

    static long offsetOf(long position) {
        return position & ((1L << 40) - 1);
    }

    static long position(int segment, long offset) {
        return ((long) segment << 40) | offset;
    }

    /** Position after the last appended byte. */
    long end() {
        return position(current, end);
    }

    /** Appends {@code head} then the first {@code length} bytes of {@code tail} as one piece. */
    long append(byte[] head, byte[] tail, int length) throws IOException {
        moveOnIfFull((long) head.length + length);
        long position = write(head, 0, head.length);
        write(tail, 0, length);
        return position;
    }

    /** Appends {@code length} bytes and returns their position; a piece never spans two segments. */
    long append(byte[] bytes, int offset, int length) throws IOException {
        moveOnIfFull(length);
        return write(bytes, offset, length);
    }

    private void moveOnIfFull(long length) throws IOException {
        if (end > 0 && end + length > maxSegmentBytes) {
            if (!verifying) {
                // The segment left behind ends with its last record, zeros ahead cut off, before
                // anything is written to the next one: what follows a segment's records is the next.
                FileChannel done = channels.get(current);
                done.truncate(end);
                done.force(true);
            }
            current++;
            end = 0;
            fileLength = 0;
            if (verifying) {
                if (current >= channels.size()) {
                    throw new Mismatch(position(current, 0), "segment " + current + " is missing");
                }
                return;
            }
            FileChannel ch = FileChannel.open(file(current), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channels.add(ch);
            readers = channels.toArray(FileChannel[]::new);
            syncDirectory();
        }
    }

    private long write(byte[] bytes, int offset, int length) throws IOException {
        long pos = position(current, end);
        FileChannel ch = channels.get(current);
        if (verifying) {
            if (!holds(pos, length)) {
                throw new Mismatch(pos, "the segment log ends inside the piece at " + pos);
            }
            byte[] onDisk = read(pos, length);
            if (!Arrays.equals(onDisk, 0, length, bytes, offset, offset + length)) {
                throw new Mismatch(pos, "the bytes at " + pos + " differ from what the entries before them produce");
            }
            end += length;
            return pos;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
        long at = end;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
        end = at;
        if (end > fileLength) {
            zerosAhead(ch);
        }
        return pos;
    }

    /** Writes zeros after {@link #end}, up to {@link #ZEROS_AHEAD} bytes and never past the segment's size. */
    private void zerosAhead(FileChannel ch) throws IOException {
        long stop = Math.min(end + ZEROS_AHEAD, Math.max(end, maxSegmentBytes));
        long at = end;
        while (at < stop) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), stop - at));
            at += ch.write(zeros, at);
        }
        fileLength = at;
    }

    /** Forces everything appended so far to stable storage. */
    void sync() throws IOException {
        int upTo = current;
        for (int s = unsyncedFrom; s <= upTo; s++) {
            channels.get(s).force(false);
        }
        unsyncedFrom = upTo;
    }

    /** Reads {@code length} bytes at {@code position}. */
    byte[] read(long position, int length) {
        byte[] out = new byte[length];
        read(position, out, 0, length);
        return out;
    }

    void read(long position, byte[] into, int offset, int length) {
        FileChannel ch = readers[segmentOf(position)];
        ByteBuffer buf = ByteBuffer.wrap(into, offset, length);
        long at = offsetOf(position);
        try {
            while (buf.hasRemaining()) {
                int n = ch.read(buf, at);
                if (n < 0) {
                    throw new LedgerCorruptException("segment " + segmentOf(position) + " ends before offset " + at);
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read segment " + segmentOf(position), e);
        }
    }

    private Path file(int segment) {
        return dir.resolve(String.format("seg-%06d.dat", segment));
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Cuts off the zeros ahead of the last record, so that a closed log's files end with their records. */
    @Override
    public void close() {
        if (writable && !verifying && current < channels.size() && fileLength > end) {
            try {
                channels.get(current).truncate(end);
            } catch (IOException e) {
                // The next open cuts them.
            }
        }
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing after use; nothing is lost.
            }
        }
    }
}
