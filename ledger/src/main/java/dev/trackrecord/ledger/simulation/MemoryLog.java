package dev.trackrecord.ledger.simulation;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.reputation.EntrySource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory log: submissions become entries in append order, each with {@code ts} the latest
 * {@code occurred_at} so far (so ts never decreases). No hashes, no duplicates check: for
 * scoring the simulator's output without a disk.
 */
public final class MemoryLog implements EntrySource, Marketplace.Sink {
    private static final byte[] NO_HASH = new byte[Entry.HASH_BYTES];
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, long[]> seqs = new HashMap<>();
    private Instant ts = Instant.EPOCH;

    @Override
    public long[] append(List<Submission> batch) {
        long[] out = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Submission s = batch.get(i);
            Instant at = s.body().occurredAt();
            if (at.isAfter(ts)) {
                ts = at;
            }
            long seq = entries.size();
            long[] mine = contractorSeqs(s.contractor());
            entries.add(s.toEntry(seq, ts, "simulator", NO_HASH, mine.length == 0 ? Entry.NO_CPREV : mine[mine.length - 1]));
            long[] grown = Arrays.copyOf(mine, mine.length + 1);
            grown[mine.length] = seq;
            seqs.put(s.contractor(), grown);
            out[i] = seq;
        }
        return out;
    }

    @Override
    public long size() {
        return entries.size();
    }

    @Override
    public Entry entry(long seq) {
        return entries.get(Math.toIntExact(seq));
    }

    @Override
    public long[] contractorSeqs(String contractor) {
        return seqs.getOrDefault(contractor, new long[0]);
    }
}
