package dev.trackrecord.ledger.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The entries of one commit. Their bytes live in the segment log as one record:
 * {@code offsets[count+1] (int) | eventHashes[count] (long) | contractors[count] (int) | data},
 * little-endian, where entry {@code firstSeq + i} is {@code data[offsets[i], offsets[i+1])}.
 * EclipseStore stores only this descriptor; the columns are read back on open and stay on
 * the heap (16 bytes an entry) because the in-memory indexes are rebuilt from them.
 */
final class Chunk {
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
        for (int o : offsets) {
            header.putInt(o);
        }
        for (long h : eventHashes) {
            header.putLong(h);
        }
        for (int c : contractors) {
            header.putInt(c);
        }
        long position = segments.append(header.array(), data, dataLength);
        Chunk chunk = new Chunk(firstSeq, count, position);
        chunk.offsets = offsets;
        chunk.eventHashes = eventHashes;
        chunk.contractors = contractors;
        return chunk;
    }

    /** Reads the columns back from the segment log (on open). */
    void loadColumns(SegmentLog segments) {
        ByteBuffer buf = ByteBuffer.wrap(segments.read(position, headerBytes(count))).order(ByteOrder.LITTLE_ENDIAN);
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

    /** The canonical bytes of entry {@code seq}. Requires firstSeq <= seq < firstSeq + count. */
    byte[] entry(long seq, SegmentLog segments) {
        int i = (int) (seq - firstSeq);
        int start = offsets[i];
        return segments.read(position + headerBytes(count) + start, offsets[i + 1] - start);
    }

    /** Bytes of the chunk's record in the segment log: columns and entries. Requires loaded columns. */
    long recordBytes() {
        return headerBytes(count) + (long) offsets[count];
    }

    private static int headerBytes(int count) {
        return (count + 1) * 4 + count * 8 + count * 4;
    }
}
