package dev.trackrecord.ledger.store;

/**
 * An event_id that is already in the log (or earlier in the same request) was submitted with a
 * different kind, contractor or body. Idempotent retries must resend the same entry.
 */
public final class EventConflictException extends LogConflictException {
    private final String eventId;
    private final long existingSeq;

    public EventConflictException(String eventId, long existingSeq, String what) {
        super("event_id '" + eventId + "' is already used by "
                + (existingSeq >= 0 ? "entry " + existingSeq : "another entry of this request")
                + " with a different " + what + "; an event_id may only be resent with the same entry");
        this.eventId = eventId;
        this.existingSeq = existingSeq;
    }

    public String eventId() {
        return eventId;
    }

    /** The seq holding the event, or -1 when the clash is within one request. */
    public long existingSeq() {
        return existingSeq;
    }
}
