package dev.trackrecord.ledger.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme, restricted to the ledger's JSON: no floating-point
 * numbers (money, rates and durations are integers), integers within ±(2^53 - 1) so every
 * consumer reads them exactly (I-JSON, RFC 7493 §2.2), valid Unicode only, no duplicate keys.
 *
 * <p>Under that restriction RFC 8785's number serialization reduces to the plain decimal form
 * of an integer, and its key order is Java's {@link String#compareTo}: both compare UTF-16 code
 * units (RFC 8785 §3.2.3).
 */
public final class CanonicalJson {
    /** Largest integer magnitude an IEEE 754 double holds exactly. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final ObjectMapper DEFAULT_MAPPER = mapper(Limits.DEFAULT);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private CanonicalJson() {
    }

    /**
     * Limits applied while parsing untrusted input.
     *
     * @param maxDepth        deepest nesting of objects and arrays
     * @param maxStringLength longest string, in chars
     */
    public record Limits(int maxDepth, int maxStringLength) {
        public static final Limits DEFAULT = new Limits(32, 64 * 1024);

        public Limits {
            if (maxDepth < 1) {
                throw new IllegalArgumentException("maxDepth must be at least 1");
            }
            if (maxStringLength < 1) {
                throw new IllegalArgumentException("maxStringLength must be at least 1");
            }
        }
    }

    /** A mapper that parses strictly under {@code limits}; share it, it is thread-safe. */
    public static ObjectMapper mapper(Limits limits) {
        JsonMapper mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(64)
                .build());
        return mapper;
    }

    /** Parses UTF-8 JSON text strictly with {@link Limits#DEFAULT}, and checks it is canonicalizable. */
    public static JsonNode parse(byte[] json) throws InvalidJsonException {
        return parse(json, DEFAULT_MAPPER);
    }

    /** Parses UTF-8 JSON text with a mapper from {@link #mapper(Limits)}. */
    public static JsonNode parse(byte[] json, ObjectMapper mapper) throws InvalidJsonException {
        requireUtf8(json);
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
            throw new InvalidJsonException("$", "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidJsonException("$", "unreadable JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidJsonException("$", "empty document");
        }
        check(node, "$");
        return node;
    }

    /**
     * Refuses text that is not UTF-8 (RFC 8259 §8.1), which Jackson would otherwise read: UTF-16
     * and UTF-32 (it detects them by their zero bytes; UTF-8 JSON has no zero byte in its first
     * four, as a string's content starts at the second byte at the earliest and a raw zero is not
     * allowed in it), and ill-formed UTF-8 such as overlong forms or encoded surrogates (it
     * decodes 0xC0 0xAF as '/').
     */
    private static void requireUtf8(byte[] json) throws InvalidJsonException {
        for (int i = 0; i < Math.min(4, json.length); i++) {
            if (json[i] == 0) {
                throw new InvalidJsonException("$", "must be UTF-8 JSON text (RFC 8259 section 8.1); this is UTF-16 or UTF-32");
            }
        }
        int bad = invalidUtf8At(json);
        if (bad >= 0) {
            throw new InvalidJsonException("$", "must be UTF-8 JSON text (RFC 8259 section 8.1); byte " + bad
                    + " (0x" + Integer.toHexString(json[bad] & 0xff) + ") starts an ill-formed UTF-8 sequence");
        }
    }

    /**
     * The offset of the first byte of {@code bytes} that starts an ill-formed UTF-8 sequence
     * (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF), or -1 if none.
     */
    public static int invalidUtf8At(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            // Eight ASCII bytes at a time: request bodies are mostly ASCII.
            while (i + Long.BYTES <= n && ((long) LONGS.get(bytes, i) & 0x8080808080808080L) == 0) {
                i += Long.BYTES;
            }
            if (i >= n) {
                break;
            }
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                need = 1;
            } else if (b >= 0xe0 && b <= 0xef) {
                need = 2;
                lo = b == 0xe0 ? 0xa0 : 0x80;
                hi = b == 0xed ? 0x9f : 0xbf;
            } else if (b >= 0xf0 && b <= 0xf4) {
                need = 3;
                lo = b == 0xf0 ? 0x90 : 0x80;
                hi = b == 0xf4 ? 0x8f : 0xbf;
            } else {
                return i;
            }
            if (i + need >= n) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k <= need; k++) {
                int c = bytes[i + k] & 0xff;
                if (c < 0x80 || c > 0xbf) {
                    return i;
                }
            }
            i += need + 1;
        }
        return -1;
    }

    /** The RFC 8785 canonical UTF-8 bytes of {@code node}. */
    public static byte[] canonicalize(JsonNode node) throws InvalidJsonException {
        check(node, "$");
        CanonicalWriter out = new CanonicalWriter();
        write(node, out);
        return out.toByteArray();
    }

    /** Parses JSON text and returns its canonical bytes. */
    public static byte[] canonicalize(byte[] json) throws InvalidJsonException {
        JsonNode node = parse(json);
        CanonicalWriter out = new CanonicalWriter(json.length);
        write(node, out);
        return out.toByteArray();
    }

    /**
     * Appends the canonical form of {@code node} to {@code out}. Requires a node that passed
     * {@link #parse} or {@link #check}.
     */
    public static void write(JsonNode node, CanonicalWriter out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.raw((byte) '{');
                boolean first = true;
                for (String key : sortedKeys(node)) {
                    if (!first) {
                        out.raw((byte) ',');
                    }
                    first = false;
                    out.string(key).raw((byte) ':');
                    write(node.get(key), out);
                }
                out.raw((byte) '}');
            }
            case ARRAY -> {
                out.raw((byte) '[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.raw((byte) ',');
                    }
                    write(node.get(i), out);
                }
                out.raw((byte) ']');
            }
            case STRING -> out.string(node.textValue());
            case NUMBER -> out.number(node.longValue());
            case BOOLEAN -> out.ascii(node.booleanValue() ? "true" : "false");
            case NULL -> out.ascii("null");
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    /**
     * Checks that {@code node} can be canonicalized under the ledger's rules.
     *
     * @param path the JSONPath of {@code node}, used in the exception
     */
    public static void check(JsonNode node, String path) throws InvalidJsonException {
        // Paths are built only to report a value at fault: building one for every member costs
        // more than the checks themselves.
        if (!canonicalizable(node)) {
            checkWithPaths(node, path);
        }
    }

    /** Whether {@link #checkWithPaths} passes {@code node}; the same rules, without paths. */
    private static boolean canonicalizable(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    if (!validUnicode(field.getKey()) || !canonicalizable(field.getValue())) {
                        return false;
                    }
                }
                return true;
            }
            case ARRAY -> {
                for (int i = 0; i < node.size(); i++) {
                    if (!canonicalizable(node.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            case STRING -> {
                return validUnicode(node.textValue());
            }
            case NUMBER -> {
                return node.isIntegralNumber() && node.canConvertToLong() && Math.abs(node.longValue()) <= MAX_SAFE_INTEGER;
            }
            case BOOLEAN, NULL -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean validUnicode(String s) {
        return unpairedSurrogateAt(s) < 0;
    }

    private static void checkWithPaths(JsonNode node, String path) throws InvalidJsonException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    String childPath = childPath(path, field.getKey());
                    checkUnicode(field.getKey(), childPath, "key");
                    checkWithPaths(field.getValue(), childPath);
                }
            }
            case ARRAY -> {
                for (int i = 0; i < node.size(); i++) {
                    checkWithPaths(node.get(i), path + "[" + i + "]");
                }
            }
            case STRING -> checkUnicode(node.textValue(), path, "string");
            case NUMBER -> {
                if (!node.isIntegralNumber()) {
                    throw new InvalidJsonException(path,
                            "floating-point numbers are not allowed; use integers (minor units, basis points, seconds)");
                }
                if (!node.canConvertToLong() || Math.abs(node.longValue()) > MAX_SAFE_INTEGER) {
                    throw new InvalidJsonException(path, "integer out of range: must be within ±9007199254740991");
                }
            }
            case BOOLEAN, NULL -> {
            }
            default -> throw new InvalidJsonException(path, "not a JSON value");
        }
    }

    /** The JSONPath of member {@code key} of the object at {@code parent}. */
    public static String childPath(String parent, String key) {
        boolean simple = !key.isEmpty() && Character.isJavaIdentifierStart(key.charAt(0));
        for (int i = 1; simple && i < key.length(); i++) {
            simple = Character.isJavaIdentifierPart(key.charAt(i)) && key.charAt(i) < 0x80;
        }
        if (simple) {
            return parent + "." + key;
        }
        return parent + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    private static List<String> sortedKeys(JsonNode node) {
        List<String> keys = new ArrayList<>(node.size());
        node.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        return keys;
    }

    private static void checkUnicode(String s, String path, String what) throws InvalidJsonException {
        int at = unpairedSurrogateAt(s);
        if (at >= 0) {
            throw new InvalidJsonException(path, what + " holds an unpaired UTF-16 surrogate at index " + at);
        }
    }

    /** The index of the first UTF-16 surrogate in {@code s} that is not half of a pair, or -1. */
    private static int unpairedSurrogateAt(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
