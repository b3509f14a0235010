package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.Entry;

/** What the reputation index reads from the log: entries by seq and one contractor's seqs. */
public interface EntrySource {

    /** Number of entries readable, seqs 0 to size - 1. */
    long size();

    /** The entry at {@code seq}. Requires 0 <= seq < size(). */
    Entry entry(long seq);

    /**
     * The kind and decoded body of the entry at {@code seq}: what a replay into scores reads. A
     * source holding entries it checked when they were written can skip checking them again
     * ({@link Entry#parseStored}). Requires 0 <= seq < size().
     */
    default Entry.KindAndBody kindAndBody(long seq) {
        Entry e = entry(seq);
        return new Entry.KindAndBody(e.kind(), e.decodeBody());
    }

    /** The entries from {@code from} (inclusive) to {@code to} (exclusive); a source may read them in bulk. */
    default java.util.List<Entry> entries(long from, long to) {
        java.util.List<Entry> out = new java.util.ArrayList<>((int) (to - from));
        for (long seq = from; seq < to; seq++) {
            out.add(entry(seq));
        }
        return out;
    }

    /** The seqs of {@code contractor}'s entries, ascending; empty if none. */
    long[] contractorSeqs(String contractor);
}
