package dev.trackrecord.ledger.consensus.format;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The subset of YAML the Welinder files use: a flow mapping {@code {k: v, ...}} or a block
 * mapping of {@code key: value} lines, where values are plain scalars or flow mappings.
 * Anything else is an error naming the line.
 */
final class Yaml {

    /** A scalar (map null) or a mapping (scalar null), with the line it starts on. */
    record Node(String scalar, Map<String, Node> map, int line) {
    }

    private final String text;
    private final String source;
    private int pos;
    private int line = 1;

    Yaml(String text, String source) {
        this.text = text;
        this.source = source;
    }

    Node document() {
        skipSpace();
        Node root;
        if (peek() == '{') {
            root = flowMap();
        } else {
            Map<String, Node> map = new LinkedHashMap<>();
            int at = line;
            while (skipSpace()) {
                int keyLine = line;
                String key = scalar("a key");
                expect(':');
                put(map, key, value(), keyLine);
            }
            root = new Node(null, map, at);
        }
        if (skipSpace()) {
            throw error("unexpected '" + peek() + "' after the document");
        }
        if (root.map().isEmpty()) {
            throw error("the document has no entries");
        }
        return root;
    }

    private Node flowMap() {
        int at = line;
        expect('{');
        Map<String, Node> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return new Node(null, map, at);
        }
        while (true) {
            skipSpace();
            int keyLine = line;
            String key = scalar("a key");
            expect(':');
            put(map, key, value(), keyLine);
            skipSpace();
            char ch = peek();
            pos++;
            if (ch == '}') {
                return new Node(null, map, at);
            }
            if (ch != ',') {
                pos--;
                throw error("expected ',' or '}' in a mapping, found " + describe(ch));
            }
        }
    }

    private Node value() {
        skipSpace();
        if (peek() == '{') {
            return flowMap();
        }
        int at = line;
        return new Node(scalar("a value"), null, at);
    }

    private String scalar(String what) {
        skipSpace();
        int from = pos;
        while (pos < text.length() && "{}:,\n\r\t ".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        if (pos == from) {
            throw error("expected " + what + ", found " + describe(peek()));
        }
        String s = text.substring(from, pos);
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    private void expect(char ch) {
        skipSpace();
        if (peek() != ch) {
            throw error("expected '" + ch + "', found " + describe(peek()));
        }
        pos++;
    }

    private void put(Map<String, Node> map, String key, Node value, int keyLine) {
        if (map.putIfAbsent(key, value) != null) {
            throw new LabelFileException(source, keyLine, "duplicate key '" + key + "'");
        }
    }

    /** Skips blanks, newlines and # comments; returns whether input remains. */
    private boolean skipSpace() {
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == '\n') {
                line++;
                pos++;
            } else if (ch == ' ' || ch == '\t' || ch == '\r') {
                pos++;
            } else if (ch == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return true;
            }
        }
        return false;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static String describe(char ch) {
        return ch == '\0' ? "the end of the file" : "'" + ch + "'";
    }

    private LabelFileException error(String message) {
        return new LabelFileException(source, line, message);
    }
}
