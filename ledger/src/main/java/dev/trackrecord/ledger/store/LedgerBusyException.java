package dev.trackrecord.ledger.store;

/** The append queue is full; the caller should retry after a short pause. */
public final class LedgerBusyException extends RuntimeException {
    public LedgerBusyException(int queued, int limit) {
        super("append queue is full (" + queued + " of " + limit + " entries waiting); retry shortly");
    }
}
