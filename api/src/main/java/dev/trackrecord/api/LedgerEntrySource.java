package dev.trackrecord.api;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.reputation.EntrySource;
import dev.trackrecord.ledger.store.Ledger;

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
        byte[] bytes = ledger.entry(seq).orElseThrow(
                () -> new IllegalStateException("no entry at seq " + seq + " in a log of " + ledger.size()));
        try {
            return Entry.parse(bytes);
        } catch (InvalidEntryException e) {
            // The ledger stores only entries it wrote canonically; anything else is corruption.
            throw new IllegalStateException("stored entry at seq " + seq + " does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public long[] contractorSeqs(String contractor) {
        return ledger.contractorSeqs(contractor);
    }
}
