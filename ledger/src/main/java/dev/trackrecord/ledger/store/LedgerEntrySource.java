package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.reputation.EntrySource;
import java.util.ArrayList;
import java.util.List;

/** The ledger as the reputation index reads it: stored canonical bytes parsed back to entries. */
public final class LedgerEntrySource implements EntrySource {
    private final Ledger ledger;

    public LedgerEntrySource(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public long size() {
        return ledger.size();
    }

    @Override
    public Entry entry(long seq) {
        return parse(seq, bytes(seq));
    }

    @Override
    public Entry.KindAndBody kindAndBody(long seq) {
        byte[] bytes = bytes(seq);
        try {
            return Entry.parseStored(bytes);
        } catch (InvalidEntryException e) {
            throw corrupt(seq, e);
        }
    }

    /** A chunk at a time, for following the log. */
    @Override
    public List<Entry> entries(long from, long to) {
        List<byte[]> bytes = ledger.entries(from, to);
        List<Entry> out = new ArrayList<>(bytes.size());
        for (int i = 0; i < bytes.size(); i++) {
            out.add(parse(from + i, bytes.get(i)));
        }
        return out;
    }

    private byte[] bytes(long seq) {
        return ledger.entry(seq).orElseThrow(
                () -> new IllegalStateException("no entry at seq " + seq + " in a log of " + ledger.size()));
    }

    private static Entry parse(long seq, byte[] bytes) {
        try {
            return Entry.parse(bytes);
        } catch (InvalidEntryException e) {
            throw corrupt(seq, e);
        }
    }

    /** The ledger stores only entries it wrote canonically; anything else is corruption. */
    private static IllegalStateException corrupt(long seq, InvalidEntryException e) {
        return new IllegalStateException("stored entry at seq " + seq + " does not parse: " + e.getMessage(), e);
    }

    @Override
    public long[] contractorSeqs(String contractor) {
        return ledger.contractorSeqs(contractor);
    }
}
