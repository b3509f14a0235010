package dev.trackrecord.ledger.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NoteKeysTest {

    private static final String GO_VKEY = NoteVectors.text("peterneumann.vkey");
    private static final String GO_SKEY = NoteVectors.text("peterneumann.skey");
    private static final String GO_KEY_BASE64 = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private static final int SIGN_TRIES = 200;

    @Test
    void parse_goVerifierKey_hasNameKeyIdAndKey() throws NoteException {
        NoteVerifier verifier = NoteVerifier.parse(GO_VKEY);

        assertThat(verifier.name()).isEqualTo("PeterNeumann");
        assertThat(verifier.keyId()).isEqualTo(0xc74f20a3);
        assertThat(verifier.publicKey())
                .isEqualTo(Arrays.copyOfRange(Base64.getDecoder().decode(GO_KEY_BASE64), 1, 33));
        assertThat(verifier.text()).isEqualTo(GO_VKEY);
    }

    @Test
    void keyId_goKey_isSha256OfNameNewlineAlgorithmAndKey() throws NoteException {
        byte[] key = NoteVectors.goVerifier().publicKey();

        assertThat(NoteSyntax.hex(NoteVerifier.keyId("PeterNeumann", key))).isEqualTo("c74f20a3");
    }

    @Test
    void keyId_c2spExampleKey_is530d903a() throws NoteException {
        NoteVerifier verifier = NoteVerifier.parse(NoteVectors.text("c2sp-example.vkey"));

        assertThat(NoteSyntax.hex(NoteVerifier.keyId(verifier.name(), verifier.publicKey()))).isEqualTo("530d903a");
    }

    @Test
    void parse_goSignerKey_derivesGoVerifierKey() throws NoteException {
        NoteSigner signer = NoteSigner.parse(GO_SKEY);

        assertThat(signer.name()).isEqualTo("PeterNeumann");
        assertThat(signer.keyId()).isEqualTo(0xc74f20a3);
        assertThat(signer.verifier()).isEqualTo(NoteVerifier.parse(GO_VKEY));
        assertThat(signer.privateKeyText()).isEqualTo(GO_SKEY);
    }

    @Test
    void generate_textForms_roundTrip() throws NoteException {
        NoteSigner signer = NoteSigner.generate("log.example/ledger", new SecureRandom());

        NoteSigner reparsed = NoteSigner.parse(signer.privateKeyText());

        assertThat(reparsed.privateKey()).isEqualTo(signer.privateKey());
        assertThat(NoteVerifier.parse(signer.verifier().text())).isEqualTo(signer.verifier());
        assertThat(signer.verifier().text()).startsWith("log.example/ledger+" + NoteSyntax.hex(signer.keyId()) + "+");
    }

    @Test
    void fromPrivateKey_restoresTheSameKey() {
        NoteSigner signer = NoteSigner.generate("log.example/ledger", new SecureRandom());

        NoteSigner restored = NoteSigner.fromPrivateKey("log.example/ledger", signer.privateKey());

        assertThat(restored.verifier()).isEqualTo(signer.verifier());
        assertThat(restored.privateKeyText()).isEqualTo(signer.privateKeyText());
    }

    @Test
    void generate_sameKeyUnderOtherName_hasOtherKeyId() {
        NoteSigner signer = NoteSigner.generate("a.example", new SecureRandom());

        NoteSigner renamed = NoteSigner.fromPrivateKey("b.example", signer.privateKey());

        assertThat(renamed.keyId()).isNotEqualTo(signer.keyId());
    }

    @Test
    void toString_neverShowsThePrivateKey() throws NoteException {
        NoteSigner signer = NoteVectors.goSigner();

        assertThat(signer.toString())
                .isEqualTo("NoteSigner[PeterNeumann+c74f20a3]")
                .doesNotContain(GO_SKEY.substring(GO_SKEY.lastIndexOf('+') + 1));
    }

    @Test
    void fromPrivateKey_wrongLength_isRejected() {
        assertThatThrownBy(() -> NoteSigner.fromPrivateKey("a.example", new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 private key is 31 bytes, not 32");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a+b", "a b", "a\u00a0b", "a\u2028b", "a\u3000b", "a\tb", "a\nb", "a\u0085b",
        "a\u0001b", "a\ud800b"})
    void generate_invalidKeyName_isRejected(String name) {
        assertThatThrownBy(() -> NoteSigner.generate(name, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PeterNeumann", "example.com/log42", "ünïcödé.example/日本", "a=b,c;d@e"})
    void generate_validKeyName_isAccepted(String name) {
        assertThat(NoteSigner.generate(name, new SecureRandom()).name()).isEqualTo(name);
    }

    static Stream<Arguments> malformedVerifierKeys() {
        byte[] key = Base64.getDecoder().decode(GO_KEY_BASE64);
        byte[] otherAlgorithm = key.clone();
        otherAlgorithm[0] = 0x02;
        byte[] shortKey = Arrays.copyOf(key, 32);
        byte[] longKey = Arrays.copyOf(key, 34);
        String b64 = Base64.getEncoder().encodeToString(key);
        return Stream.of(
                bad("wrong key id", "PeterNeumann+c74f20a4+" + b64, NoteException.Reason.KEY_ID_MISMATCH),
                bad("other name, same key id", "PaulNeumann+c74f20a3+" + b64, NoteException.Reason.KEY_ID_MISMATCH),
                bad("algorithm byte 0x02", "PeterNeumann+c74f20a3+" + base64(otherAlgorithm),
                        NoteException.Reason.UNSUPPORTED_KEY_ALGORITHM),
                bad("bad base64 character", "PeterNeumann+c74f20a3+ARpc2QcU!DhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                        NoteException.Reason.MALFORMED_KEY),
                bad("base64 with extra padding", "PeterNeumann+c74f20a3+" + b64 + "=", NoteException.Reason.MALFORMED_KEY),
                bad("base64 with a line break", "PeterNeumann+c74f20a3+" + b64.substring(0, 20) + "\n"
                        + b64.substring(20), NoteException.Reason.MALFORMED_KEY),
                bad("key 31 bytes", "PeterNeumann+c74f20a3+" + base64(shortKey), NoteException.Reason.MALFORMED_KEY),
                bad("key 33 bytes", "PeterNeumann+c74f20a3+" + base64(longKey), NoteException.Reason.MALFORMED_KEY),
                bad("empty key", "PeterNeumann+c74f20a3+", NoteException.Reason.MALFORMED_KEY),
                bad("uppercase key id", "PeterNeumann+C74F20A3+" + b64, NoteException.Reason.MALFORMED_KEY),
                bad("7-digit key id", "PeterNeumann+c74f20a+" + b64, NoteException.Reason.MALFORMED_KEY),
                bad("name only", "PeterNeumann", NoteException.Reason.MALFORMED_KEY),
                bad("empty name", "+c74f20a3+" + b64, NoteException.Reason.MALFORMED_KEY),
                bad("name with a space", "Peter Neumann+c74f20a3+" + b64, NoteException.Reason.MALFORMED_KEY),
                bad("signer key given", GO_SKEY, NoteException.Reason.MALFORMED_KEY));
    }

    @ParameterizedTest
    @MethodSource("malformedVerifierKeys")
    void parseVerifierKey_malformed_isRejected(String text, NoteException.Reason reason) {
        assertThatThrownBy(() -> NoteVerifier.parse(text))
                .isInstanceOfSatisfying(NoteException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void parseVerifierKey_wrongKeyId_saysWhichIdsDiffer() {
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a4+" + GO_KEY_BASE64))
                .hasMessage("key PeterNeumann states key ID c74f20a4 but its name and public key give c74f20a3");
    }

    @Test
    void parseVerifierKey_pointNotOnCurve_isRejected() throws NoteException {
        // y = 2 does not give a point on edwards25519 (RFC 8032 §5.1.3 decoding fails).
        byte[] material = new byte[33];
        material[0] = 0x01;
        material[1] = 0x02;
        byte[] key = Arrays.copyOfRange(material, 1, 33);
        String text = "bad.example+" + NoteSyntax.hex(NoteVerifier.keyId("bad.example", key)) + "+" + base64(material);

        assertThatThrownBy(() -> NoteVerifier.parse(text))
                .isInstanceOfSatisfying(NoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteException.Reason.MALFORMED_KEY));
    }

    static Stream<Arguments> malformedSignerKeys() {
        String seed = GO_SKEY.substring("PRIVATE+KEY+PeterNeumann+c74f20a3+".length());
        byte[] otherAlgorithm = Base64.getDecoder().decode(seed);
        otherAlgorithm[0] = 0x04;
        return Stream.of(
                bad("verifier key given", GO_VKEY, NoteException.Reason.MALFORMED_KEY),
                bad("lowercase prefix", "private+key+PeterNeumann+c74f20a3+" + seed, NoteException.Reason.MALFORMED_KEY),
                bad("wrong key id", "PRIVATE+KEY+PeterNeumann+c74f20a4+" + seed, NoteException.Reason.KEY_ID_MISMATCH),
                bad("other name", "PRIVATE+KEY+PaulNeumann+c74f20a3+" + seed, NoteException.Reason.KEY_ID_MISMATCH),
                bad("algorithm byte 0x04", "PRIVATE+KEY+PeterNeumann+c74f20a3+" + base64(otherAlgorithm),
                        NoteException.Reason.UNSUPPORTED_KEY_ALGORITHM),
                bad("bad base64", "PRIVATE+KEY+PeterNeumann+c74f20a3+" + seed.substring(1),
                        NoteException.Reason.MALFORMED_KEY));
    }

    @ParameterizedTest
    @MethodSource("malformedSignerKeys")
    void parseSignerKey_malformed_isRejected(String text, NoteException.Reason reason) {
        assertThatThrownBy(() -> NoteSigner.parse(text))
                .isInstanceOfSatisfying(NoteException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    static Stream<GeneratedCases.Case<KeyAndMessage>> keysAndMessages() {
        return GeneratedCases.of(3, SIGN_TRIES, keyAndMessageEdgeCases(), NoteKeysTest::keyAndMessage,
                KeyAndMessage::toString);
    }

    /** Bouncy Castle's Ed25519 against the JDK's, the reference: RFC 8032 signing is deterministic. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keysAndMessages")
    void sign_agreesWithJdkEd25519(GeneratedCases.Case<KeyAndMessage> generated) {
        generated.check(input -> {
            byte[] privateKey = input.privateKey();
            byte[] message = input.message();
            NoteSigner signer = NoteSigner.fromPrivateKey("ref.example", privateKey);

            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(jdkPrivateKey(privateKey));
            jdk.update(message);
            byte[] expected = jdk.sign();

            assertThat(signer.sign(message)).isEqualTo(expected);
            jdk.initVerify(jdkPublicKey(signer.verifier().publicKey()));
            jdk.update(message);
            assertThat(jdk.verify(signer.sign(message))).isTrue();
            assertThat(signer.verifier().verify(message, expected)).isTrue();
        });
    }

    private static PrivateKey jdkPrivateKey(byte[] privateKey) throws Exception {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, privateKey));
    }

    /** SubjectPublicKeyInfo for Ed25519 (RFC 8410 §4): a fixed 12-byte prefix and the raw key. */
    private static PublicKey jdkPublicKey(byte[] publicKey) throws Exception {
        byte[] prefix = HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] spki = Arrays.copyOf(prefix, prefix.length + publicKey.length);
        System.arraycopy(publicKey, 0, spki, prefix.length, publicKey.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /** A private key of 32 drawn bytes and a message of 0 to 300, mostly at most 14. */
    private static KeyAndMessage keyAndMessage(SplittableRandom random) {
        byte[] privateKey = GeneratedCases.bytes(random, 32, 32, SIGN_TRIES);
        return new KeyAndMessage(privateKey, GeneratedCases.bytes(random, 0, 300, SIGN_TRIES));
    }

    /** Keys of one repeated edge byte, each with an empty, a one-byte and a longest message. */
    private static List<KeyAndMessage> keyAndMessageEdgeCases() {
        int[] edgeBytes = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};
        List<byte[]> messages = new ArrayList<>();
        messages.add(new byte[0]);
        for (int value : edgeBytes) {
            messages.add(new byte[] {(byte) value});
        }
        messages.add(GeneratedCases.filled(300, 0));
        messages.add(GeneratedCases.filled(300, -1));
        List<KeyAndMessage> edgeCases = new ArrayList<>();
        for (int value : edgeBytes) {
            for (byte[] message : messages) {
                edgeCases.add(new KeyAndMessage(GeneratedCases.filled(32, value), message));
            }
        }
        return edgeCases;
    }

    /** An Ed25519 private key (the 32-byte seed of RFC 8032 §5.1.5) and a message to sign. */
    private record KeyAndMessage(byte[] privateKey, byte[] message) {

        KeyAndMessage {
            privateKey = privateKey.clone();
            message = message.clone();
        }

        @Override
        public byte[] privateKey() {
            return privateKey.clone();
        }

        @Override
        public byte[] message() {
            return message.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof KeyAndMessage that && Arrays.equals(privateKey, that.privateKey)
                    && Arrays.equals(message, that.message);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(privateKey) + Arrays.hashCode(message);
        }

        @Override
        public String toString() {
            return "private key " + HexFormat.of().formatHex(privateKey)
                    + ", message of " + GeneratedCases.hex(message);
        }
    }

    private static Arguments bad(String what, String text, NoteException.Reason reason) {
        return Arguments.of(Named.of(what, text), reason);
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
