package dev.trackrecord.ledger.store;

/**
 * An append the ledger refuses because of the entries it holds already: the request is well
 * formed but does not fit the log. Nothing of the refused request is appended.
 */
public abstract sealed class LogConflictException extends RuntimeException
        permits EventConflictException, DisputeConflictException {

    LogConflictException(String message) {
        super(message);
    }
}
