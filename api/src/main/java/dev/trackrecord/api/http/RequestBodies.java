package dev.trackrecord.api.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** Reading request bodies: their bytes, and the JSON of the routes that are not entry appends. */
public final class RequestBodies {
    /** Duplicate members and anything after the value are errors, as for entries. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RequestBodies() {
    }

    /**
     * {@link InputStream#read(byte[])} on a request's entity. Helidon decodes the transfer coding
     * as it reads, so a body that breaks its framing (a chunk size that is not hex, a connection
     * closed early) fails here: that is the client's error, a 400 naming the body.
     */
    public static int read(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            String rule = "must be framed as its headers declare (Content-Length or chunked Transfer-Encoding)";
            throw new ProblemException(400, "bad-request", "Bad request",
                    "$: the request body could not be read: it " + rule, List.of(new Violation("$", rule)), Map.of());
        }
    }

    /** Up to {@code max} bytes of a request's entity, read as {@link #read} does. */
    public static byte[] readUpTo(InputStream in, int max) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.min(max, 8192));
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < max && (n = read(in, buffer)) > 0) {
            out.write(buffer, 0, Math.min(n, max - out.size()));
        }
        return out.toByteArray();
    }

    /**
     * Parses a JSON request body: one value, no duplicate members, nothing after it, and UTF-8
     * only (RFC 8259 §8.1); Jackson would otherwise take UTF-16 and UTF-32 by their zero bytes, and
     * read some ill-formed UTF-8 (0xC0 0xAF as '/').
     */
    public static JsonNode json(byte[] body) throws JsonProcessingException {
        // A UTF-8 JSON text has no zero byte before its first string's content can start; a UTF-16
        // or UTF-32 text of JSON has one there, or a byte order mark, which is no UTF-8.
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                throw notUtf8();
            }
        }
        int bad = CanonicalJson.invalidUtf8At(body);
        if (bad >= 0) {
            throw new JsonParseException((JsonParser) null, "JSON text must be UTF-8 (RFC 8259 section 8.1); byte "
                    + bad + " starts an ill-formed UTF-8 sequence");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new JsonParseException((JsonParser) null, e.getMessage());
        }
    }

    private static JsonParseException notUtf8() {
        return new JsonParseException((JsonParser) null, "JSON text must be UTF-8 (RFC 8259 section 8.1); "
                + "this body is UTF-16 or UTF-32");
    }
}
