package dev.trackrecord.ledger.note;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Inputs for the tests that check a rule on many generated cases: the listed edge cases first,
 * then a fixed number of tries drawn from a fixed seed, so a failing case comes back on every run
 * under the same label ("try 17: ...").
 *
 * <p>The generators favour the values where bugs sit without giving up the rest of the range:
 * integers mostly lie near 0 (or near the lower bound when 0 is outside the range) and now and
 * then are an edge value; sizes are mostly small, sometimes large and sometimes the maximum.
 */
final class GeneratedCases {

    /** About one drawn integer in this many is an edge value (a bound, 0, or ±1 from it). */
    private static final int EDGE_ODDS = 21;

    /** Below this distance from the target an integer range is no longer split. */
    private static final long SMALLEST_SPLIT = 20;

    private GeneratedCases() {
    }

    /** A generated input and the label that names it in reports and failure messages. */
    record Case<T>(String label, T input) {

        /**
         * Runs {@code check} on the input. Whatever it throws, a failed assertion or an
         * exception from the code under test, fails with a message that starts with the label.
         */
        void check(Check<? super T> check) {
            try {
                check.accept(input);
            } catch (Exception | AssertionError failure) {
                throw new AssertionError(label + ": " + failure, failure);
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A check of one generated input; it may throw, as the code under test does. */
    @FunctionalInterface
    interface Check<T> {
        void accept(T input) throws Exception;
    }

    /**
     * The {@code edgeCases}, then {@code tries} inputs from {@code generator} fed by one
     * {@code SplittableRandom} seeded with {@code seed}, each labelled with its number and
     * {@code describe} of the input. The stream is sequential: try n is the same on every run.
     */
    static <T> Stream<Case<T>> of(long seed, int tries, List<T> edgeCases,
            Function<SplittableRandom, T> generator, Function<? super T, String> describe) {
        SplittableRandom random = new SplittableRandom(seed);
        Stream<Case<T>> edges = IntStream.range(0, edgeCases.size())
                .mapToObj(i -> new Case<>("edge case " + (i + 1) + ": " + describe.apply(edgeCases.get(i)),
                        edgeCases.get(i)));
        Stream<Case<T>> drawn = IntStream.rangeClosed(1, tries).mapToObj(i -> {
            T input = generator.apply(random);
            return new Case<>("try " + i + ": " + describe.apply(input), input);
        });
        return Stream.concat(edges, drawn);
    }

    /** True for about one draw in {@value #EDGE_ODDS}: the turns on which a generator gives an edge value. */
    static boolean isEdgeTurn(SplittableRandom random) {
        return random.nextInt(EDGE_ODDS) == 0;
    }

    /**
     * An integer in [min, max]. The range is cut into pieces whose width grows with their
     * distance from the target (0 clamped into the range); a piece is picked uniformly and then a
     * value inside it, so values near the target are common and the far end still comes up.
     * Requires min <= max and max - min to fit in a long.
     */
    static long integral(SplittableRandom random, long min, long max) {
        long target = Math.clamp(0, min, max);
        if (isEdgeTurn(random)) {
            List<Long> edges = new ArrayList<>(List.of(min, max, target));
            if (target > min) {
                edges.add(target - 1);
            }
            if (target < max) {
                edges.add(target + 1);
            }
            return edges.get(random.nextInt(edges.size()));
        }
        List<Long> points = new ArrayList<>();
        addSplitPoints(points, min, target);
        addSplitPoints(points, max, target);
        if (target > min && target < max && !points.isEmpty()) {
            points.add(target);
        }
        points.sort(null);
        List<long[]> pieces = new ArrayList<>();
        long lower = min;
        for (long point : points) {
            if (point <= lower) {
                continue;
            }
            if (point >= max) {
                break;
            }
            pieces.add(new long[] {lower, point - 1});
            lower = point;
        }
        pieces.add(new long[] {lower, max});
        long[] piece = pieces.get(random.nextInt(pieces.size()));
        return uniform(random, piece[0], piece[1]);
    }

    /** Walks from {@code far} towards {@code target}, dividing the remaining distance each step. */
    private static void addSplitPoints(List<Long> points, long far, long target) {
        long direction = far < target ? -1 : 1;
        long distance = Math.abs(far - target);
        while (distance > SMALLEST_SPLIT) {
            distance /= splitRatio(distance);
            if (distance == 0) {
                return;
            }
            points.add(target + direction * distance);
        }
    }

    /** 3 for distances up to about 2^20, then growing quickly, so 2^63 takes about 15 pieces. */
    private static long splitRatio(long distance) {
        int decimals = (Long.SIZE - Long.numberOfLeadingZeros(distance)) / 10 * 3;
        return Math.max((long) Math.pow(decimals / 5.0, 10), 3);
    }

    private static long uniform(SplittableRandom random, long low, long high) {
        if (high < Long.MAX_VALUE) {
            return random.nextLong(low, high + 1);
        }
        return low == Long.MIN_VALUE ? random.nextLong() : random.nextLong(low - 1, high) + 1;
    }

    /**
     * A size in [min, max] for a run of {@code tries}: uniform when the range is at most
     * max(10, √tries) wide; otherwise the maximum in 2% of draws (fewer for under 500 tries),
     * above min + max(10, √tries) in about 10%, and at or below it in the rest.
     */
    static int size(SplittableRandom random, int min, int max, int tries) {
        int usual = (int) Math.max(Math.round(Math.sqrt(tries)), 10);
        if (max - min <= usual) {
            return random.nextInt(min, max + 1);
        }
        int cutoff = min + usual;
        double maxProbability = Math.min(0.02, 10.0 / tries);
        if (random.nextDouble() <= maxProbability) {
            return max;
        }
        if (random.nextDouble() <= 0.1 + maxProbability) {
            return random.nextInt(cutoff + 1, max + 1);
        }
        return random.nextInt(min, cutoff + 1);
    }

    /** A byte, drawn as {@link #integral} over [-128, 127]. */
    static byte oneByte(SplittableRandom random) {
        return (byte) integral(random, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    /** Bytes drawn as {@link #oneByte}, as many as {@link #size} gives. */
    static byte[] bytes(SplittableRandom random, int minSize, int maxSize, int tries) {
        byte[] bytes = new byte[size(random, minSize, maxSize, tries)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = oneByte(random);
        }
        return bytes;
    }

    /** {@code length} copies of {@code value}. */
    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** "3 bytes c328a1": the length and the bytes in hex. */
    static String hex(byte[] bytes) {
        return bytes.length + " bytes " + HexFormat.of().formatHex(bytes);
    }

    /**
     * {@code text} as a Java string literal: printable ASCII as is, everything else as a
     * backslash escape per UTF-16 unit, so unpaired surrogates and line ends stay visible.
     */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> quoted.append("\\n");
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        quoted.append(c);
                    } else {
                        quoted.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
