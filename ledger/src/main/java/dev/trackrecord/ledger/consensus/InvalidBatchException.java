package dev.trackrecord.ledger.consensus;

/** A batch of labels that consensus cannot be estimated from; the message states the rule broken. */
public final class InvalidBatchException extends IllegalArgumentException {

    public InvalidBatchException(String message) {
        super(message);
    }
}
