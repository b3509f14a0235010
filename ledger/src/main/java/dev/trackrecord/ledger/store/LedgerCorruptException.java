package dev.trackrecord.ledger.store;

/** The data directory fails its checks on open; the ledger refuses to serve it. */
public final class LedgerCorruptException extends RuntimeException {
    public LedgerCorruptException(String message) {
        super(message);
    }
}
