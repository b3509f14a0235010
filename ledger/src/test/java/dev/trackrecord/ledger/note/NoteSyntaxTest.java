package dev.trackrecord.ledger.note;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoteSyntaxTest {

    private static final int TRIES = 3000;

    /** Our UTF-8 check against the JDK decoder, the reference, on short random byte strings. */
    @Test
    void invalidUtf8At_randomBytes_agreesWithJdkDecoder() {
        GeneratedCases.of(1, TRIES, shortByteEdgeCases(), random -> GeneratedCases.bytes(random, 0, 8, TRIES),
                        GeneratedCases::hex)
                .forEach(c -> c.check(bytes -> assertThat(NoteSyntax.invalidUtf8At(bytes) < 0)
                        .isEqualTo(jdkAccepts(bytes))));
    }

    /** The same on valid text with one byte replaced, where the interesting boundaries are. */
    @Test
    void invalidUtf8At_mutatedText_agreesWithJdkDecoder() {
        GeneratedCases.of(2, TRIES, mutationEdgeCases(), NoteSyntaxTest::mutation, Mutation::toString)
                .forEach(c -> c.check(mutation -> assertThat(NoteSyntax.invalidUtf8At(mutation.bytes()) < 0)
                        .isEqualTo(jdkAccepts(mutation.bytes()))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"QQ", "QR==", "QQ==\n", "Q Q==", "QQ===", "QUI", "QUJ=", "-_8=", "*"})
    void decodeBase64_nonCanonical_isRejected(String text) {
        assertThat(NoteSyntax.decodeBase64(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "QQ==", "QUI=", "QUJD", "+/8="})
    void decodeBase64_canonical_isAccepted(String text) {
        assertThat(NoteSyntax.decodeBase64(text)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029,
        0x202F, 0x205F, 0x3000})
    void isUnicodeSpace_goUnicodeIsSpaceCharacters_areSpaces(int codePoint) {
        assertThat(NoteSyntax.isUnicodeSpace(codePoint)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {'a', '+', 0x00, 0x1F, 0x7F, 0x200B, 0xFEFF, 0x2014})
    void isUnicodeSpace_otherCharacters_areNotSpaces(int codePoint) {
        assertThat(NoteSyntax.isUnicodeSpace(codePoint)).isFalse();
    }

    /**
     * The empty string, each single edge byte, and the UTF-8 boundaries of RFC 3629 §4: the first
     * and last well-formed sequence of each length, overlong forms, surrogates, code points above
     * U+10FFFF, lone continuation bytes and cut-off sequences.
     */
    private static List<byte[]> shortByteEdgeCases() {
        List<byte[]> edgeCases = new ArrayList<>();
        edgeCases.add(new byte[0]);
        for (int value : new int[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}) {
            edgeCases.add(new byte[] {(byte) value});
        }
        for (String hex : List.of("7f", "80", "bf", "c0", "c1", "c2", "f5", "ff", "c080", "c1bf", "c280", "dfbf",
                "c27f", "c2c0", "e080", "e09fbf", "e0a080", "e282", "e2822c", "ed9fbf", "eda080", "edbfbf",
                "ee8080", "efbfbf", "f08fbfbf", "f0908080", "f09f98", "f48fbfbf", "f4908080", "f5808080",
                "e282ac00e282ac", "f09f9880f09f9880")) {
            edgeCases.add(HexFormat.of().parseHex(hex));
        }
        return edgeCases;
    }

    /** Text from the range {@code U+0000..U+FFFF} (so also surrogate halves), 1 to 6 chars. */
    private static Mutation mutation(SplittableRandom random) {
        char[] chars = new char[GeneratedCases.size(random, 1, 6, TRIES)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = GeneratedCases.isEdgeTurn(random)
                    ? (random.nextBoolean() ? '\u0000' : '\uffff')
                    : (char) random.nextInt(0x10000);
        }
        int at = (int) GeneratedCases.integral(random, 0, 1000);
        return new Mutation(new String(chars), at, GeneratedCases.oneByte(random));
    }

    /** Every combination of a corner text (first and last char, 2- and 4-byte), position and byte value. */
    private static List<Mutation> mutationEdgeCases() {
        List<Mutation> edgeCases = new ArrayList<>();
        for (String text : List.of("\u0000", "\uffff", "\u00e9", "\ud83d\ude00")) {
            for (int at : new int[] {0, 1, 1000}) {
                for (int value : new int[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}) {
                    edgeCases.add(new Mutation(text, at, (byte) value));
                }
            }
        }
        return edgeCases;
    }

    /**
     * The UTF-8 encoding of {@code text} with the byte at {@code at} modulo its length set to
     * {@code value}. The encoding itself is always valid: {@code getBytes} writes '?' for an
     * unpaired surrogate.
     */
    private record Mutation(String text, int at, byte value) {

        byte[] bytes() {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            bytes[at % bytes.length] = value;
            return bytes;
        }

        @Override
        public String toString() {
            byte[] bytes = bytes();
            return GeneratedCases.quote(text) + " with byte " + at % bytes.length + " set to "
                    + HexFormat.of().toHexDigits(value) + ": " + GeneratedCases.hex(bytes);
        }
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
