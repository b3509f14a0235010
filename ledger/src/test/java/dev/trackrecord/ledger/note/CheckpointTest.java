package dev.trackrecord.ledger.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {

    private static final String ORIGIN = "log.example/trackrecord";
    private static final NoteSigner LOG_KEY = NoteSigner.generate(ORIGIN, new SecureRandom());
    private static final byte[] ROOT = sha256("root");
    private static final String ROOT_B64 = Base64.getEncoder().encodeToString(ROOT);
    private static final int PARSE_TRIES = 300;

    /** Printable ASCII and three characters outside it, all equally likely in generated lines. */
    private static final String LINE_CHARACTERS = asciiPrintable() + "—é日";

    @Test
    void text_isOriginSizeAndRootEachOnALine() {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 42, ROOT);

        assertThat(checkpoint.text()).isEqualTo(ORIGIN + "\n42\n" + ROOT_B64 + "\n");
    }

    @Test
    void text_withExtensionLines_appendsThemInOrder() {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 42, ROOT, List.of("ext one", "ext two"));

        assertThat(checkpoint.text()).isEqualTo(ORIGIN + "\n42\n" + ROOT_B64 + "\next one\next two\n");
    }

    @Test
    void sign_producesTheDesignMdLayout() throws NoteException {
        String note = new Checkpoint(ORIGIN, 42, ROOT).sign(LOG_KEY);

        String sigLine = note.substring(note.lastIndexOf("\n\n") + 2);
        assertThat(note).startsWith(ORIGIN + "\n42\n" + ROOT_B64 + "\n\n— " + ORIGIN + " ");
        assertThat(sigLine).endsWith("\n").hasLineCount(1);
        byte[] signature = Base64.getDecoder().decode(sigLine.substring(sigLine.lastIndexOf(' ') + 1).trim());
        assertThat(signature).hasSize(4 + 64);
        assertThat(((signature[0] & 0xFF) << 24) | ((signature[1] & 0xFF) << 16) | ((signature[2] & 0xFF) << 8)
                | (signature[3] & 0xFF)).isEqualTo(LOG_KEY.keyId());
    }

    /** The tlog-checkpoint example from the spec's introduction. */
    @Test
    void parse_c2spExample_parses() throws NoteException {
        Checkpoint checkpoint = Checkpoint.parse(
                "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

        assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(checkpoint.treeSize()).isEqualTo(20852163L);
        assertThat(Base64.getEncoder().encodeToString(checkpoint.rootHash()))
                .isEqualTo("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
        assertThat(checkpoint.extensionLines()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 255, 256, 4294967296L, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void signThenOpen_treeSize_roundTrips(long treeSize) throws NoteException {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, treeSize, ROOT);

        Checkpoint opened = Checkpoint.open(checkpoint.sign(LOG_KEY), LOG_KEY.verifier());

        assertThat(opened).isEqualTo(checkpoint);
        assertThat(opened.treeSize()).isEqualTo(treeSize);
    }

    @Test
    void signThenOpen_emptyTree_roundTrips() throws NoteException {
        Checkpoint empty = new Checkpoint(ORIGIN, 0, sha256(""));

        assertThat(empty.text()).isEqualTo(ORIGIN + "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assertThat(Checkpoint.open(empty.sign(LOG_KEY).getBytes(StandardCharsets.UTF_8), LOG_KEY.verifier()))
                .isEqualTo(empty);
    }

    @Test
    void signThenOpen_withExtensionLines_roundTrips() throws NoteException {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 7, ROOT, List.of("one", "two 2"));

        assertThat(Checkpoint.open(checkpoint.sign(LOG_KEY), LOG_KEY.verifier())).isEqualTo(checkpoint);
    }

    @Test
    void open_goVerifierKeyOnANonCheckpoint_failsAsMalformedCheckpoint() throws NoteException {
        String note = NoteVectors.text("peterneumann.note");

        assertThatThrownBy(() -> Checkpoint.open(note, NoteVectors.goVerifier()))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_CHECKPOINT))
                .hasMessage("checkpoint has 2 line(s); it needs an origin, a tree size and a root hash");
    }

    /** DESIGN.md: the key name is the origin; a log's key cannot vouch for another log. */
    @Test
    void sign_keyNameDiffersFromOrigin_isRefused() {
        Checkpoint other = new Checkpoint("other.example/log", 3, ROOT);

        assertThatThrownBy(() -> other.sign(LOG_KEY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key " + ORIGIN + " may not sign a checkpoint of origin other.example/log;"
                        + " the key name must be the origin");
    }

    @Test
    void open_keyNameDiffersFromOrigin_isRefused() {
        Checkpoint other = new Checkpoint("other.example/log", 3, ROOT);
        String note = SignedNote.sign(other.text(), List.of(LOG_KEY));

        assertThatThrownBy(() -> Checkpoint.open(note, LOG_KEY.verifier()))
                .isInstanceOfSatisfying(NoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NoteException.Reason.ORIGIN_MISMATCH);
                    assertThat(e.line()).hasValue(1);
                })
                .hasMessage("line 1: checkpoint origin \"other.example/log\" is not the name of key "
                        + LOG_KEY.verifier().label());
    }

    @Test
    void open_impostorKeyNamedAsTheOrigin_isRefused() {
        NoteSigner impostor = NoteSigner.generate(ORIGIN, new SecureRandom());
        String note = new Checkpoint(ORIGIN, 3, ROOT).sign(impostor);

        assertThatThrownBy(() -> Checkpoint.open(note, LOG_KEY.verifier()))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.NO_VERIFIED_SIGNATURE));
    }

    @Test
    void open_witnessCosignature_isIgnored() throws NoteException {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 3, ROOT);
        NoteSigner witness = NoteSigner.generate("witness.example", new SecureRandom());
        String note = SignedNote.sign(checkpoint.text(), List.of(LOG_KEY, witness));

        assertThat(Checkpoint.open(note, LOG_KEY.verifier())).isEqualTo(checkpoint);
    }

    @Test
    void open_flippedBitAnywhere_fails() {
        byte[] note = new Checkpoint(ORIGIN, 1234567, ROOT).sign(LOG_KEY).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < note.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] changed = note.clone();
                changed[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> Checkpoint.open(changed, LOG_KEY.verifier()))
                        .as("bit %d of byte %d", bit, i)
                        .isInstanceOf(NoteException.class);
            }
        }
    }

    static Stream<Arguments> malformedCheckpoints() {
        String origin = ORIGIN + "\n";
        String root = ROOT_B64 + "\n";
        return Stream.of(
                bad("leading zero", origin + "01\n" + root, 2),
                bad("zero with leading zero", origin + "00\n" + root, 2),
                bad("negative size", origin + "-1\n" + root, 2),
                bad("plus sign", origin + "+1\n" + root, 2),
                bad("empty size", origin + "\n" + root, 2),
                bad("space before size", origin + " 1\n" + root, 2),
                bad("space after size", origin + "1 \n" + root, 2),
                bad("hex size", origin + "0x10\n" + root, 2),
                bad("non-ASCII digits", origin + "\u0661\u0662\n" + root, 2),
                bad("size 2^63", origin + "9223372036854775808\n" + root, 2),
                bad("size 2^64", origin + "18446744073709551616\n" + root, 2),
                bad("empty origin", "\n1\n" + root, 1),
                bad("root of 31 bytes", origin + "1\n" + b64(new byte[31]) + "\n", 3),
                bad("root of 33 bytes", origin + "1\n" + b64(new byte[33]) + "\n", 3),
                bad("root without padding", origin + "1\n" + ROOT_B64.replace("=", "") + "\n", 3),
                bad("root in hex", origin + "1\n" + "00".repeat(32) + "\n", 3),
                bad("root with trailing garbage", origin + "1\n" + ROOT_B64 + "x\n", 3),
                bad("root followed by a space", origin + "1\n" + ROOT_B64 + " \n", 3),
                bad("empty root", origin + "1\n\n", 3),
                bad("trailing blank line", origin + "1\n" + root + "\n", 4),
                bad("empty extension line between two", origin + "1\n" + root + "a\n\nb\n", 5),
                bad("no final newline", origin + "1\n" + ROOT_B64, 0),
                bad("trailing garbage without newline", origin + "1\n" + root + "garbage", 0),
                bad("only two lines", origin + "1\n", 0),
                bad("empty text", "", 0),
                bad("carriage return", origin + "1\r\n" + root, 2),
                bad("tab in origin", "log\t.example\n1\n" + root, 1));
    }

    @ParameterizedTest
    @MethodSource("malformedCheckpoints")
    void parse_malformed_isRejectedWithTheLine(String text, int line) {
        assertThatThrownBy(() -> Checkpoint.parse(text))
                .isInstanceOfSatisfying(NoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_CHECKPOINT);
                    if (line > 0) {
                        assertThat(e.line()).hasValue(line);
                    } else {
                        assertThat(e.line()).isEmpty();
                    }
                });
    }

    @Test
    void parse_sizeAboveLongRange_saysSo() {
        assertThatThrownBy(() -> Checkpoint.parse(ORIGIN + "\n9223372036854775808\n" + ROOT_B64 + "\n"))
                .hasMessage("line 2: tree size 9223372036854775808 is larger than 2^63-1");
    }

    @Test
    void parse_wrongRootLength_saysSo() {
        assertThatThrownBy(() -> Checkpoint.parse(ORIGIN + "\n1\n" + b64(new byte[31]) + "\n"))
                .hasMessage("line 3: root hash is 31 bytes, not 32");
    }

    @Test
    void parse_originWithSpacesAndPlus_isAcceptedAsTheSpecRequires() throws NoteException {
        // tlog-checkpoint §Note text: clients MUST NOT assume the origin follows the URL advice.
        assertThat(Checkpoint.parse("a log + more\n1\n" + ROOT_B64 + "\n").origin()).isEqualTo("a log + more");
    }

    @Test
    void constructor_invalidFields_areRejected() {
        assertThatThrownBy(() -> new Checkpoint("", 1, ROOT)).hasMessage("origin is empty");
        assertThatThrownBy(() -> new Checkpoint("a\nb", 1, ROOT)).hasMessage("origin contains a newline");
        assertThatThrownBy(() -> new Checkpoint(ORIGIN, -1, ROOT)).hasMessage("tree size -1 is negative");
        assertThatThrownBy(() -> new Checkpoint(ORIGIN, 1, new byte[31])).hasMessage("root hash is 31 bytes, not 32");
        assertThatThrownBy(() -> new Checkpoint(ORIGIN, 1, ROOT, List.of(""))).hasMessage("extension line is empty");
        assertThatThrownBy(() -> new Checkpoint(ORIGIN, 1, ROOT, List.of("a\u0007")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rootHash_isCopiedInAndOut() {
        byte[] root = ROOT.clone();
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 1, root);

        root[0] ^= 1;
        checkpoint.rootHash()[1] ^= 1;

        assertThat(checkpoint.rootHash()).isEqualTo(ROOT);
    }

    @Test
    void equals_comparesRootHashByContent() {
        Checkpoint a = new Checkpoint(ORIGIN, 1, ROOT.clone());
        Checkpoint b = new Checkpoint(ORIGIN, 1, ROOT.clone());

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Checkpoint(ORIGIN, 1, sha256("other")));
        assertThat(a.toString()).contains(ROOT_B64);
    }

    static Stream<GeneratedCases.Case<Checkpoint>> checkpoints() {
        return GeneratedCases.of(4, PARSE_TRIES, checkpointEdgeCases(), CheckpointTest::checkpoint,
                checkpoint -> GeneratedCases.quote(checkpoint.text()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void parse_ofText_returnsTheCheckpoint(GeneratedCases.Case<Checkpoint> generated) {
        generated.check(checkpoint -> assertThat(Checkpoint.parse(checkpoint.text())).isEqualTo(checkpoint));
    }

    /**
     * An origin and up to 3 extension lines of 1 to 40 of {@link #LINE_CHARACTERS}, a tree size
     * that is half the time 0, 1 or 2^63-1, and a root of 32 drawn bytes.
     */
    private static Checkpoint checkpoint(SplittableRandom random) {
        String origin = line(random);
        long treeSize = random.nextBoolean()
                ? GeneratedCases.integral(random, 0, Long.MAX_VALUE)
                : List.of(0L, 1L, Long.MAX_VALUE).get(random.nextInt(3));
        byte[] root = GeneratedCases.bytes(random, Checkpoint.HASH_SIZE, Checkpoint.HASH_SIZE, PARSE_TRIES);
        List<String> extensionLines = new ArrayList<>();
        for (int i = GeneratedCases.size(random, 0, 3, PARSE_TRIES); i > 0; i--) {
            extensionLines.add(line(random));
        }
        return new Checkpoint(origin, treeSize, root, extensionLines);
    }

    private static String line(SplittableRandom random) {
        StringBuilder line = new StringBuilder();
        for (int i = GeneratedCases.size(random, 1, 40, PARSE_TRIES); i > 0; i--) {
            line.append(LINE_CHARACTERS.charAt(random.nextInt(LINE_CHARACTERS.length())));
        }
        return line.toString();
    }

    /**
     * Origins of a single character (each end of printable ASCII and each character outside it)
     * and of 40 characters, each with the sizes 0, 1, 2^63-2 and 2^63-1; then three extension
     * lines, once of the shortest length and once of the longest.
     */
    private static List<Checkpoint> checkpointEdgeCases() {
        List<String> origins = List.of(" ", "~", "—", "é", "日", "~".repeat(40), "日".repeat(40));
        List<Checkpoint> edgeCases = new ArrayList<>();
        for (String origin : origins) {
            for (long treeSize : new long[] {0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
                edgeCases.add(new Checkpoint(origin, treeSize, GeneratedCases.filled(Checkpoint.HASH_SIZE, 0)));
            }
        }
        byte[] allOnes = GeneratedCases.filled(Checkpoint.HASH_SIZE, -1);
        edgeCases.add(new Checkpoint(" ", 0, allOnes, List.of(" ", "~", "—")));
        edgeCases.add(new Checkpoint(ORIGIN, Long.MAX_VALUE, ROOT,
                List.of(" ".repeat(40), "é".repeat(40), "日".repeat(40))));
        return edgeCases;
    }

    private static String asciiPrintable() {
        StringBuilder chars = new StringBuilder();
        for (char c = ' '; c <= '~'; c++) {
            chars.append(c);
        }
        return chars.toString();
    }

    private static Arguments bad(String what, String text, int line) {
        return Arguments.of(Named.of(what, text), line);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
