package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/** The envelope's {@code ts} form: {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}, always 24 ASCII bytes. */
final class Timestamps {
    static final int LENGTH = 24;
    /** 0000-01-01T00:00:00.000Z. */
    static final long MIN_MILLIS = -62167219200000L;
    /** 9999-12-31T23:59:59.999Z. */
    static final long MAX_MILLIS = 253402300799999L;

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private Timestamps() {
    }

    /**
     * Writes {@code epochMilli} as 24 ASCII bytes at {@code dest[offset]}, without java.time's
     * formatter because it runs for every append. Requires MIN_MILLIS <= epochMilli <= MAX_MILLIS.
     */
    static void write(long epochMilli, byte[] dest, int offset) {
        long days = Math.floorDiv(epochMilli, MILLIS_PER_DAY);
        int millisOfDay = (int) Math.floorMod(epochMilli, MILLIS_PER_DAY);
        // Civil date from days since 1970-01-01: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int doe = (int) (z - era * 146_097);
        int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int day = doy - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));

        int hour = millisOfDay / 3_600_000;
        int minute = millisOfDay / 60_000 % 60;
        int second = millisOfDay / 1000 % 60;
        int milli = millisOfDay % 1000;

        digits(dest, offset, year, 4);
        dest[offset + 4] = '-';
        digits(dest, offset + 5, month, 2);
        dest[offset + 7] = '-';
        digits(dest, offset + 8, day, 2);
        dest[offset + 10] = 'T';
        digits(dest, offset + 11, hour, 2);
        dest[offset + 13] = ':';
        digits(dest, offset + 14, minute, 2);
        dest[offset + 16] = ':';
        digits(dest, offset + 17, second, 2);
        dest[offset + 19] = '.';
        digits(dest, offset + 20, milli, 3);
        dest[offset + 23] = 'Z';
    }

    static String format(Instant ts) {
        byte[] text = new byte[LENGTH];
        write(ts.toEpochMilli(), text, 0);
        return new String(text, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Parses exactly the form {@link #write} produces.
     *
     * @throws IllegalArgumentException if {@code text} is not in that form or names no real date
     */
    static Instant parse(String text) {
        if (text.length() != LENGTH || !shape(text)) {
            throw new IllegalArgumentException("must be yyyy-MM-ddTHH:mm:ss.SSSZ (UTC, three fraction digits)");
        }
        Instant instant;
        try {
            // Every entry read back from the log comes through here: skip java.time's formatter.
            instant = parseInstant(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a valid date-time");
        }
        if (!format(instant).equals(text)) {
            throw new IllegalArgumentException("not a valid date-time");
        }
        return instant;
    }

    /**
     * {@link Instant#parse} for any text: the same instant, or the same exception. The form the
     * schemas allow, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, is read here without java.time's
     * formatter, which costs more than the rest of the date rules together and runs for every
     * append; any other text goes to {@link Instant#parse}.
     */
    static Instant parseInstant(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || n == 21 || text.charAt(n - 1) != 'Z'
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || (n > 20 && text.charAt(19) != '.')) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int nanos = n > 20 ? digits(text, 20, n - 21) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || nanos < 0) {
            return Instant.parse(text); // the exception it throws, or its reading of a leap second
        }
        for (int i = n - 21; i < 9; i++) {
            nanos *= 10;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600 + minute * 60 + second, nanos);
    }

    /** The value of {@code count} ASCII digits at {@code offset}, or -1 if one is not a digit. */
    private static int digits(String s, int offset, int count) {
        int value = 0;
        for (int i = offset; i < offset + count; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    private static boolean shape(String s) {
        for (int i = 0; i < LENGTH; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                case 19 -> c == '.';
                case 23 -> c == 'Z';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void digits(byte[] dest, int offset, int value, int width) {
        for (int i = offset + width - 1; i >= offset; i--) {
            dest[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
