package dev.trackrecord.ledger.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SignedNoteTest {

    private static final String GO_TEXT = NoteVectors.text("peterneumann.text");
    private static final String GO_NOTE = NoteVectors.text("peterneumann.note");
    private static final String GO_SIG_LINE = GO_NOTE.substring(GO_TEXT.length() + 1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TEXT_TRIES = 200;

    /** Code points outside printable ASCII that a note text may hold, including the highest one. */
    private static final int[] SPECIAL_CODE_POINTS = {0x2014, 0xE9, 0x00A0, 0x1F600, 0x10FFFF, 0xFFFD};

    @Test
    void sign_goVector_reproducesThePublishedNoteByteForByte() throws NoteException {
        String note = SignedNote.sign(GO_TEXT, List.of(NoteVectors.goSigner()));

        assertThat(note.getBytes(StandardCharsets.UTF_8)).isEqualTo(NoteVectors.bytes("peterneumann.note"));
    }

    @Test
    void open_goVector_verifiesAndReturnsTheText() throws NoteException {
        SignedNote note = SignedNote.open(NoteVectors.bytes("peterneumann.note"), List.of(NoteVectors.goVerifier()));

        assertThat(note.text()).isEqualTo(GO_TEXT);
        assertThat(note.signatures()).extracting(SignedNote.Signature::label).containsExactly("PeterNeumann+c74f20a3");
        assertThat(note.unverifiedSignatures()).isEmpty();
    }

    @Test
    void open_c2spVerifierKeyExample_verifies() throws NoteException {
        NoteVerifier verifier = NoteVerifier.parse(NoteVectors.text("c2sp-example.vkey"));

        SignedNote note = SignedNote.open(NoteVectors.bytes("c2sp-example.note"), List.of(verifier));

        assertThat(note.text()).isEqualTo("This is an example message.\n");
    }

    /** Every byte of a note is covered: no single changed bit may leave it verifying. */
    @Test
    void open_flippedBitAnywhere_fails() throws NoteException {
        byte[] note = NoteVectors.bytes("peterneumann.note");
        List<NoteVerifier> known = List.of(NoteVectors.goVerifier());
        int rejected = 0;
        for (int i = 0; i < note.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] changed = note.clone();
                changed[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> SignedNote.open(changed, known))
                        .as("bit %d of byte %d", bit, i)
                        .isInstanceOf(NoteException.class);
                rejected++;
            }
        }
        assertThat(rejected).isEqualTo(note.length * 8);
    }

    @Test
    void open_knownKeyBadSignature_namesKeyAndLine() throws NoteException {
        byte[] raw = Base64.getDecoder().decode(GO_SIG_LINE.substring("— PeterNeumann ".length()).trim());
        raw[10] ^= 1;
        String forged = GO_TEXT + "\n— PeterNeumann " + Base64.getEncoder().encodeToString(raw) + "\n";

        assertThatThrownBy(() -> SignedNote.open(forged, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NoteException.Reason.INVALID_SIGNATURE);
                    assertThat(e.line()).hasValue(4);
                })
                .hasMessage("line 4: signature from PeterNeumann+c74f20a3 does not verify");
    }

    @Test
    void open_knownKeySignatureOfWrongLength_isInvalid() throws NoteException {
        byte[] raw = Base64.getDecoder().decode(GO_SIG_LINE.substring("— PeterNeumann ".length()).trim());
        byte[] truncated = Arrays.copyOf(raw, 40);
        String forged = GO_TEXT + "\n— PeterNeumann " + Base64.getEncoder().encodeToString(truncated) + "\n";

        assertThatThrownBy(() -> SignedNote.open(forged, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.INVALID_SIGNATURE));
    }

    @Test
    void open_onlyUnknownKeys_failsNamingSignersAndKnownKeys() throws NoteException {
        NoteSigner stranger = NoteSigner.generate("stranger.example", RANDOM);
        String note = SignedNote.sign(GO_TEXT, List.of(stranger));

        assertThatThrownBy(() -> SignedNote.open(note, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.NO_VERIFIED_SIGNATURE))
                .hasMessage("no signature from a known key (signed by " + stranger.verifier().label()
                        + "; known keys: PeterNeumann+c74f20a3)");
    }

    @Test
    void open_noKnownKeys_fails() {
        assertThatThrownBy(() -> SignedNote.open(GO_NOTE, List.of()))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.NO_VERIFIED_SIGNATURE));
    }

    /** signed-note §Signatures: ignore unknown keys, even one sharing the name of a known key. */
    @Test
    void open_impostorWithKnownKeyName_isIgnoredWhenTheRealKeySigned() throws NoteException {
        NoteSigner impostor = NoteSigner.generate("PeterNeumann", RANDOM);
        NoteSigner witness = NoteSigner.generate("witness.example", RANDOM);
        String note = SignedNote.sign(GO_TEXT, List.of(impostor, NoteVectors.goSigner(), witness));

        SignedNote opened = SignedNote.open(note, List.of(NoteVectors.goVerifier()));

        assertThat(opened.text()).isEqualTo(GO_TEXT);
        assertThat(opened.signatures()).extracting(SignedNote.Signature::label).containsExactly("PeterNeumann+c74f20a3");
        assertThat(opened.unverifiedSignatures()).extracting(SignedNote.Signature::label)
                .containsExactly(impostor.verifier().label(), witness.verifier().label());
    }

    @Test
    void open_twoKnownKeys_verifiesBoth() throws NoteException {
        NoteSigner witness = NoteSigner.generate("witness.example", RANDOM);
        String note = SignedNote.sign(GO_TEXT, List.of(NoteVectors.goSigner(), witness));

        SignedNote opened = SignedNote.open(note, List.of(witness.verifier(), NoteVectors.goVerifier()));

        assertThat(opened.signatures()).hasSize(2);
        assertThat(note).startsWith(GO_NOTE);
    }

    /** signed-note §Format: verifiers MUST accept at least 16 signatures. */
    @Test
    void open_sixteenWitnessesAndTheLog_opens() throws NoteException {
        List<NoteSigner> signers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            signers.add(NoteSigner.generate("witness" + i + ".example", RANDOM));
        }
        signers.add(NoteVectors.goSigner());

        SignedNote opened = SignedNote.open(SignedNote.sign(GO_TEXT, signers), List.of(NoteVectors.goVerifier()));

        assertThat(opened.unverifiedSignatures()).hasSize(16);
    }

    @Test
    void open_moreThanTheSignatureLimit_isRejected() {
        String unknownLine = "— other.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
        String note = GO_NOTE + unknownLine.repeat(SignedNote.MAX_SIGNATURES);

        assertThatThrownBy(() -> SignedNote.open(note, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_NOTE))
                .hasMessageContaining("more than 100 signature lines");
    }

    @Test
    void open_largerThanTheSizeLimit_isRejected() throws NoteException {
        String note = SignedNote.sign("x".repeat(SignedNote.MAX_NOTE_BYTES - 200) + "\n", List.of(NoteVectors.goSigner()));
        String tooBig = "y".repeat(200) + note;

        assertThat(SignedNote.open(note, List.of(NoteVectors.goVerifier())).text()).endsWith("x\n");
        assertThatThrownBy(() -> SignedNote.open(tooBig, List.of(NoteVectors.goVerifier())))
                .hasMessageStartingWith("note is " + tooBig.getBytes(StandardCharsets.UTF_8).length + " bytes, more than the limit");
    }

    static Stream<Arguments> malformedNotes() {
        String sig = GO_SIG_LINE.substring("— PeterNeumann ".length(), GO_SIG_LINE.length() - 1);
        return Stream.of(
                malformed("no blank line before the signatures", GO_TEXT + GO_SIG_LINE, NoteException.Reason.MALFORMED_NOTE, 0),
                malformed("missing final newline", GO_NOTE.substring(0, GO_NOTE.length() - 1),
                        NoteException.Reason.MALFORMED_NOTE, 4),
                malformed("no signature lines", GO_TEXT + "\n", NoteException.Reason.MALFORMED_NOTE, 4),
                malformed("tab in the text", GO_NOTE.replace("If you", "If\tyou"), NoteException.Reason.MALFORMED_NOTE, 1),
                malformed("CRLF line ending", GO_NOTE.replace("problem,\n", "problem,\r\n"),
                        NoteException.Reason.MALFORMED_NOTE, 1),
                malformed("NUL in the signature block", GO_NOTE.replace("— Peter", "— \0Peter"),
                        NoteException.Reason.MALFORMED_NOTE, 4),
                malformed("hyphen instead of em dash", GO_NOTE.replace("— ", "- "),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("en dash instead of em dash", GO_NOTE.replace("— ", "\u2013 "),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("no space after the em dash", GO_NOTE.replace("— ", "—"),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("no signature after the name", GO_TEXT + "\n— PeterNeumann\n",
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("empty signature", GO_TEXT + "\n— PeterNeumann \n", NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("two spaces after the name", GO_NOTE.replace("PeterNeumann ", "PeterNeumann  "),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("trailing space", GO_NOTE.replace("=\n", "= \n"), NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("plus in the key name", GO_NOTE.replace("PeterNeumann", "Peter+Neumann"),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("no-break space in the key name", GO_NOTE.replace("PeterNeumann", "Peter\u00a0Neumann"),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("signature without padding", GO_NOTE.replace("=\n", "\n"),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("signature with non-zero padding bits", GO_NOTE.replace("AM=\n", "AN=\n"),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("URL-safe base64", GO_NOTE.replace(sig, sig.replace('/', '_')),
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("signature of only a key ID", GO_TEXT + "\n— PeterNeumann x08gow==\n",
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 4),
                malformed("blank line after the signatures", GO_NOTE + "\n", NoteException.Reason.MALFORMED_NOTE, 6),
                malformed("second signature line malformed", GO_NOTE + "— other.example\n",
                        NoteException.Reason.MALFORMED_SIGNATURE_LINE, 5));
    }

    @ParameterizedTest
    @MethodSource("malformedNotes")
    void open_malformedNote_isRejectedWithReasonAndLine(String note, NoteException.Reason reason, int line) {
        assertThatThrownBy(() -> SignedNote.open(note, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    if (line > 0) {
                        assertThat(e.line()).hasValue(line);
                        assertThat(e.getMessage()).startsWith("line " + line + ": ");
                    } else {
                        assertThat(e.line()).isEmpty();
                    }
                });
    }

    @Test
    void open_malformedSignatureLine_saysWhatIsWrong() {
        assertThatThrownBy(() -> SignedNote.open(GO_NOTE.replace("— ", "- "), List.of(NoteVectors.goVerifier())))
                .hasMessage("line 4: malformed signature line: does not start with an em dash (U+2014) and a space");
    }

    static Stream<Arguments> badlyEncodedNotes() {
        byte[] note = NoteVectors.bytes("peterneumann.note");
        return Stream.of(
                Arguments.of(Named.of("0xFF byte", with(note, 3, 0xFF)), "line 1: invalid UTF-8 at byte 3"),
                Arguments.of(Named.of("overlong slash C0 AF", with(note, 60, 0xC0, 0xAF)), "line 2: invalid UTF-8 at byte 60"),
                Arguments.of(Named.of("encoded surrogate ED A0 80", with(note, 60, 0xED, 0xA0, 0x80)),
                        "line 2: invalid UTF-8 at byte 60"),
                Arguments.of(Named.of("final newline replaced by a lead byte", with(note, note.length - 1, 0xE2)),
                        "line 4: invalid UTF-8 at byte " + (note.length - 1)),
                Arguments.of(Named.of("ESC control character", with(note, 0, 0x1B)),
                        "line 1: control character U+001B at byte 0; only newline is allowed"));
    }

    @ParameterizedTest
    @MethodSource("badlyEncodedNotes")
    void open_badlyEncodedBytes_areRejected(byte[] note, String message) {
        assertThatThrownBy(() -> SignedNote.open(note, List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_NOTE))
                .hasMessage(message);
    }

    @Test
    void open_stringWithUnpairedSurrogate_isRejected() {
        assertThatThrownBy(() -> SignedNote.open(GO_NOTE.replace("cryptography", "crypto\ud800graphy"),
                List.of(NoteVectors.goVerifier())))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_NOTE))
                .hasMessageContaining("unpaired surrogate");
    }

    /** signed-note §Format: the text may hold empty lines; the last empty line separates. */
    @Test
    void signThenOpen_textWithEmptyLines_splitsAtTheLastBlankLine() throws NoteException {
        for (String text : List.of("\n", "\n\n", "a\n\nb\n", "a\n\n", "a\n\n\n", "— a AAAA\n\n— b BBBB\n")) {
            String note = SignedNote.sign(text, List.of(NoteVectors.goSigner()));

            assertThat(SignedNote.open(note, List.of(NoteVectors.goVerifier())).text()).isEqualTo(text);
        }
    }

    @Test
    void sign_textWithoutFinalNewline_isRejected() throws NoteException {
        NoteSigner signer = NoteVectors.goSigner();

        assertThatThrownBy(() -> SignedNote.sign("no newline", List.of(signer)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("note text must end with a newline");
        assertThatThrownBy(() -> SignedNote.sign("", List.of(signer)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sign_controlCharacter_isRejected() throws NoteException {
        NoteSigner signer = NoteVectors.goSigner();

        assertThatThrownBy(() -> SignedNote.sign("a\r\n", List.of(signer)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("note text: line 1: control character U+000D at char 1; only newline is allowed");
    }

    @Test
    void sign_noSignerOrSameKeyTwice_isRejected() throws NoteException {
        NoteSigner signer = NoteVectors.goSigner();

        assertThatThrownBy(() -> SignedNote.sign(GO_TEXT, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.sign(GO_TEXT, List.of(signer, NoteVectors.goSigner())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key PeterNeumann+c74f20a3 is given twice");
    }

    /** One signer shared by many threads gives the same notes as one thread. */
    @Test
    void sign_fromManyThreads_matchesSequentialSigning() throws Exception {
        NoteSigner signer = NoteSigner.generate("log.example", RANDOM);
        List<String> texts = IntStream.range(0, 400).mapToObj(i -> "log.example\n" + i + "\n").toList();
        List<String> expected = texts.stream().map(t -> SignedNote.sign(t, List.of(signer))).toList();

        List<Future<String>> futures;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            futures = pool.invokeAll(texts.stream()
                    .map(t -> (Callable<String>) () -> SignedNote.sign(t, List.of(signer)))
                    .toList());
        }
        List<String> actual = new ArrayList<>();
        for (Future<String> future : futures) {
            actual.add(future.get());
        }
        assertThat(actual).isEqualTo(expected);
    }

    static Stream<GeneratedCases.Case<String>> noteTexts() {
        return GeneratedCases.of(5, TEXT_TRIES, noteTextEdgeCases(), SignedNoteTest::noteText, GeneratedCases::quote);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noteTexts")
    void signThenOpen_anyValidText_returnsTheText(GeneratedCases.Case<String> generated) throws NoteException {
        NoteSigner signer = NoteVectors.goSigner();

        generated.check(text -> {
            SignedNote opened = SignedNote.open(SignedNote.sign(text, List.of(signer)), List.of(signer.verifier()));

            assertThat(opened.text()).isEqualTo(text);
        });
    }

    /**
     * 1 to 8 lines of 0 to 30 code points (mostly at most 14), each ending in a newline. A code
     * point is printable ASCII 10 times in 13, one of {@link #SPECIAL_CODE_POINTS} 2 times, and
     * one from U+0080..U+D7FF once.
     */
    private static String noteText(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        for (int lines = GeneratedCases.size(random, 1, 8, TEXT_TRIES); lines > 0; lines--) {
            for (int i = GeneratedCases.size(random, 0, 30, TEXT_TRIES); i > 0; i--) {
                int pick = random.nextInt(13);
                int codePoint;
                if (pick < 10) {
                    codePoint = (int) GeneratedCases.integral(random, 0x20, 0x7E);
                } else if (pick < 12) {
                    codePoint = SPECIAL_CODE_POINTS[random.nextInt(SPECIAL_CODE_POINTS.length)];
                } else {
                    codePoint = (int) GeneratedCases.integral(random, 0x80, 0xD7FF);
                }
                text.appendCodePoint(codePoint);
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * One and eight empty lines, a line of each bound and special code point, and eight lines
     * of 30 of the longest (4-byte) code point.
     */
    private static List<String> noteTextEdgeCases() {
        List<String> edgeCases = new ArrayList<>(List.of("\n", "\n".repeat(8)));
        IntStream.concat(IntStream.of(0x20, 0x21, 0x7E, 0x80, 0x81, 0xD7FF), Arrays.stream(SPECIAL_CODE_POINTS))
                .forEach(codePoint -> edgeCases.add(Character.toString(codePoint) + "\n"));
        edgeCases.add((Character.toString(0x10FFFF).repeat(30) + "\n").repeat(8));
        return edgeCases;
    }

    private static Arguments malformed(String what, String note, NoteException.Reason reason, int line) {
        return Arguments.of(Named.of(what, note), reason, line);
    }

    private static byte[] with(byte[] note, int at, int... values) {
        byte[] changed = note.clone();
        for (int i = 0; i < values.length; i++) {
            changed[at + i] = (byte) values[i];
        }
        return changed;
    }
}
