package dev.trackrecord.ledger.backup;

/** A backup file is damaged or does not match itself; the message names the member and line. */
public final class BackupException extends Exception {
    private static final long serialVersionUID = 1L;

    public BackupException(String message) {
        super(message);
    }
}
