package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.CanonicalWriter;
import dev.trackrecord.ledger.json.InvalidJsonException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A ledger entry, version 1 of the envelope in DESIGN.md. Its stored and exported form is
 * {@link #canonicalBytes()}, the RFC 8785 serialization:
 *
 * <pre>{"body":{..},"contractor":"c-1","cprev":17,"event_id":"e-1","kind":"audit.result",
 * "prev":"&lt;64 hex&gt;","seq":42,"source":"qa-service","ts":"2026-11-28T21:30:00.123Z","v":1}</pre>
 *
 * <p>The constructor checks what is cheap to check on every append (ranges, lengths, the seq 0
 * and cprev rules); it trusts its caller for the formats of the strings, which
 * {@link SubmissionValidator} checks on the way in and {@link #parse} checks on the way back.
 * {@code prev} and {@code bodyBytes} are copied in and out and compared by content.
 *
 * @param seq       position in the log, from 0
 * @param ts        when the ledger accepted it, to the millisecond, from 1970 to 9999
 * @param source    the authenticated principal that submitted it
 * @param prev      leaf hash (32 bytes) of entry {@code seq - 1}; 32 zero bytes for seq 0
 * @param cprev     seq of this contractor's previous entry, or -1; less than {@code seq}
 * @param bodyBytes the body's canonical bytes
 */
public record Entry(long seq, Instant ts, EntryKind kind, String contractor, String eventId, String source,
                    byte[] prev, long cprev, byte[] bodyBytes) {

    /** The envelope version this class reads and writes. */
    public static final int VERSION = 1;
    /** Length of a leaf hash. */
    public static final int HASH_BYTES = 32;
    /** {@code cprev} of a contractor's first entry. */
    public static final long NO_CPREV = -1;

    // The same patterns as schemas/json/defs.schema.json and entry.schema.json (a test compares them).
    static final String CONTRACTOR_PATTERN = "^(?:[A-Za-z0-9][A-Za-z0-9._:-]{0,63}|_system)$";
    static final String EVENT_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$";
    static final String SOURCE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$";
    private static final Pattern CONTRACTOR = Pattern.compile(CONTRACTOR_PATTERN);
    private static final Pattern EVENT_ID = Pattern.compile(EVENT_ID_PATTERN);
    private static final Pattern SOURCE = Pattern.compile(SOURCE_PATTERN);
    /** Reads stored entries ({@link #parseStored}); their bytes were checked when appended. */
    private static final ObjectMapper STORED = new ObjectMapper();

    private static final Set<String> FIELDS =
            Set.of("body", "contractor", "cprev", "event_id", "kind", "prev", "seq", "source", "ts", "v");
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPEN_BODY = ascii("{\"body\":");
    private static final byte[] CONTRACTOR_KEY = ascii(",\"contractor\":");
    private static final byte[] CPREV_KEY = ascii(",\"cprev\":");
    private static final byte[] EVENT_ID_KEY = ascii(",\"event_id\":");
    private static final byte[] KIND_KEY = ascii(",\"kind\":");
    private static final byte[] PREV_KEY = ascii(",\"prev\":\"");
    private static final byte[] SEQ_KEY = ascii("\",\"seq\":");
    private static final byte[] SOURCE_KEY = ascii(",\"source\":");
    private static final byte[] TS_KEY = ascii(",\"ts\":\"");
    private static final byte[] V_CLOSE = ascii("\",\"v\":1}");

    public Entry {
        if (seq < 0 || seq > CanonicalJson.MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("seq must be within 0..2^53-1, was " + seq);
        }
        Objects.requireNonNull(ts, "ts");
        if (ts.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("ts must have millisecond precision, was " + ts);
        }
        if (ts.getEpochSecond() < 0 || ts.getEpochSecond() > Timestamps.MAX_MILLIS / 1000) {
            throw new IllegalArgumentException("ts must be within 1970..9999, was " + ts);
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(contractor, "contractor");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prev, "prev");
        Objects.requireNonNull(bodyBytes, "bodyBytes");
        if (prev.length != HASH_BYTES) {
            throw new IllegalArgumentException("prev must be " + HASH_BYTES + " bytes, was " + prev.length);
        }
        prev = prev.clone();
        if (seq == 0 && !isZero(prev)) {
            throw new IllegalArgumentException("prev of seq 0 must be all zeros");
        }
        if (cprev < NO_CPREV || cprev >= seq && cprev != NO_CPREV) {
            throw new IllegalArgumentException("cprev must be -1 or within 0..seq-1, was " + cprev + " at seq " + seq);
        }
        if (bodyBytes.length < 2) {
            throw new IllegalArgumentException("bodyBytes must hold a JSON object");
        }
        bodyBytes = bodyBytes.clone();
    }

    /** A copy of {@code prev}. */
    @Override
    public byte[] prev() {
        return prev.clone();
    }

    /** A copy of the body's canonical bytes. */
    @Override
    public byte[] bodyBytes() {
        return bodyBytes.clone();
    }

    /** {@code prev} as 64 lowercase hex digits. */
    public String prevHex() {
        return HexFormat.of().formatHex(prev);
    }

    /** Decodes the body into its typed record; parses {@code bodyBytes} on every call. */
    public EntryBody decodeBody() {
        try {
            return Bodies.parse(kind, CanonicalJson.parse(bodyBytes), "$.body");
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("entry " + seq + " has a body that is not JSON: " + e.getMessage(), e);
        }
    }

    /** The RFC 8785 canonical bytes: the stored and exported form of this entry. */
    public byte[] canonicalBytes() {
        CanonicalWriter out = new CanonicalWriter(bodyBytes.length + 200
                + contractor.length() + eventId.length() + source.length());
        writeCanonical(out);
        return out.toByteArray();
    }

    /**
     * Appends {@link #canonicalBytes()} to {@code out}, for callers that gather many entries in
     * one buffer. Written token by token in the fixed key order, without building a tree.
     */
    public void writeCanonical(CanonicalWriter out) {
        write(out, seq, ts.toEpochMilli(), kind, contractor, eventId, source, prev, cprev, bodyBytes);
    }

    /**
     * Writes the canonical bytes of the entry with these fields, without building an
     * {@link Entry} (no defensive copies). Requires fields the constructor would accept.
     */
    static void write(CanonicalWriter out, long seq, long tsMillis, EntryKind kind, String contractor, String eventId,
                      String source, byte[] prev, long cprev, byte[] bodyBytes) {
        byte[] prevField = new byte[64 + SEQ_KEY.length];
        for (int i = 0; i < HASH_BYTES; i++) {
            prevField[2 * i] = HEX[(prev[i] >> 4) & 0xF];
            prevField[2 * i + 1] = HEX[prev[i] & 0xF];
        }
        System.arraycopy(SEQ_KEY, 0, prevField, 64, SEQ_KEY.length);
        byte[] tsField = new byte[Timestamps.LENGTH + V_CLOSE.length];
        Timestamps.write(tsMillis, tsField, 0);
        System.arraycopy(V_CLOSE, 0, tsField, Timestamps.LENGTH, V_CLOSE.length);

        out.raw(OPEN_BODY).raw(bodyBytes)
                .raw(CONTRACTOR_KEY).string(contractor)
                .raw(CPREV_KEY).number(cprev)
                .raw(EVENT_ID_KEY).string(eventId)
                .raw(KIND_KEY).raw(kind.quotedUtf8())
                .raw(PREV_KEY).raw(prevField)
                .number(seq)
                .raw(SOURCE_KEY).string(source)
                .raw(TS_KEY).raw(tsField);
    }

    /**
     * Reads an entry from its canonical bytes, checking every field and that the bytes are exactly
     * the entry's canonical encoding, so a line that verifies here is the line that was hashed.
     * The body must decode into its kind's record; it is not checked against the JSON Schema,
     * which governs admission and may have been stricter or looser when the entry was made.
     *
     * @throws InvalidEntryException naming the field at fault
     */
    public static Entry parse(byte[] canonicalBytes) throws InvalidEntryException {
        return parseDecoded(canonicalBytes).entry();
    }

    /** An entry and its body decoded: what {@link #decodeBody} would give, without parsing the body again. */
    public record Decoded(Entry entry, EntryBody body) {
    }

    /**
     * {@link #parse}, keeping the body it decodes on the way, for readers that want the body too.
     *
     * @throws InvalidEntryException naming the field at fault
     */
    public static Decoded parseDecoded(byte[] canonicalBytes) throws InvalidEntryException {
        JsonNode node;
        try {
            node = CanonicalJson.parse(canonicalBytes);
        } catch (InvalidJsonException e) {
            throw new InvalidEntryException(e.path(), e.rule());
        }
        if (!node.isObject()) {
            throw new InvalidEntryException("$", "must be a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidEntryException(CanonicalJson.childPath("$", name), "unknown field");
            }
        }
        if (integer(node, "v") != VERSION) {
            throw new InvalidEntryException("$.v", "unsupported envelope version; this reader knows " + VERSION);
        }
        long seq = integer(node, "seq");
        if (seq < 0) {
            throw new InvalidEntryException("$.seq", "must not be negative");
        }
        Instant ts;
        try {
            ts = Timestamps.parse(string(node, "ts", null));
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException("$.ts", e.getMessage());
        }
        if (ts.getEpochSecond() < 0) {
            throw new InvalidEntryException("$.ts", "must not be before 1970");
        }
        String kindName = string(node, "kind", null);
        EntryKind kind = EntryKind.fromWire(kindName)
                .orElseThrow(() -> new InvalidEntryException("$.kind", "unknown kind"));
        String contractor = string(node, "contractor", CONTRACTOR);
        String eventId = string(node, "event_id", EVENT_ID);
        String source = string(node, "source", SOURCE);
        byte[] prev = hash(string(node, "prev", null));
        if (seq == 0 && !isZero(prev)) {
            throw new InvalidEntryException("$.prev", "must be 64 zeros at seq 0");
        }
        long cprev = integer(node, "cprev");
        if (cprev != NO_CPREV && (cprev < 0 || cprev >= seq)) {
            throw new InvalidEntryException("$.cprev", "must be -1 or an earlier seq than " + seq);
        }
        JsonNode body = field(node, "body");
        if (!body.isObject()) {
            throw new InvalidEntryException("$.body", "must be a JSON object");
        }
        EntryBody decoded;
        try {
            decoded = Bodies.parse(kind, body, "$.body");
        } catch (Bodies.MalformedBodyException e) {
            throw new InvalidEntryException(e.path(), e.rule());
        }
        CanonicalWriter bodyOut = new CanonicalWriter(canonicalBytes.length);
        CanonicalJson.write(body, bodyOut);

        Entry entry = new Entry(seq, ts, kind, contractor, eventId, source, prev, cprev, bodyOut.toByteArray());
        byte[] expected = entry.canonicalBytes();
        int mismatch = Arrays.mismatch(canonicalBytes, expected);
        if (mismatch == expected.length) {
            throw new InvalidEntryException("$", "bytes after the entry's closing brace (give the line without its newline)");
        }
        if (mismatch >= 0) {
            throw new InvalidEntryException(fieldAt(canonicalBytes, mismatch),
                    "not in canonical form (RFC 8785): differs from the canonical encoding at byte " + mismatch);
        }
        return new Decoded(entry, decoded);
    }

    /** An entry's kind and decoded body: all that replaying it into scores needs. */
    public record KindAndBody(EntryKind kind, EntryBody body) {
    }

    /**
     * The kind and body of an entry the log stored, which it wrote in canonical form from a
     * submission it had validated: parsed as JSON and decoded, without the canonical-form checks
     * of {@link #parse} or the envelope's other fields. For replays that read back many entries
     * the log vouches for.
     *
     * @throws InvalidEntryException when the bytes do not hold a kind and a body of that kind
     */
    public static KindAndBody parseStored(byte[] storedBytes) throws InvalidEntryException {
        JsonNode node;
        try {
            node = STORED.readTree(storedBytes);
        } catch (java.io.IOException e) {
            throw new InvalidEntryException("$", "malformed JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidEntryException("$", "must be a JSON object");
        }
        String kindName = string(node, "kind", null);
        EntryKind kind = EntryKind.fromWire(kindName)
                .orElseThrow(() -> new InvalidEntryException("$.kind", "unknown kind"));
        JsonNode body = field(node, "body");
        if (!body.isObject()) {
            throw new InvalidEntryException("$.body", "must be a JSON object");
        }
        try {
            return new KindAndBody(kind, Bodies.parse(kind, body, "$.body"));
        } catch (Bodies.MalformedBodyException e) {
            throw new InvalidEntryException(e.path(), e.rule());
        }
    }

    private static JsonNode field(JsonNode entry, String name) throws InvalidEntryException {
        JsonNode value = entry.get(name);
        if (value == null) {
            throw new InvalidEntryException("$." + name, "required");
        }
        return value;
    }

    private static long integer(JsonNode entry, String name) throws InvalidEntryException {
        JsonNode value = field(entry, name);
        if (!value.isIntegralNumber()) {
            throw new InvalidEntryException("$." + name, "must be an integer");
        }
        return value.longValue();
    }

    private static String string(JsonNode entry, String name, Pattern pattern) throws InvalidEntryException {
        JsonNode value = field(entry, name);
        if (!value.isTextual()) {
            throw new InvalidEntryException("$." + name, "must be a string");
        }
        String text = value.textValue();
        if (pattern != null && !pattern.matcher(text).matches()) {
            throw new InvalidEntryException("$." + name, "does not match " + pattern.pattern());
        }
        return text;
    }

    private static byte[] hash(String hex) throws InvalidEntryException {
        if (hex.length() != 2 * HASH_BYTES) {
            throw new InvalidEntryException("$.prev", "must be 64 lowercase hex digits");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new InvalidEntryException("$.prev", "must be 64 lowercase hex digits");
            }
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * The top-level member whose key or value holds byte {@code offset}, as a JSONPath; space
     * between members counts as part of the member that follows it.
     */
    static String fieldAt(byte[] json, int offset) {
        int depth = 0;
        boolean inString = false;
        boolean expectKey = false;
        int keyStart = -1;
        String key = null;
        int end = Math.min(offset, json.length);
        for (int i = 0; i < json.length; i++) {
            if (i >= end && keyStart < 0 && !(expectKey && depth == 1)) {
                break;
            }
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                    if (keyStart >= 0) {
                        key = new String(json, keyStart, i - keyStart, StandardCharsets.UTF_8);
                        keyStart = -1;
                        if (i >= end) {
                            break;
                        }
                    }
                }
                continue;
            }
            switch (b) {
                case '"' -> {
                    inString = true;
                    if (depth == 1 && expectKey) {
                        keyStart = i + 1;
                        expectKey = false;
                    }
                }
                case '{', '[' -> {
                    depth++;
                    expectKey = depth == 1 && b == '{';
                }
                case '}', ']' -> {
                    depth--;
                    expectKey = false;
                }
                case ',' -> expectKey = depth == 1;
                default -> {
                }
            }
        }
        return key == null ? "$" : CanonicalJson.childPath("$", key);
    }

    private static boolean isZero(byte[] hash) {
        for (byte b : hash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry that
                && seq == that.seq
                && cprev == that.cprev
                && ts.equals(that.ts)
                && kind == that.kind
                && contractor.equals(that.contractor)
                && eventId.equals(that.eventId)
                && source.equals(that.source)
                && Arrays.equals(prev, that.prev)
                && Arrays.equals(bodyBytes, that.bodyBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, ts, kind, contractor, eventId, source, Arrays.hashCode(prev), cprev,
                Arrays.hashCode(bodyBytes));
    }

    @Override
    public String toString() {
        return "Entry[seq=" + seq + ", ts=" + ts + ", kind=" + kind + ", contractor=" + contractor
                + ", eventId=" + eventId + ", source=" + source + ", prev=" + prevHex() + ", cprev=" + cprev
                + ", body=" + new String(bodyBytes, StandardCharsets.UTF_8) + "]";
    }
}
