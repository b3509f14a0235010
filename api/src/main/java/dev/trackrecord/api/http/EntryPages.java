package dev.trackrecord.api.http;

import dev.trackrecord.ledger.store.Ledger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One page of a contractor's entries, oldest first, as {@code GET /v1/contractors/{id}/entries}
 * and {@code GET /v1/me/entries} answer it: the entries embedded as their canonical bytes, and an
 * opaque {@code next_cursor} (null on the last page) that names the next seq.
 */
public final class EntryPages {
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,18}");

    private EntryPages() {
    }

    /**
     * Renders the page of {@code seqs} (one contractor's, ascending) chosen by the {@code limit}
     * and {@code cursor} query parameters.
     *
     * @param cursorPrefix marks the cursors of one route, so a cursor is only read where it was made
     * @param head         the JSON before the {@code "entries"} member, e.g. <code>{</code>
     */
    public static byte[] render(Ledger ledger, long[] seqs, Optional<String> limit, Optional<String> cursor,
                                String cursorPrefix, String head) throws IOException {
        int pageSize = limit.map(v -> {
            if (!UNSIGNED.matcher(v).matches() || Long.parseLong(v) < 1 || Long.parseLong(v) > Api.MAX_PAGE) {
                throw ProblemException.badParameter("limit", "must be an integer from 1 to " + Api.MAX_PAGE
                        + ", was '" + abbreviate(v) + "'");
            }
            return Integer.parseInt(v);
        }).orElse(Api.DEFAULT_PAGE);
        long from = cursor.map(c -> decodeCursor(c, cursorPrefix)).orElse(0L);

        int start = Arrays.binarySearch(seqs, from);
        if (start < 0) {
            start = -start - 1;
        }
        int end = (int) Math.min((long) start + pageSize, seqs.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (end - start) * 512);
        out.write((head + "\"entries\":[").getBytes(StandardCharsets.UTF_8));
        for (int i = start; i < end; i++) {
            if (i > start) {
                out.write(',');
            }
            // Entries are embedded as their canonical bytes, exactly as stored.
            out.write(ledger.entry(seqs[i]).orElseThrow());
        }
        out.write("],\"next_cursor\":".getBytes(StandardCharsets.UTF_8));
        out.write((end < seqs.length ? "\"" + encodeCursor(seqs[end], cursorPrefix) + "\"" : "null")
                .getBytes(StandardCharsets.UTF_8));
        out.write('}');
        return out.toByteArray();
    }

    private static String encodeCursor(long nextSeq, String prefix) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((prefix + nextSeq).getBytes(StandardCharsets.US_ASCII));
    }

    private static long decodeCursor(String cursor, String prefix) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (text.startsWith(prefix) && UNSIGNED.matcher(text.substring(prefix.length())).matches()) {
                return Long.parseLong(text.substring(prefix.length()));
            }
        } catch (IllegalArgumentException ignored) {
            // fall through
        }
        throw ProblemException.badParameter("cursor", "must be a next_cursor value from an earlier page");
    }

    /** A parameter value short enough to quote in an error message. */
    public static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
