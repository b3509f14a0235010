package dev.trackrecord.ledger.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The entries of one batch. Their bytes live in the segment log as one record, little-endian:
 * <pre>
 * frame:   magic "TRC1" (int) | firstSeq (long) | count (int) | dataLength (int) | crc32c (int)
 * columns: offsets[count+1] (int) | eventHashes[count] (long) | contractors[count] (int)
 * data:    the entries' canonical bytes, entry firstSeq + i at data[offsets[i], offsets[i+1])
 * </pre>
 * The CRC-32C covers everything after the magic except itself: firstSeq, count, dataLength, the
 * columns and the data. The frame makes a record readable on its own, which is how batches that
 * reached the segment log after the last EclipseStore commit are found again on open.
 * EclipseStore stores only this descriptor; the columns are read back on open and stay on
 * the heap (16 bytes an entry) because the in-memory indexes are rebuilt from them.
 */
final class Chunk {
    static final int MAGIC = 0x31435254; // "TRC1" little-endian
    static final int FRAME_BYTES = 24;
    /** Entries in one chunk at most; a larger count in a frame is damage. */
    static final int MAX_COUNT = 1 << 20;
    final long firstSeq;
    final int count;
    /** Segment position of the record. */
    final long position;

    transient int[] offsets;
    transient long[] eventHashes;
    transient int[] contractors;

    private Chunk(long firstSeq, int count, long position) {
        this.firstSeq = firstSeq;
        this.count = count;
        this.position = position;
    }

    /** Writes a new chunk's record to the segment log and returns its descriptor. */
    static Chunk write(SegmentLog segments, long firstSeq, int[] offsets, long[] eventHashes, int[] contractors,
                       byte[] data, int dataLength) throws java.io.IOException {
        int count = eventHashes.length;
        ByteBuffer header = ByteBuffer.allocate(headerBytes(count)).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putLong(firstSeq).putInt(count).putInt(dataLength).putInt(0);
        for (int o : offsets) {
            header.putInt(o);
        }
        for (long h : eventHashes) {
            header.putLong(h);
        }
        for (int c : contractors) {
            header.putInt(c);
        }
        byte[] head = header.array();
        CRC32C crc = new CRC32C();
        crc.update(head, 4, 16);
        crc.update(head, FRAME_BYTES, head.length - FRAME_BYTES);
        crc.update(data, 0, dataLength);
        header.putInt(20, (int) crc.getValue());
        long position = segments.append(head, data, dataLength);
        Chunk chunk = new Chunk(firstSeq, count, position);
        chunk.offsets = offsets;
        chunk.eventHashes = eventHashes;
        chunk.contractors = contractors;
        return chunk;
    }

    /**
     * The chunk whose record starts at {@code position}, if a whole, undamaged record of the
     * entries from {@code firstSeq} on is there; empty when the bytes end early or fail their
     * checksum, as a batch cut short by a crash does. Reads the whole record.
     */
    static Optional<Chunk> readWhole(SegmentLog segments, long position, long firstSeq) {
        if (!segments.holds(position, FRAME_BYTES)) {
            return Optional.empty();
        }
        ByteBuffer frame = ByteBuffer.wrap(segments.read(position, FRAME_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = frame.getInt();
        long seq = frame.getLong();
        int count = frame.getInt();
        int dataLength = frame.getInt();
        if (magic != MAGIC || seq != firstSeq || count < 1 || count > MAX_COUNT || dataLength < 0
                || !segments.holds(position, (long) headerBytes(count) + dataLength)) {
            return Optional.empty();
        }
        Chunk chunk = new Chunk(firstSeq, count, position);
        if (chunk.checksumProblem(segments).isPresent()) {
            return Optional.empty();
        }
        chunk.loadColumns(segments);
        return Optional.of(chunk);
    }

    /** What is wrong with the record's frame or checksum, if anything (reads the whole record). */
    Optional<String> checksumProblem(SegmentLog segments) {
        ByteBuffer frame = ByteBuffer.wrap(segments.read(position, FRAME_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = frame.getInt();
        long seq = frame.getLong();
        int n = frame.getInt();
        int dataLength = frame.getInt();
        int stored = frame.getInt();
        if (magic != MAGIC) {
            return Optional.of("does not start with the chunk marker");
        }
        if (seq != firstSeq || n != count) {
            return Optional.of("says it holds " + n + " entries from seq " + seq + ", the log expects "
                    + count + " from seq " + firstSeq);
        }
        if (dataLength < 0 || dataLength > SegmentLog.MAX_SEGMENT_BYTES) {
            return Optional.of("has an impossible data length " + dataLength);
        }
        byte[] rest = segments.read(position + FRAME_BYTES, headerBytes(count) - FRAME_BYTES + dataLength);
        CRC32C crc = new CRC32C();
        crc.update(segments.read(position + 4, 16));
        crc.update(rest);
        if ((int) crc.getValue() != stored) {
            return Optional.of("fails its checksum");
        }
        return Optional.empty();
    }

    /** Reads the columns back from the segment log (on open). */
    void loadColumns(SegmentLog segments) {
        ByteBuffer buf = ByteBuffer.wrap(segments.read(position, headerBytes(count))).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt() != MAGIC || buf.getLong() != firstSeq || buf.getInt() != count) {
            throw new LedgerCorruptException("the chunk record of the entries from seq " + firstSeq
                    + " is damaged: its frame does not match the log");
        }
        buf.position(FRAME_BYTES);
        int[] offs = new int[count + 1];
        for (int i = 0; i <= count; i++) {
            offs[i] = buf.getInt();
        }
        long[] hashes = new long[count];
        for (int i = 0; i < count; i++) {
            hashes[i] = buf.getLong();
        }
        int[] ords = new int[count];
        for (int i = 0; i < count; i++) {
            ords[i] = buf.getInt();
        }
        for (int i = 0; i < count; i++) {
            if (offs[i] < 0 || offs[i] > offs[i + 1]) {
                throw new LedgerCorruptException("chunk at seq " + firstSeq + " has a damaged offset table at entry "
                        + (firstSeq + i));
            }
        }
        offsets = offs;
        eventHashes = hashes;
        contractors = ords;
    }

    /** All of the chunk's entry bytes, back to back (for fsck). */
    byte[] data(SegmentLog segments) {
        return segments.read(position + headerBytes(count), offsets[count]);
    }

    int count() {
        return count;
    }

    /** Segment position right after the record. Requires the columns. */
    long end() {
        return position + headerBytes(count) + offsets[count];
    }

    /** The canonical bytes of entry {@code seq}. Requires firstSeq <= seq < firstSeq + count. */
    byte[] entry(long seq, SegmentLog segments) {
        int i = (int) (seq - firstSeq);
        int start = offsets[i];
        return segments.read(position + headerBytes(count) + start, offsets[i + 1] - start);
    }

    /** The canonical bytes of entries {@code from} to {@code to} (exclusive), in one read, into {@code out}. */
    void entries(long from, long to, SegmentLog segments, java.util.List<byte[]> out) {
        int first = (int) (from - firstSeq);
        int last = (int) (to - firstSeq);
        int start = offsets[first];
        byte[] bytes = segments.read(position + headerBytes(count) + start, offsets[last] - start);
        for (int i = first; i < last; i++) {
            out.add(java.util.Arrays.copyOfRange(bytes, offsets[i] - start, offsets[i + 1] - start));
        }
    }

    /** Bytes of the chunk's record in the segment log: columns and entries. Requires loaded columns. */
    long recordBytes() {
        return headerBytes(count) + (long) offsets[count];
    }

    private static int headerBytes(int count) {
        return FRAME_BYTES + (count + 1) * 4 + count * 8 + count * 4;
    }
}
