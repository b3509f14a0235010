package dev.trackrecord.ledger.entry;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * networknt's JDK regular expressions, except that a pattern of the simplest shape, {@code ^},
 * then sets of ASCII characters each with a count, then {@code $} (such as
 * {@code ^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$} or {@code ^[0-9a-f]{64}$}), is matched by a few
 * lines of Java instead of {@link java.util.regex.Pattern}, which spent a tenth of validating a
 * submission in the union of character ranges. Every other pattern is networknt's
 * {@link JDKRegularExpressionFactory}'s: {@code $} is the end of the input, as in ECMA-262, and a
 * match may start anywhere unless anchored.
 */
final class SimplePatterns implements RegularExpressionFactory {
    static final SimplePatterns INSTANCE = new SimplePatterns();

    private SimplePatterns() {
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Sequence sequence = Sequence.parse(regex);
        return sequence != null ? sequence : JDKRegularExpressionFactory.getInstance().getRegularExpression(regex);
    }

    /** ASCII characters that mean themselves in a pattern and in a character class. */
    private static boolean plain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '_' || c == ':' || c == '/' || c == '@';
    }

    /**
     * A pattern {@code ^(set count)*$}: each set a character class of ASCII characters and ranges,
     * a plain character or an escaped punctuation character; each count {@code {m}},
     * {@code {m,n}}, {@code {m,}}, {@code ?}, {@code *}, {@code +} or none.
     */
    static final class Sequence implements RegularExpression {
        private final long[] low;
        private final long[] high;
        private final int[] min;
        private final int[] max;

        private Sequence(List<long[]> sets, List<int[]> counts) {
            int n = sets.size();
            low = new long[n];
            high = new long[n];
            min = new int[n];
            max = new int[n];
            for (int i = 0; i < n; i++) {
                low[i] = sets.get(i)[0];
                high[i] = sets.get(i)[1];
                min[i] = counts.get(i)[0];
                max[i] = counts.get(i)[1];
            }
        }

        /** The sequence {@code regex} states, or null if it is not of that shape. */
        static Sequence parse(String regex) {
            int end = regex.length() - 1;
            if (end < 1 || regex.charAt(0) != '^' || regex.charAt(end) != '$' || regex.charAt(end - 1) == '\\') {
                return null;
            }
            List<long[]> sets = new ArrayList<>();
            List<int[]> counts = new ArrayList<>();
            int i = 1;
            while (i < end) {
                long[] set = new long[2];
                char c = regex.charAt(i);
                if (c == '[') {
                    i = parseClass(regex, i + 1, end, set);
                    if (i < 0) {
                        return null;
                    }
                } else if (c == '\\') {
                    char escaped = i + 1 < end ? regex.charAt(i + 1) : 'x';
                    if (escaped != '.' && escaped != '-' && escaped != '/' && escaped != ':') {
                        return null;
                    }
                    add(set, escaped);
                    i += 2;
                } else if (plain(c) || c == '-') {
                    add(set, c);
                    i++;
                } else {
                    return null;
                }
                int[] count = {1, 1};
                if (i < end) {
                    char q = regex.charAt(i);
                    if (q == '?' || q == '*' || q == '+') {
                        count = new int[] {q == '+' ? 1 : 0, q == '?' ? 1 : Integer.MAX_VALUE};
                        i++;
                    } else if (q == '{') {
                        int close = regex.indexOf('}', i);
                        if (close < 0 || close >= end) {
                            return null;
                        }
                        count = parseCount(regex.substring(i + 1, close));
                        if (count == null) {
                            return null;
                        }
                        i = close + 1;
                    }
                }
                if (i < end && "?+*{".indexOf(regex.charAt(i)) >= 0) {
                    return null; // lazy, possessive or a count of a count
                }
                sets.add(set);
                counts.add(count);
            }
            return new Sequence(sets, counts);
        }

        /** Parses a class from just after its '[' into {@code set}; the index after its ']', or -1. */
        private static int parseClass(String regex, int i, int end, long[] set) {
            int start = i;
            while (i < end && regex.charAt(i) != ']') {
                char c = regex.charAt(i);
                if (!plain(c) && c != '.' && !(c == '-' && (i == start || regex.charAt(i + 1) == ']'))) {
                    return -1;
                }
                if (i + 2 < end && regex.charAt(i + 1) == '-' && regex.charAt(i + 2) != ']') {
                    char last = regex.charAt(i + 2);
                    if (c == '-' || c == '.' || !plain(last) || last < c) {
                        return -1;
                    }
                    for (char r = c; r <= last; r++) {
                        add(set, r);
                    }
                    i += 3;
                } else {
                    add(set, c);
                    i++;
                }
            }
            return i < end && i > start ? i + 1 : -1;
        }

        private static int[] parseCount(String text) {
            int comma = text.indexOf(',');
            String first = comma < 0 ? text : text.substring(0, comma);
            String second = comma < 0 ? text : text.substring(comma + 1);
            if (!first.matches("[0-9]{1,4}") || !(second.isEmpty() && comma >= 0 || second.matches("[0-9]{1,4}"))) {
                return null;
            }
            int m = Integer.parseInt(first);
            int n = second.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(second);
            return m <= n ? new int[] {m, n} : null;
        }

        private static void add(long[] set, char c) {
            set[c >> 6] |= 1L << (c & 63);
        }

        private boolean contains(int atom, char c) {
            return c < 64 ? (low[atom] & (1L << c)) != 0 : c < 128 && (high[atom] & (1L << (c - 64))) != 0;
        }

        @Override
        public boolean matches(String value) {
            return matches(value, 0, 0);
        }

        /** Whether {@code value} from {@code pos} matches the sets from {@code atom} on, as a backtracking matcher finds. */
        private boolean matches(String value, int atom, int pos) {
            if (atom == low.length) {
                return pos == value.length();
            }
            int limit = (int) Math.min(max[atom], (long) value.length() - pos);
            int count = 0;
            while (count < limit && contains(atom, value.charAt(pos + count))) {
                count++;
            }
            for (int k = count; k >= min[atom]; k--) {
                if (matches(value, atom + 1, pos + k)) {
                    return true;
                }
            }
            return false;
        }
    }
}
