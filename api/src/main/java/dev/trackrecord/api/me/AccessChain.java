package dev.trackrecord.api.me;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Verifies the access log's hash chain from the bytes of its day files, newest file first; the
 * caller supplies the bytes ({@link Source}), so this runs without a disk.
 *
 * <p>Within a file each line's {@code n} is one more than the line before and its {@code prev} is
 * the SHA-256 of the line before; a file's first line names the last line of the file before it
 * the same way. The newest file's last line must be the head the writer holds.
 */
final class AccessChain {
    /** {@code prev} of line 0. */
    static final String GENESIS = "0".repeat(64);
    /** A line longer than this is not one the writer wrote. */
    static final int MAX_LINE = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private AccessChain() {
    }

    /** The bytes of a day file, by its day ({@code 2026-11-29}). */
    @FunctionalInterface
    interface Source {
        InputStream open(String day) throws IOException;
    }

    /**
     * What a newest-first read found. {@code records}: the wanted ones, newest first. {@code length}
     * and {@code head}: the newest file's end. {@code checkedFrom}: the {@code n} of the first line
     * verified to the head, in the file of {@code checkedFromDay} (empty when none was);
     * {@code daysRead}: the files read, newest first. {@code startsAfter}: set when the oldest file
     * was read and its first line is not line 0.
     */
    record Result(List<AccessLog.Record> records, long length, String head, long checkedFrom,
                  Optional<String> checkedFromDay, List<String> daysRead, Optional<AccessLog.Anchor> startsAfter,
                  Optional<String> problem) {
    }

    /**
     * Reads the files {@code days} (oldest first) from the newest back, verifying each and the
     * link between each and the next newer one, and that the newest ends at {@code length} lines
     * with hash {@code head}. Stops before a file older than {@code since} (a day, compared as
     * text) once one file with lines was read, once {@code limit} wanted records are found, and at
     * the first problem.
     */
    static Result newestFirst(List<String> days, Source source, long length, String head, Predicate<AccessLog.Record> wanted,
                              int limit, String since) throws IOException {
        List<AccessLog.Record> found = new ArrayList<>();
        List<String> read = new ArrayList<>();
        long fileLength = -1;
        String fileHead = null;
        // What the next older file with lines must end with, and the file that says so.
        long expectN = length;
        String expectHead = head;
        String newer = null;
        for (int i = days.size() - 1; i >= 0; i--) {
            String day = days.get(i);
            if (fileLength >= 0 && (found.size() >= limit || day.compareTo(since) < 0)) {
                return new Result(found, fileLength, fileHead, expectN, Optional.ofNullable(newer), read,
                        Optional.empty(), Optional.empty());
            }
            Segment segment;
            try (InputStream in = source.open(day)) {
                segment = Segment.verify(in, wanted, limit - found.size());
            }
            read.add(day);
            if (segment.problem().isPresent()) {
                found.addAll(segment.records());
                return new Result(found, fileLength >= 0 ? fileLength : segment.endN(),
                        fileLength >= 0 ? fileHead : segment.endHead(), expectN, Optional.ofNullable(newer), read,
                        Optional.empty(),
                        Optional.of("line " + segment.problemLine() + " of " + day + ".jsonl: " + segment.problem().get()));
            }
            if (segment.lines() == 0) {
                continue;
            }
            found.addAll(segment.records());
            Optional<String> problem = Optional.empty();
            if (fileLength < 0) {
                fileLength = segment.endN();
                fileHead = segment.endHead();
                if (segment.endN() != length || !segment.endHead().equals(head)) {
                    // Only the writer's memory catches a changed last line or a cut tail.
                    problem = Optional.of("the log ends at line " + segment.endN() + " (" + day + ".jsonl) with hash "
                            + segment.endHead() + ", but this service wrote " + length + " lines ending with " + head
                            + " (lines were cut off or the last one changed)");
                }
            } else if (segment.endN() != expectN || !segment.endHead().equals(expectHead)) {
                problem = Optional.of("line 1 of " + newer + ".jsonl: n " + expectN + " and prev " + expectHead
                        + " do not follow the last line of " + day + ".jsonl (n " + (segment.endN() - 1) + ", SHA-256 "
                        + segment.endHead() + "): a day file between them was removed, or one was changed or renamed");
            }
            if (problem.isPresent()) {
                return new Result(found, fileLength, fileHead, expectN, Optional.ofNullable(newer), read,
                        Optional.empty(), problem);
            }
            expectN = segment.firstN();
            expectHead = segment.firstPrev();
            newer = day;
        }
        if (fileLength < 0) {
            Optional<String> problem = length == 0 ? Optional.empty() : Optional.of("the log has no lines, but this service"
                    + " wrote " + length + " lines ending with " + head + " (lines were cut off)");
            return new Result(found, 0, GENESIS, 0, Optional.empty(), read, Optional.empty(), problem);
        }
        Optional<AccessLog.Anchor> anchor = expectN == 0 && expectHead.equals(GENESIS) ? Optional.empty()
                : Optional.of(new AccessLog.Anchor(expectN, expectHead));
        return new Result(found, fileLength, fileHead, expectN, Optional.ofNullable(newer), read, anchor,
                Optional.empty());
    }

    /**
     * One day file, verified from its first line on. {@code records}: the newest {@code keep}
     * wanted records before any problem, newest first. {@code firstN}/{@code firstPrev}: what its
     * first line says; {@code endN}/{@code endHead}: the {@code n} after its last verified line and
     * that line's SHA-256. {@code problemLine} counts from 1.
     */
    record Segment(List<AccessLog.Record> records, long lines, long firstN, String firstPrev, long endN, String endHead,
                   long problemLine, Optional<String> problem) {

        static Segment verify(InputStream in, Predicate<AccessLog.Record> wanted, int keep) throws IOException {
            ArrayDeque<AccessLog.Record> newest = new ArrayDeque<>();
            LineReader lines = new LineReader(in);
            long count = 0;
            long firstN = 0;
            String firstPrev = GENESIS;
            long n = 0;
            String prev = null;
            byte[] line;
            while ((line = lines.next()) != null) {
                long lineNo = count + 1;
                Optional<String> problem = lines.unterminated() ? Optional.of("not terminated by a newline")
                        : line.length > MAX_LINE ? Optional.of("longer than " + MAX_LINE + " bytes")
                        : Optional.empty();
                JsonNode json = null;
                if (problem.isEmpty()) {
                    json = parse(line);
                    if (prev == null && json != null && json.isObject()) {
                        // A file's first line goes on from the file before; the caller checks that link.
                        firstN = json.path("n").asLong(-1);
                        firstPrev = json.path("prev").asText();
                        n = firstN;
                    }
                    problem = check(line, json, n, prev == null ? firstPrev : prev);
                }
                if (problem.isPresent()) {
                    return count == 0 ? new Segment(List.of(), 0, 0, GENESIS, 0, GENESIS, lineNo, problem)
                            : new Segment(List.copyOf(newest), count, firstN, firstPrev, n, prev, lineNo, problem);
                }
                AccessLog.Record r = new AccessLog.Record(n, json.path("ts").asText(), json.path("kind").asText(),
                        json.path("principal").asText(null), json.path("route").asText(null),
                        json.path("contractor").asText(null), json.path("dropped").asLong(0));
                if (keep > 0 && wanted.test(r)) {
                    if (newest.size() == keep) {
                        newest.removeLast();
                    }
                    newest.addFirst(r);
                }
                prev = HEX.formatHex(AccessLog.sha256(line));
                n++;
                count++;
            }
            return new Segment(List.copyOf(newest), count, firstN, firstPrev, n, prev == null ? firstPrev : prev, 0,
                    Optional.empty());
        }

        private static JsonNode parse(byte[] line) {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                return null;
            }
        }

        private static Optional<String> check(byte[] line, JsonNode json, long n, String prev) {
            if (json == null) {
                return Optional.of("not JSON");
            }
            if (!json.isObject()) {
                return Optional.of("not a JSON object");
            }
            if (n < 0) {
                return Optional.of("n is " + json.path("n") + ", not a count of lines");
            }
            if (json.path("n").asLong(-1) != n) {
                return Optional.of("n is " + json.path("n") + ", expected " + n + " (a line was removed or inserted)");
            }
            if (!HASH.matcher(prev).matches()) {
                return Optional.of("prev " + json.path("prev") + " is not a SHA-256 in hex");
            }
            if (!prev.equals(json.path("prev").asText())) {
                return Optional.of("prev " + json.path("prev").asText() + " is not the SHA-256 of the line before, "
                        + prev + " (a line was changed)");
            }
            try {
                if (!Arrays.equals(line, JSON.writeValueAsBytes(json))) {
                    return Optional.of("not in the form the writer produces");
                }
            } catch (IOException e) {
                return Optional.of("not in the form the writer produces");
            }
            return Optional.empty();
        }
    }

    /** Splits a stream into lines without the newline; a line longer than {@link #MAX_LINE} is cut there. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int end;
        private boolean unterminated;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Whether the last line returned ended at the end of the stream rather than at a newline. */
        boolean unterminated() {
            return unterminated;
        }

        byte[] next() throws IOException {
            java.io.ByteArrayOutputStream line = null;
            while (true) {
                if (pos == end) {
                    end = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        if (line == null) {
                            return null;
                        }
                        unterminated = true;
                        return line.toByteArray();
                    }
                }
                int start = pos;
                while (pos < end && buf[pos] != '\n') {
                    pos++;
                }
                if (line == null) {
                    line = new java.io.ByteArrayOutputStream(pos - start + 16);
                }
                if (line.size() <= MAX_LINE) {
                    line.write(buf, start, pos - start);
                }
                if (pos < end) {
                    pos++;
                    unterminated = false;
                    return line.toByteArray();
                }
            }
        }
    }
}
