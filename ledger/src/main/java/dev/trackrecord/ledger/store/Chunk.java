package dev.trackrecord.ledger.store;

import java.util.Arrays;
import org.eclipse.serializer.reference.Lazy;

/**
 * The entries of one commit: their canonical bytes back to back behind a lazy reference, and
 * the small per-entry columns the in-memory indexes are rebuilt from on open (event id hash,
 * contractor ordinal), which stay loaded.
 */
final class Chunk {
    final long firstSeq;
    /** Start of entry {@code firstSeq + i} in the data is {@code offsets[i]}; one extra end offset. */
    final int[] offsets;
    final long[] eventHashes;
    final int[] contractors;
    final Lazy<byte[]> data;

    Chunk(long firstSeq, int[] offsets, long[] eventHashes, int[] contractors, byte[] data) {
        this.firstSeq = firstSeq;
        this.offsets = offsets;
        this.eventHashes = eventHashes;
        this.contractors = contractors;
        this.data = Lazy.Reference(data);
    }

    int count() {
        return eventHashes.length;
    }

    /** The canonical bytes of entry {@code seq}. Requires firstSeq <= seq < firstSeq + count(). */
    byte[] entry(long seq) {
        int i = (int) (seq - firstSeq);
        return Arrays.copyOfRange(data.get(), offsets[i], offsets[i + 1]);
    }
}
