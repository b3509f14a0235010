package dev.trackrecord.ledger.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Append-only segment files for the log's bulk bytes (entry chunks and full tree tiles). The
 * EclipseStore database holds only where each piece lives, so opening a log does not read its
 * bulk: EclipseStore reads every byte of its data files on start, which made a 1M-entry log
 * take seconds to open when the entries lived inside it.
 *
 * <p>Protocol: the writer appends a batch's bytes, {@link #sync} forces them to stable storage,
 * and only then does the EclipseStore commit that records their positions. On open, bytes
 * beyond the last committed position belong to batches that were never acknowledged and are
 * cut off.
 *
 * <p>A position is {@code segment << 40 | offset}. One writer thread appends; any thread reads.
 */
final class SegmentLog implements AutoCloseable {
    static final long MAX_SEGMENT_BYTES = 1L << 30;
    private static final Pattern NAME = Pattern.compile("seg-(\\d{6})\\.dat");

    private final Path dir;
    private final List<FileChannel> channels = new ArrayList<>();
    private volatile FileChannel[] readers = new FileChannel[0];
    private int current;
    private long end;
    /** Segments written since the last sync, which the next sync must force. */
    private int unsyncedFrom;

    private SegmentLog(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens the segments in {@code dir}, cutting them back to {@code committedEnd} (a position):
     * later segments are deleted, the committed one truncated.
     */
    static SegmentLog open(Path dir, long committedEnd) throws IOException {
        return open(dir, committedEnd, true);
    }

    /**
     * Opens the segments for reading only (fsck): nothing is cut or deleted, but a segment
     * shorter than what was committed is still refused.
     */
    static SegmentLog openForReading(Path dir, long committedEnd) throws IOException {
        return open(dir, committedEnd, false);
    }

    private static SegmentLog open(Path dir, long committedEnd, boolean repair) throws IOException {
        if (repair) {
            Files.createDirectories(dir);
        }
        SegmentLog log = new SegmentLog(dir);
        int lastSegment = segmentOf(committedEnd);
        long lastOffset = offsetOf(committedEnd);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (repair && m.matches() && Integer.parseInt(m.group(1)) > lastSegment) {
                    Files.delete(p);
                }
            }
        }
        for (int s = 0; s <= lastSegment; s++) {
            Path file = log.file(s);
            FileChannel ch = repair
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
            long expected = s < lastSegment ? -1 : lastOffset;
            if (expected >= 0) {
                if (ch.size() < expected) {
                    ch.close();
                    throw new LedgerCorruptException(file + " holds " + ch.size() + " bytes but the log committed "
                            + expected + " bytes to it; the segment was truncated or replaced");
                }
                if (repair && ch.size() > expected) {
                    ch.truncate(expected);
                    ch.force(true);
                }
            }
            log.channels.add(ch);
        }
        log.readers = log.channels.toArray(FileChannel[]::new);
        log.current = lastSegment;
        log.end = lastOffset;
        log.unsyncedFrom = lastSegment;
        return log;
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
        long position = append(head, 0, head.length);
        FileChannel ch = channels.get(current);
        ByteBuffer buf = ByteBuffer.wrap(tail, 0, length);
        long at = end;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
        end = at;
        return position;
    }

    /** Appends {@code length} bytes and returns their position; a piece never spans two segments. */
    long append(byte[] bytes, int offset, int length) throws IOException {
        if (end > 0 && end + length > MAX_SEGMENT_BYTES) {
            current++;
            end = 0;
            FileChannel ch = FileChannel.open(file(current), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channels.add(ch);
            readers = channels.toArray(FileChannel[]::new);
            syncDirectory();
        }
        FileChannel ch = channels.get(current);
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
        long at = end;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
        long pos = position(current, end);
        end = at;
        return pos;
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

    @Override
    public void close() {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing after use; nothing is lost.
            }
        }
    }
}
