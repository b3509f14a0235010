package dev.trackrecord.ledger.note;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoteSyntaxTest {

    /** Our UTF-8 check against the JDK decoder, the reference, on short random byte strings. */
    @Property(tries = 3000)
    void invalidUtf8At_randomBytes_agreesWithJdkDecoder(@ForAll @Size(max = 8) byte[] bytes) {
        assertThat(NoteSyntax.invalidUtf8At(bytes) < 0).isEqualTo(jdkAccepts(bytes));
    }

    /** The same on valid text with one byte replaced, where the interesting boundaries are. */
    @Property(tries = 3000)
    void invalidUtf8At_mutatedText_agreesWithJdkDecoder(@ForAll("mutatedText") byte[] bytes) {
        assertThat(NoteSyntax.invalidUtf8At(bytes) < 0).isEqualTo(jdkAccepts(bytes));
    }

    @Provide
    Arbitrary<byte[]> mutatedText() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMinLength(1).ofMaxLength(6)
                .filter(s -> jdkAccepts(s.getBytes(StandardCharsets.UTF_8)));
        return Combinators.combine(text, Arbitraries.integers().between(0, 1000), Arbitraries.bytes())
                .as((s, at, value) -> {
                    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                    bytes[at % bytes.length] = value;
                    return bytes;
                });
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
