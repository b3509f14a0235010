package dev.trackrecord.ledger.store;

import java.util.Arrays;
import java.util.List;
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

        Seqs(int ordinal, long[] seqs, int count) {
            this.ordinal = ordinal;
            this.seqs = seqs;
            this.count = count;
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

        /** The seqs after {@code seq}, oldest first. */
        long[] after(long seq) {
            int c = count;
            long[] s = seqs;
            int i = Arrays.binarySearch(s, 0, c, seq);
            int from = i >= 0 ? i + 1 : -i - 1;
            return Arrays.copyOfRange(s, from, c);
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

    /**
     * Builds the index in bulk on open: {@code ids} by ordinal, and every entry's contractor
     * ordinal in seq order, chunk by chunk.
     */
    static ContractorIndex rebuild(List<String> ids, List<int[]> ordinalsBySeq) {
        int n = ids.size();
        int[] counts = new int[n];
        for (int[] ords : ordinalsBySeq) {
            for (int o : ords) {
                counts[o]++;
            }
        }
        long[][] seqs = new long[n][];
        for (int o = 0; o < n; o++) {
            seqs[o] = new long[Math.max(4, counts[o])];
        }
        int[] fill = new int[n];
        long seq = 0;
        for (int[] ords : ordinalsBySeq) {
            for (int o : ords) {
                seqs[o][fill[o]++] = seq++;
            }
        }
        ContractorIndex index = new ContractorIndex();
        index.idsByOrdinal = ids.toArray(new String[Math.max(1024, n)]);
        index.count = n;
        for (int o = 0; o < n; o++) {
            Seqs s = new Seqs(o, seqs[o], fill[o]);
            index.byId.put(ids.get(o), s);
        }
        return index;
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
