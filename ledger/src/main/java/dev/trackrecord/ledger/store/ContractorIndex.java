package dev.trackrecord.ledger.store;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each contractor's entries in seq order, as growable {@code long} arrays, plus the ordinal
 * the chunks record per entry. Written by the writer thread only; read concurrently.
 */
final class ContractorIndex {
    private final ConcurrentHashMap<String, Seqs> byId = new ConcurrentHashMap<>();
    private String[] idsByOrdinal = new String[1024];
    private int count;

    /** One contractor's seqs; readers read {@link #count} before {@link #seqs}. */
    static final class Seqs {
        final int ordinal;
        private volatile long[] seqs = new long[4];
        private volatile int count;

        Seqs(int ordinal) {
            this.ordinal = ordinal;
        }

        void add(long seq) {
            long[] s = seqs;
            if (count == s.length) {
                s = Arrays.copyOf(s, s.length * 2);
                seqs = s;
            }
            s[count] = seq;
            count = count + 1;
        }

        long last() {
            int c = count;
            return c == 0 ? -1 : seqs[c - 1];
        }

        /** A snapshot of the seqs below {@code limitSeq}. */
        long[] below(long limitSeq) {
            int c = count;
            long[] s = seqs;
            int n = c;
            while (n > 0 && s[n - 1] >= limitSeq) {
                n--;
            }
            return Arrays.copyOf(s, n);
        }
    }

    Optional<Seqs> get(String contractor) {
        return Optional.ofNullable(byId.get(contractor));
    }

    /** The contractor's record, created with the next ordinal if new. */
    Seqs getOrAdd(String contractor) {
        Seqs s = byId.get(contractor);
        if (s == null) {
            s = new Seqs(count);
            if (count == idsByOrdinal.length) {
                idsByOrdinal = Arrays.copyOf(idsByOrdinal, count * 2);
            }
            idsByOrdinal[count++] = contractor;
            byId.put(contractor, s);
        }
        return s;
    }

    String idOf(int ordinal) {
        return idsByOrdinal[ordinal];
    }

    int size() {
        return count;
    }
}
