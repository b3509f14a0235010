package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Timestamps#parseInstant} against its reference, {@link Instant#parse}, and
 * {@link Timestamps#parse} against a reading with {@link Instant#parse} and a round trip.
 */
class TimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-01T10:00:00Z", "2026-11-01T10:00:00.5Z", "2026-11-01T10:00:00.123456789Z", "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "0000-02-29T00:00:00Z", "9999-12-31T23:59:59.999Z",
        "2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "1600-03-01T00:00:00Z", "2026-12-31T23:59:59Z",
        // refused by Instant.parse, so by parseInstant too
        "2023-02-29T12:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T10:00:00Z",
        "2026-00-01T10:00:00Z", "2026-11-00T10:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T10:60:00Z",
        "2026-11-01T10:00:61Z", "2026-11-01T10:00:00.Z", "2026-11-01T10:00:00.1234567891Z", "2026-11-01T10:00Z",
        "2026-11-01 10:00:00Z", "2026-11-01T10:00:00", "", "Z", "2026-1a-01T10:00:00Z", "-026-11-01T10:00:00Z",
        "2026-11-01T10:00:0-Z", "2026-11-01T10:00:00.-1Z", "2026-11-01T10:00:00.1a2Z", "2026-11-01T10:00:00.12345678ZZ",
        "2026-11-01T10:00:00\u0660Z", "٢٠٢٦-11-01T10:00:00Z",
        // accepted by Instant.parse outside the schema's form: it decides
        "2026-11-01t10:00:00z", "2026-11-01T23:59:60Z", "+2026-11-01T10:00:00Z", "2026-11-01T10:00:00+01:00",
        "+12026-11-01T10:00:00Z", "2026-11-01T10:00:00.123456789+00:00"})
    void parseInstant_givesWhatInstantParseGives(String text) {
        assertSameOutcome(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-01T10:00:00.000Z", "1970-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
        "2024-02-29T12:00:00.001Z", "2023-02-29T12:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-11-01T24:00:00.000Z",
        "2026-11-01T23:59:60.000Z", "2026-13-01T10:00:00.000Z", "2026-11-01T10:00:00.00Z", "2026-11-01T10:00:00Z",
        "2026-11-01t10:00:00.000z", "+2026-11-01T10:00:00.00Z", "2026-11-01T10:00:00.000+0"})
    void parse_givesWhatAReadingWithInstantParseGives(String text) {
        assertSameTsOutcome(text);
    }

    @Test
    void parse_randomEnvelopeTimestamps_giveWhatAReadingWithInstantParseGives() {
        Random random = new Random(20261129);
        for (int i = 0; i < 100_000; i++) {
            String text = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ".formatted(random.nextInt(10_000), random.nextInt(14),
                    random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62), random.nextInt(1000));
            assertSameTsOutcome(text);
        }
    }

    /** What {@link Timestamps#parse} read with java.time's formatter: the shape, the reading, the round trip. */
    private static Object referenceTs(String text) {
        if (text.length() != Timestamps.LENGTH || !text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")) {
            return IllegalArgumentException.class;
        }
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (RuntimeException e) {
            return IllegalArgumentException.class;
        }
        return Timestamps.format(instant).equals(text) ? instant : IllegalArgumentException.class;
    }

    private static void assertSameTsOutcome(String text) {
        Object actual;
        try {
            actual = Timestamps.parse(text);
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        assertThat(actual).as(text).isEqualTo(referenceTs(text));
    }

    @Test
    void parseInstant_randomDateTimes_giveWhatInstantParseGives() {
        Random random = new Random(20261128);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            s.append(pad(random.nextInt(10) == 0 ? random.nextInt(10_000) : 1900 + random.nextInt(200), 4)).append('-')
                    .append(pad(random.nextInt(14), 2)).append('-')
                    .append(pad(random.nextInt(33), 2)).append('T')
                    .append(pad(random.nextInt(26), 2)).append(':')
                    .append(pad(random.nextInt(62), 2)).append(':')
                    .append(pad(random.nextInt(62), 2));
            if (random.nextBoolean()) {
                s.append('.');
                for (int d = random.nextInt(11); d > 0; d--) {
                    s.append((char) ('0' + random.nextInt(10)));
                }
            }
            s.append('Z');
            if (random.nextInt(20) == 0) {
                s.setCharAt(random.nextInt(s.length()), (char) (' ' + random.nextInt(95)));
            }
            texts.add(s.toString());
        }
        texts.forEach(TimestampsTest::assertSameOutcome);
    }

    private static String pad(int value, int width) {
        String s = Integer.toString(value);
        return "0".repeat(Math.max(0, width - s.length())) + s;
    }

    private static void assertSameOutcome(String text) {
        Object expected;
        try {
            expected = Instant.parse(text);
        } catch (RuntimeException e) {
            expected = e.getClass();
        }
        Object actual;
        try {
            actual = Timestamps.parseInstant(text);
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        assertThat(actual).as(text).isEqualTo(expected);
    }
}
