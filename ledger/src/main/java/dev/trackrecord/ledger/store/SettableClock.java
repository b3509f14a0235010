package dev.trackrecord.ledger.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that reads what it was last set to: the time a ledger stamps entries with when that
 * time comes from elsewhere (the ts of a restored entry, the broker's timestamp of a record), so
 * that every process applying the same input writes the same bytes.
 */
public final class SettableClock extends Clock {
    private volatile long millis;

    /** Sets the time the clock reads, in milliseconds since the epoch. */
    public void set(long epochMillis) {
        this.millis = epochMillis;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("a settable clock is always UTC, asked for " + zone);
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
