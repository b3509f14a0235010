package dev.trackrecord.ledger.store;

import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;

/**
 * event_id to seq, as an open-addressing table keyed by a 64-bit hash of the event id. A slot
 * (8 bytes) holds {@code seq + 1} in its low 40 bits (0 = empty) and 24 bits of the hash above
 * them, so most probes that miss are decided without looking up the stored hash; the full
 * hashes live in the chunks, and a hash match is confirmed against the stored entry, so a hash
 * collision can never merge two different events.
 *
 * <p>Used by the writer thread only.
 */
final class EventIndex {
    private static final double MAX_LOAD = 0.6;
    private static final long SEQ_MASK = (1L << 40) - 1;

    private long[] slots;
    private long count;
    private final LongUnaryOperator hashOfSeq;

    /** @param hashOfSeq the stored event id hash of entry {@code seq} */
    EventIndex(long expected, LongUnaryOperator hashOfSeq) {
        this.hashOfSeq = hashOfSeq;
        this.slots = new long[capacityFor(expected)];
    }

    /**
     * A 64-bit hash of an event id: FNV-1a over its UTF-16 code units, then a finalizing mix.
     * Stored in the chunks, so it must never change.
     */
    static long hash(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < eventId.length(); i++) {
            h ^= eventId.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /**
     * The seq of the entry with this event id, or -1.
     *
     * @param isSameEvent confirms that the entry at a seq whose hash matches has this event id
     */
    long find(long hash, LongPredicate isSameEvent) {
        int mask = slots.length - 1;
        long tag = tag(hash);
        for (int i = (int) mix(hash) & mask; ; i = (i + 1) & mask) {
            long v = slots[i];
            if (v == 0) {
                return -1;
            }
            if ((v & ~SEQ_MASK) != tag) {
                continue;
            }
            long seq = (v & SEQ_MASK) - 1;
            if (hashOfSeq.applyAsLong(seq) == hash && isSameEvent.test(seq)) {
                return seq;
            }
        }
    }

    /** Adds entry {@code seq} whose event id hashes to {@code hash}; the caller checked it is new. */
    void add(long hash, long seq) {
        if (count + 1 > slots.length * MAX_LOAD) {
            grow();
        }
        insert(slots, hash, seq);
        count++;
    }

    long size() {
        return count;
    }

    /** Heap held by the table, for benchmarks. */
    long bytes() {
        return 8L * slots.length;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long v : slots) {
            if (v != 0) {
                long seq = (v & SEQ_MASK) - 1;
                insert(bigger, hashOfSeq.applyAsLong(seq), seq);
            }
        }
        slots = bigger;
    }

    private static void insert(long[] table, long hash, long seq) {
        if (seq + 1 > SEQ_MASK) {
            throw new IllegalStateException("event index holds seqs below 2^40 only");
        }
        int mask = table.length - 1;
        int i = (int) mix(hash) & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = tag(hash) | (seq + 1);
    }

    /** 24 bits of the hash, other than those that pick the slot, in the slot's top bits. */
    private static long tag(long hash) {
        return (hash >>> 40) << 40;
    }

    private static int capacityFor(long expected) {
        long needed = (long) Math.ceil(Math.max(16, expected) / MAX_LOAD);
        long cap = Long.highestOneBit(needed - 1) << 1;
        if (cap > 1 << 30) {
            throw new IllegalArgumentException("event index too large: " + expected);
        }
        return (int) cap;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
