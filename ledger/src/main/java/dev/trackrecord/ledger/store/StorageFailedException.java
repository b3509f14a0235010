package dev.trackrecord.ledger.store;

/**
 * The data directory could not take a commit (disk full, read-only, I/O error). Nothing of the
 * failed batch was acknowledged; the ledger reloads its state from disk and accepts appends
 * again once storage works.
 */
public final class StorageFailedException extends RuntimeException {
    public StorageFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
