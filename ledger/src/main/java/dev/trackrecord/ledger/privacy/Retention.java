package dev.trackrecord.ledger.privacy;

import dev.trackrecord.ledger.entry.EntryKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long personal data of each entry kind is kept, counted from the entry's {@code occurred_at};
 * kinds without a period keep it until the contractor is erased. It also names the vault key that
 * seals an entry's personal data: {@code <kind>@<day>} where day is the UTC date from whose start
 * the data is past retention (the day after {@code occurred_at + period}), or just {@code <kind>}.
 * All of a contractor's data that expires on one day shares a key, so shredding it is destroying
 * one key, and data is kept at most one day past its period.
 */
public record Retention(Map<EntryKind, Period> periods) {
    private static final Pattern KEY_ID = Pattern.compile("([a-z][a-z.]{1,62})(?:@([0-9]{4}-[0-9]{2}-[0-9]{2}))?");

    public Retention {
        EnumMap<EntryKind, Period> copy = new EnumMap<>(EntryKind.class);
        periods.forEach((kind, period) -> {
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("retention of " + kind + " must be a positive period, was " + period);
            }
            copy.put(kind, period);
        });
        periods = Collections.unmodifiableMap(copy);
    }

    /** No retention: everything is kept until erasure. */
    public static Retention none() {
        return new Retention(Map.of());
    }

    /**
     * Retention from configuration text: entry kind name to an ISO 8601 period such as {@code P7Y}.
     *
     * @throws IllegalArgumentException naming the kind or the period that is wrong
     */
    public static Retention parse(Map<String, String> config) {
        Map<EntryKind, Period> periods = new EnumMap<>(EntryKind.class);
        config.forEach((name, text) -> {
            EntryKind kind = EntryKind.fromWire(name).orElseThrow(() -> new IllegalArgumentException(
                    "retention: unknown entry kind '" + name + "'"));
            try {
                periods.put(kind, Period.parse(text.trim()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("retention." + name + ": must be an ISO 8601 period such as P7Y or"
                        + " P90D, was '" + text + "'");
            }
        });
        return new Retention(periods);
    }

    /** The retention period of {@code kind}, if it has one. */
    public Optional<Period> period(EntryKind kind) {
        return Optional.ofNullable(periods.get(kind));
    }

    /** The id of the vault key that seals personal data of {@code kind} that occurred at {@code occurredAt}. */
    public String keyId(EntryKind kind, Instant occurredAt) {
        Period period = periods.get(kind);
        if (period == null) {
            return kind.wire();
        }
        LocalDate day = LocalDate.ofInstant(occurredAt, ZoneOffset.UTC).plus(period).plusDays(1);
        return kind.wire() + "@" + day;
    }

    /** When the data sealed under {@code keyId} is past retention; empty for keys kept until erasure. */
    public static Optional<Instant> expiry(String keyId) {
        Matcher m = KEY_ID.matcher(keyId);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a vault key id: " + keyId);
        }
        return m.group(2) == null ? Optional.empty()
                : Optional.of(LocalDate.parse(m.group(2)).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** Whether {@code keyId} is a well-formed vault key id. */
    public static boolean isKeyId(String keyId) {
        return KEY_ID.matcher(keyId).matches();
    }
}
