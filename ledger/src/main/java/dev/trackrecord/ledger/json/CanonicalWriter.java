package dev.trackrecord.ledger.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON tokens in their RFC 8785 (JCS) form. The writer trusts
 * its caller for structure (commas, key order); {@link CanonicalJson} uses it for whole trees,
 * and the sequencer uses it to assemble entry envelopes whose key order is fixed.
 */
public final class CanonicalWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int size;

    public CanonicalWriter() {
        this(256);
    }

    public CanonicalWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    /** Forgets what was written, keeping the buffer. */
    public void reset() {
        size = 0;
    }

    /**
     * The internal buffer, valid up to {@link #size()} until the next write. For hashing a
     * slice without copying it.
     */
    public byte[] buffer() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Copies the bytes written so far into {@code dest} at {@code offset}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(buf, 0, dest, offset, size);
    }

    public CanonicalWriter raw(byte b) {
        ensure(1);
        buf[size++] = b;
        return this;
    }

    public CanonicalWriter raw(byte[] bytes) {
        return raw(bytes, 0, bytes.length);
    }

    public CanonicalWriter raw(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, size, length);
        size += length;
        return this;
    }

    /** Writes ASCII text that needs no escaping (keys and punctuation known at compile time). */
    public CanonicalWriter ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Writes an integer; RFC 8785 §3.2.2.3 serializes integral doubles as plain decimals. */
    public CanonicalWriter number(long value) {
        if (value == 0) {
            return raw((byte) '0');
        }
        ensure(20);
        if (value < 0) {
            buf[size++] = '-';
        }
        int start = size;
        long v = value;
        while (v != 0) {
            buf[size++] = (byte) ('0' + Math.abs(v % 10));
            v /= 10;
        }
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /**
     * Writes a JSON string per RFC 8785 §3.2.2.2: quote, backslash and control characters escaped
     * (the five short forms, otherwise {@code \}{@code u00xx} in lowercase hex), everything else
     * as UTF-8. Requires a string without unpaired surrogates ({@link CanonicalJson} checks).
     */
    public CanonicalWriter string(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[size++] = '"';
        int i = 0;
        // Printable ASCII without quote or backslash, the whole of most strings, is one byte a char,
        // for which ensure(n + 2) made room: no check per char until the first other char.
        byte[] b = buf;
        int at = size;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            b[at++] = (byte) c;
        }
        size = at;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                ensure(1);
                buf[size++] = (byte) c;
            } else if (c < 0x80) {
                escapeAscii(c);
            } else if (c < 0x800) {
                ensure(2);
                buf[size++] = (byte) (0xC0 | (c >> 6));
                buf[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[size++] = (byte) (0xF0 | (cp >> 18));
                buf[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[size++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate at index " + i);
            } else {
                ensure(3);
                buf[size++] = (byte) (0xE0 | (c >> 12));
                buf[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        ensure(1);
        buf[size++] = '"';
        return this;
    }

    private void escapeAscii(char c) {
        ensure(6);
        buf[size++] = '\\';
        switch (c) {
            case '"' -> buf[size++] = '"';
            case '\\' -> buf[size++] = '\\';
            case '\b' -> buf[size++] = 'b';
            case '\f' -> buf[size++] = 'f';
            case '\n' -> buf[size++] = 'n';
            case '\r' -> buf[size++] = 'r';
            case '\t' -> buf[size++] = 't';
            default -> {
                buf[size++] = 'u';
                buf[size++] = '0';
                buf[size++] = '0';
                buf[size++] = HEX[(c >> 4) & 0xF];
                buf[size++] = HEX[c & 0xF];
            }
        }
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }
}
