package dev.trackrecord.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.ledger.json.Bytes;
import io.helidon.http.Method;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seeded generator of malformed and hostile HTTP requests against the routes of the API. Case
 * {@code i} of seed {@code s} is always the same bytes, so a failing case is replayed from the
 * two numbers alone.
 *
 * <p>Every POST carries a body that no route may accept (broken JSON, a value of the wrong type,
 * numbers out of every range, nesting and strings past the limits, invalid UTF-8, lone
 * surrogates, duplicate keys, trailing data): a fuzzed request that changes the log is a bug.
 * GET requests get hostile path parameters, query strings and headers around a valid token.
 */
final class HostileRequests {
    /** What a case attacks. */
    enum Category { PATH, QUERY, BODY, HEADER, LINE, TOKEN }

    /**
     * One request.
     *
     * @param framing   the request breaks HTTP/1.1 framing (request line, header syntax, body
     *                  length), so closing the connection without an answer is a fair reply
     * @param halfClose the declared body is longer than the bytes sent
     * @param names     the parameter names the request carries (path and query), which a 400
     *                  about a parameter must name one of
     */
    record Case(long index, Category category, String label, String route, String method, byte[] bytes,
                boolean framing, boolean halfClose, Set<String> names) {
        /** The request, printable: non-ASCII and control bytes escaped, cut to {@code max} characters. */
        String printable(int max) {
            StringBuilder s = new StringBuilder();
            for (byte b : bytes) {
                int c = b & 0xff;
                if (c == '\n') {
                    s.append("\\n\n");
                } else if (c == '\r') {
                    s.append("\\r");
                } else if (c < 0x20 || c >= 0x7f) {
                    s.append(String.format("\\x%02x", c));
                } else {
                    s.append((char) c);
                }
                if (s.length() > max) {
                    s.append("... (").append(bytes.length).append(" bytes in all)");
                    break;
                }
            }
            return s.toString();
        }
    }

    /** Query parameter names the routes read; sent to every route, with hostile values. */
    static final List<String> PARAMETERS = List.of("seq", "tree_size", "size1", "size2", "limit", "cursor",
            "contractor", "from_seq", "to_seq", "kinds", "since_size", "skill", "min_lower", "min_n_eff",
            "credential", "rank_by", "as_of_seq", "as_of_time", "explain");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    /** Values that no parameter of the API accepts, already in the form they take in a URI. */
    private static final List<String> HOSTILE_VALUES = List.of(
            "", "-1", "-0", "99999999999999999999", "9223372036854775808", "18446744073709551616", "1e3", "0x10",
            "NaN", "Infinity", "1.5", "+1", "%201", "1%20", "%00", "%FF", "%C3%28", "%ED%A0%80", "%F8%88%80%80%80",
            "%E2%82", "%C0%AF", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "..", ".", "%2F", "%5C..%5C",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "'%20OR%201=1--", "%E2%80%AE", "%F0%9F%92%A9", "%", "%%", "%zz",
            "a%", "c-1%00.json", "true%00", "null", "[]", "%7B%7D", "c-1%0D%0AX-Injected:%201");

    private final long seed;
    private final List<Api.Route> routes;
    private final Map<Role, String> tokens;
    private final Map<String, String> pathValues;
    private final Map<String, byte[]> templates;

    /**
     * @param tokens     a valid token for each role
     * @param pathValues a valid value for each path parameter name ({@code seq}, {@code id}, ...)
     * @param templates  a valid body for each POST path that has one, where {@code #N#} stands for
     *                   the case number (so that a mutation the route wrongly accepts appends a new
     *                   entry rather than resending an old one); POST paths without one get
     *                   generic hostile bodies only
     */
    HostileRequests(long seed, List<Api.Route> routes, Map<Role, String> tokens, Map<String, String> pathValues,
                    Map<String, byte[]> templates) {
        this.seed = seed;
        this.routes = List.copyOf(routes);
        this.tokens = Map.copyOf(tokens);
        this.pathValues = Map.copyOf(pathValues);
        this.templates = Map.copyOf(templates);
    }

    Case generate(long index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        Api.Route route = routes.get((int) (index % routes.size()));
        Category category = Category.values()[r.nextInt(Category.values().length)];
        Gen g = new Gen(r, route, category, index);
        return g.build();
    }

    /** The state of one case while it is built. */
    private final class Gen {
        final Random r;
        final Api.Route route;
        final Category category;
        final long index;
        final Set<String> names = new LinkedHashSet<>();
        final List<String> labels = new ArrayList<>();
        String method;
        String target;
        String version = "HTTP/1.1";
        String eol = "\r\n";
        final List<String> headerLines = new ArrayList<>();
        byte[] rawHeaderExtra = new byte[0];
        byte[] body;
        boolean framing;
        boolean halfClose;
        String contentLength;
        /** The body's length comes from Transfer-Encoding (or nowhere): no Content-Length line. */
        boolean omitLength;

        Gen(Random r, Api.Route route, Category category, long index) {
            this.r = r;
            this.route = route;
            this.category = category;
            this.index = index;
        }

        Case build() {
            method = route.method().text();
            target = concretePath(category == Category.PATH);
            if (category == Category.QUERY || r.nextInt(4) == 0) {
                target += hostileQuery();
            }
            Role role = new ArrayList<>(route.roles()).get(r.nextInt(route.roles().size()));
            String authorization = "Bearer " + tokens.get(role);
            if (category == Category.TOKEN) {
                authorization = hostileAuthorization(role);
            }
            if (authorization != null) {
                headerLines.add("Authorization: " + authorization);
            }
            headerLines.add("Host: 127.0.0.1");
            boolean post = route.method() == Method.POST;
            if (post) {
                body = hostileBody();
                headerLines.add("Content-Type: application/json");
            } else if (category == Category.BODY) {
                body = hostileBody();
                headerLines.add("Content-Type: application/json");
                labels.add("GET with a body");
            }
            if (category == Category.HEADER) {
                hostileHeaders();
            }
            if (category == Category.LINE) {
                hostileLine();
            }
            headerLines.add("Connection: close");
            byte[] payload = body == null ? new byte[0] : body;
            if (omitLength) {
                contentLength = null;
            } else if (contentLength == null && body != null) {
                contentLength = Integer.toString(payload.length);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 512);
            String line = method + " " + target + (version.isEmpty() ? "" : " " + version);
            writeLatin1OrRaw(out, line);
            out.writeBytes(eol.getBytes(StandardCharsets.ISO_8859_1));
            for (String h : headerLines) {
                writeLatin1OrRaw(out, h);
                out.writeBytes(eol.getBytes(StandardCharsets.ISO_8859_1));
            }
            if (contentLength != null) {
                out.writeBytes(("Content-Length: " + contentLength + eol).getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes(rawHeaderExtra);
            out.writeBytes(eol.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(payload);
            return new Case(index, category, String.join("; ", labels), route.method().text() + " " + route.path(),
                    method, out.toByteArray(), framing, halfClose, Set.copyOf(names));
        }

        /** Characters up to U+00FF as one byte each, so a test can put any byte in a line. */
        private void writeLatin1OrRaw(ByteArrayOutputStream out, String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        private String concretePath(boolean hostile) {
            Matcher m = PATH_PARAM.matcher(route.path());
            StringBuilder path = new StringBuilder();
            boolean any = false;
            while (m.find()) {
                String name = m.group(1);
                names.add(name);
                String value = pathValues.getOrDefault(name, "1");
                if (route.path().endsWith("/erasure")) {
                    // A well-formed erasure needs no body, so a request that only bends the request
                    // line (a lower-case method, say, which Helidon accepts) would erase for real:
                    // aim it at a contractor the log does not know, whom it cannot change.
                    value = "c-nobody";
                }
                if (hostile && (!any || r.nextBoolean())) {
                    value = hostilePathValue();
                    labels.add("path parameter " + name + "=" + value);
                    any = true;
                }
                m.appendReplacement(path, Matcher.quoteReplacement(value));
            }
            m.appendTail(path);
            if (hostile && !any) {
                labels.add("path trick");
                return pathTrick(path.toString());
            }
            return path.toString();
        }

        private String hostilePathValue() {
            return switch (r.nextInt(4)) {
                case 0, 1 -> HOSTILE_VALUES.get(r.nextInt(HOSTILE_VALUES.size()));
                case 2 -> "x".repeat(1 + r.nextInt(8000));
                default -> rawBytes(1 + r.nextInt(12));
            };
        }

        /** Bytes 0x80-0xFF and some punctuation, raw in the request target. */
        private String rawBytes(int n) {
            framing = true;
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append((char) (r.nextBoolean() ? 0x80 + r.nextInt(0x80) : "<>\"{}|\\^`".charAt(r.nextInt(9))));
            }
            return s.toString();
        }

        private String pathTrick(String path) {
            return switch (r.nextInt(12)) {
                case 0 -> path.replaceFirst("/v1/", "/v1/../v1/");
                case 1 -> path.replaceFirst("/v1/", "/v1/%2e%2e/");
                case 2 -> "/" + path;
                case 3 -> path + "/";
                case 4 -> path.toUpperCase(java.util.Locale.ROOT);
                case 5 -> path + ";jsessionid=x";
                case 6 -> path + "%00";
                case 7 -> path + "/../../../../etc/passwd";
                case 8 -> path.replace("/", "%2F");
                case 9 -> path + "#fragment";
                case 10 -> path.replace("/", "//");
                default -> path + "/extra/" + HOSTILE_VALUES.get(r.nextInt(HOSTILE_VALUES.size()));
            };
        }

        private String hostileQuery() {
            StringBuilder q = new StringBuilder("?");
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    q.append(r.nextInt(10) == 0 ? "&&" : "&");
                }
                String name = r.nextInt(8) == 0 ? HOSTILE_VALUES.get(r.nextInt(HOSTILE_VALUES.size()))
                        : PARAMETERS.get(r.nextInt(PARAMETERS.size()));
                names.add(name);
                switch (r.nextInt(10)) {
                    case 0 -> q.append(name);
                    case 1 -> q.append(name).append("=1&").append(name).append("=2");
                    case 2 -> q.append(name).append('=').append("9".repeat(1 + r.nextInt(20_000)));
                    default -> q.append(name).append('=').append(HOSTILE_VALUES.get(r.nextInt(HOSTILE_VALUES.size())));
                }
            }
            labels.add("query " + (q.length() > 120 ? q.substring(0, 120) + "..." : q));
            return q.toString();
        }

        private String hostileAuthorization(Role role) {
            String token = tokens.get(role);
            int kind = r.nextInt(12);
            labels.add("authorization kind " + kind);
            return switch (kind) {
                case 0 -> null;
                case 1 -> "Bearer";
                case 2 -> "Bearer ";
                case 3 -> "Basic " + token;
                case 4 -> "bearer  " + token.substring(0, token.length() - 1);
                case 5 -> "Bearer " + "A".repeat(8000 + r.nextInt(8000));
                case 6 -> "Bearer " + token.replace('.', '!');
                case 7 -> "Bearer " + token + "." + token;
                case 8 -> "Bearer " + token.substring(0, token.lastIndexOf('.') + 1);
                case 9 -> "Bearer " + flipOne(token);
                case 10 -> "Bearer " + token.substring(0, token.indexOf('.')) + ".e30.";
                default -> "Bearer " + (char) (0x80 + r.nextInt(0x80)) + token;
            };
        }

        private String flipOne(String token) {
            char[] c = token.toCharArray();
            int i = r.nextInt(c.length);
            c[i] = c[i] == 'A' ? 'B' : 'A';
            return new String(c);
        }

        private void hostileHeaders() {
            int kind = r.nextInt(20);
            labels.add("header kind " + kind);
            switch (kind) {
                case 0 -> headerLines.add("Content-Type: text/plain");
                case 1 -> headerLines.add("Content-Type: application/json; charset=utf-16");
                case 2 -> headerLines.add("Content-Type: ////");
                case 3 -> headerLines.add("Content-Type: application/" + "j".repeat(5000));
                case 4 -> {
                    headerLines.add("X-Big: " + "v".repeat(20_000 + r.nextInt(100_000)));
                    framing = true;
                }
                case 5 -> {
                    for (int i = 0; i < 200 + r.nextInt(2000); i++) {
                        headerLines.add("X-Many-" + i + ": " + i);
                    }
                    framing = true;
                }
                case 6 -> {
                    headerLines.add("NoColonHere");
                    framing = true;
                }
                case 7 -> {
                    headerLines.add("Bad Name: x");
                    framing = true;
                }
                case 8 -> {
                    headerLines.add("X-Folded: a");
                    headerLines.add(" continued");
                    framing = true;
                }
                case 9 -> {
                    headerLines.add("X-Nul: a\u0000b");
                    framing = true;
                }
                case 10 -> headerLines.add("X-Latin: " + (char) 0xff + (char) 0xfe + (char) 0xc3 + "(");
                case 11 -> {
                    contentLength = "-1";
                    framing = true;
                }
                case 12 -> {
                    contentLength = "99999999999999999999";
                    framing = true;
                }
                case 13 -> {
                    contentLength = "abc";
                    framing = true;
                }
                case 14 -> {
                    int length = body == null ? 0 : body.length;
                    contentLength = Integer.toString(length + 1 + r.nextInt(1000));
                    framing = true;
                    halfClose = true;
                }
                case 15 -> {
                    int length = body == null ? 0 : body.length;
                    // At most a third: a longer prefix of "valid JSON + trailing data" could be
                    // the valid JSON alone, and the rest would be read as a second request.
                    contentLength = Integer.toString(r.nextInt(Math.max(1, length / 3)));
                    framing = true;
                }
                case 16 -> {
                    headerLines.add("Transfer-Encoding: chunked");
                    int length = body == null ? 0 : body.length;
                    headerLines.add("Content-Length: " + length);
                    omitLength = true;
                    framing = true;
                }
                case 17 -> {
                    headerLines.add("Transfer-Encoding: chunked");
                    byte[] inner = body == null ? new byte[0] : body;
                    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
                    chunked.writeBytes(("zz\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    chunked.writeBytes(inner);
                    chunked.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    body = chunked.toByteArray();
                    omitLength = true;
                    framing = true;
                }
                case 18 -> {
                    headerLines.add("Expect: 100-continue");
                    headerLines.add("Host: second.example");
                }
                default -> {
                    headerLines.add("Transfer-Encoding: gzip, chunked");
                    omitLength = true;
                    framing = true;
                    halfClose = true;
                }
            }
        }

        private void hostileLine() {
            framing = true;
            int kind = r.nextInt(16);
            labels.add("request line kind " + kind);
            switch (kind) {
                case 0 -> method = method.toLowerCase(java.util.Locale.ROOT);
                case 1 -> method = "FOO";
                case 2 -> method = "";
                case 3 -> method = "G".repeat(1000 + r.nextInt(5000));
                case 4 -> method = List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "HEAD")
                        .get(r.nextInt(7));
                case 5 -> target = "*";
                case 6 -> target = "http://evil.example" + target;
                case 7 -> target = target + "/" + "a".repeat(20_000 + r.nextInt(80_000));
                case 8 -> target = target.replaceFirst("/", "/ ");
                case 9 -> version = "";
                case 10 -> version = List.of("HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9", "HTTP/1.1x", "http/1.1")
                        .get(r.nextInt(6));
                case 11 -> eol = "\n";
                case 12 -> eol = "\r";
                case 13 -> target = target + rawBytes(1 + r.nextInt(8));
                case 14 -> target = "";
                default -> target = "v1" + target;
            }
        }

        // ------------------------------------------------------------ bodies

        private byte[] hostileBody() {
            byte[] template = templates.get(route.path());
            if (template != null && r.nextInt(4) != 0) {
                return mutate(new String(template, StandardCharsets.UTF_8).replace("#N#", Long.toString(index))
                        .getBytes(StandardCharsets.UTF_8));
            }
            return generic();
        }

        /** A body that is no valid request of any route, whatever the route. */
        private byte[] generic() {
            int kind = r.nextInt(12);
            labels.add("generic body " + kind);
            return switch (kind) {
                case 0 -> new byte[0];
                case 1 -> "   \r\n\t ".getBytes(StandardCharsets.US_ASCII);
                case 2 -> List.of("[]", "\"x\"", "1", "null", "true", "[{}]", "-0", "1e400")
                        .get(r.nextInt(8)).getBytes(StandardCharsets.US_ASCII);
                case 3 -> {
                    byte[] b = new byte[1 + r.nextInt(4000)];
                    r.nextBytes(b);
                    b[0] = (byte) 0xff;
                    yield b;
                }
                case 4 -> ("[".repeat(1000 + r.nextInt(100_000))).getBytes(StandardCharsets.US_ASCII);
                case 5 -> {
                    int depth = 900 + r.nextInt(200_000);
                    yield ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
                }
                case 6 -> ("\"" + "s".repeat(1 + r.nextInt(3_000_000)) + "\"").getBytes(StandardCharsets.US_ASCII);
                case 7 -> new byte[] {'{', '"', (byte) 0xc3, 0x28, '"', ':', '1', '}'};
                case 8 -> "{\"a\":\"\\ud800\"}".getBytes(StandardCharsets.US_ASCII);
                case 9 -> "{\"a\":1,}".getBytes(StandardCharsets.US_ASCII);
                case 10 -> "{'a':1}".getBytes(StandardCharsets.US_ASCII);
                default -> ("{\"a\":" + "9".repeat(1 + r.nextInt(2_000_000)) + "}").getBytes(StandardCharsets.US_ASCII);
            };
        }

        /** The valid template, broken so that no route can accept it. */
        private byte[] mutate(byte[] template) {
            JsonNode tree;
            try {
                tree = JSON.readTree(template);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int kind = r.nextInt(11);
            labels.add("mutated body " + kind);
            return switch (kind) {
                case 0 -> {
                    String text = new String(template, StandardCharsets.UTF_8).strip();
                    yield text.substring(0, r.nextInt(text.length() - 1) + 1).getBytes(StandardCharsets.UTF_8);
                }
                case 1 -> spliceBytes(tree, node -> wrongType(node).getBytes(StandardCharsets.UTF_8));
                case 2 -> splice(tree, List.of("1e400", "99999999999999999999999999999", "-99999999999999999999",
                        "0.1", "1.0", "1E+2", "123e-5", "0x10", "NaN", "Infinity", "01", "+1", "-", "1.",
                        "1e999999999", "-1e-999999999", "9".repeat(100), "1" + "0".repeat(5000))
                        .get(r.nextInt(18)));
                case 3 -> {
                    int depth = 500 + r.nextInt(50_000);
                    yield splice(tree, "[".repeat(depth) + "]".repeat(depth));
                }
                case 4 -> splice(tree, "\"" + randomText(5000 + r.nextInt(3_000_000)) + "\"");
                case 5 -> spliceBytes(tree, invalidUtf8String());
                case 6 -> splice(tree, "\"" + List.of("\\ud800", "a\\udc00b", "\\udbff", "\\ud800\\ud800")
                        .get(r.nextInt(4)) + "\"");
                case 7 -> splice(tree, "\"a\u0000b\"");
                case 8 -> {
                    // A second copy of a member, of the wrong type: ambiguous JSON.
                    ObjectNode o = (ObjectNode) tree;
                    String first = o.fieldNames().next();
                    String text = new String(template, StandardCharsets.UTF_8).strip();
                    yield (text.substring(0, text.length() - 1) + ",\"" + first + "\":" + wrongType(o.get(first)) + "}")
                            .getBytes(StandardCharsets.UTF_8);
                }
                case 9 -> {
                    String text = new String(template, StandardCharsets.UTF_8).strip();
                    yield (text + List.of("}", "{}", " x", ",", "]", " " + text).get(r.nextInt(6)))
                            .getBytes(StandardCharsets.UTF_8);
                }
                default -> {
                    // The same JSON in UTF-16 or UTF-32: JSON on the wire is UTF-8 (RFC 8259 §8.1).
                    String text = new String(template, StandardCharsets.UTF_8);
                    yield text.getBytes(List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                            java.nio.charset.Charset.forName("UTF-32BE")).get(r.nextInt(3)));
                }
            };
        }

        private String randomText(int n) {
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append(r.nextInt(4) == 0 ? (char) (0xa0 + r.nextInt(0x2000)) : (char) ('a' + r.nextInt(26)));
            }
            return s.toString();
        }

        private byte[] invalidUtf8String() {
            byte[][] bad = {{(byte) 0xc3, 0x28}, {(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf},
                    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
                    {(byte) 0xe2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            s.write('"');
            s.writeBytes("c-".getBytes(StandardCharsets.US_ASCII));
            s.writeBytes(bad[r.nextInt(bad.length)]);
            s.write('"');
            return s.toByteArray();
        }

        /** A node of {@code tree} other than the root; with {@code leaves}, preferably a scalar. */
        private JsonNode leafOrNode(JsonNode tree, boolean leaves) {
            List<JsonNode> all = new ArrayList<>();
            collect(tree, all);
            all.remove(0);
            List<JsonNode> scalars = all.stream().filter(n -> !n.isContainerNode()).toList();
            List<JsonNode> pool = leaves && !scalars.isEmpty() && r.nextInt(4) != 0 ? scalars : all;
            return pool.get(r.nextInt(pool.size()));
        }

        private void collect(JsonNode node, List<JsonNode> out) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }

        /** A JSON value of another type than {@code node}'s. */
        private String wrongType(JsonNode node) {
            List<String> options = new ArrayList<>(List.of("\"text\"", "12345", "true", "null", "[]", "{}",
                    "[\"a\",1]", "{\"x\":{}}"));
            if (node.isTextual()) {
                options.removeIf(o -> o.startsWith("\""));
            } else if (node.isNumber()) {
                options.removeIf(o -> o.equals("12345"));
            } else if (node.isBoolean()) {
                options.removeIf(o -> o.equals("true"));
            } else if (node.isNull()) {
                options.removeIf(o -> o.equals("null"));
            } else if (node.isArray()) {
                options.removeIf(o -> o.startsWith("["));
            } else if (node.isObject()) {
                options.removeIf(o -> o.startsWith("{"));
            }
            return options.get(r.nextInt(options.size()));
        }

        /** {@code tree} with one node (a scalar, mostly) replaced by the raw JSON text {@code raw}. */
        private byte[] splice(JsonNode tree, String raw) {
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            return spliceBytes(tree, node -> bytes);
        }

        private byte[] spliceBytes(JsonNode tree, byte[] raw) {
            return spliceBytes(tree, node -> raw);
        }

        /** {@code tree} with one node replaced by the raw text {@code replacement} makes of it. */
        private byte[] spliceBytes(JsonNode tree, java.util.function.Function<JsonNode, byte[]> replacement) {
            JsonNode copy = tree.deepCopy();
            JsonNode target = leafOrNode(copy, true);
            byte[] raw = replacement.apply(target);
            String marker = "\u0001MARK" + index + "\u0001";
            replace(copy, target, new TextNode(marker));
            byte[] text;
            try {
                text = JSON.writeValueAsBytes(copy);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] quoted = ("\"\\u0001MARK" + index + "\\u0001\"").getBytes(StandardCharsets.US_ASCII);
            int at = Bytes.indexOf(text, quoted);
            if (at < 0) {
                throw new IllegalStateException("marker not found");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + raw.length);
            out.write(text, 0, at);
            out.writeBytes(raw);
            out.write(text, at + quoted.length, text.length - at - quoted.length);
            labels.add("at " + pathOf(copy, marker));
            return out.toByteArray();
        }

        private boolean replace(JsonNode parent, JsonNode target, JsonNode with) {
            if (parent instanceof ObjectNode o) {
                for (var it = o.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (e.getValue() == target) {
                        o.set(e.getKey(), with);
                        return true;
                    }
                    if (replace(e.getValue(), target, with)) {
                        return true;
                    }
                }
            } else if (parent instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i) == target) {
                        a.set(i, with);
                        return true;
                    }
                    if (replace(a.get(i), target, with)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private String pathOf(JsonNode node, String marker) {
            if (node.isTextual() && node.asText().equals(marker)) {
                return "$";
            }
            if (node instanceof ContainerNode<?>) {
                if (node.isObject()) {
                    for (var e : node.properties()) {
                        String p = pathOf(e.getValue(), marker);
                        if (p != null) {
                            return "$." + e.getKey() + p.substring(1);
                        }
                    }
                } else {
                    for (int i = 0; i < node.size(); i++) {
                        String p = pathOf(node.get(i), marker);
                        if (p != null) {
                            return "$[" + i + "]" + p.substring(1);
                        }
                    }
                }
            }
            return null;
        }
    }
}
