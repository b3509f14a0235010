package dev.trackrecord.api;

import static dev.trackrecord.api.AuthorizationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.auth.TokenException;
import dev.trackrecord.api.auth.TokenVerifier;
import dev.trackrecord.api.http.Api;
import com.nimbusds.jose.jwk.JWKSet;
import io.helidon.http.Method;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Forged and doctored bearer tokens, every kind against every route of the route table: each is
 * a 401 problem, never a 2xx or a 5xx, and changes nothing. The same request with a genuine token
 * of an allowed role is accepted (not 401), so the refusal is the token's doing. A valid token of
 * contractor c-1 never reads c-2's record.
 */
@Tag("torture")
class ForgedTokenTest {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private static TestServer server;
    private static long otherSeq;
    private static long ownSeq;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ownSeq = server.append(TestServer.audit("c-1", "ft-own", 9000));
        otherSeq = server.append(TestServer.audit("c-2", "ft-other", 4000));
        assertThat(server.post("/v1/checkpoints", server.token(Role.ADMIN), new byte[0]).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Every kind of forged token, each for the given role (and contractor c-1 for the contractor role). */
    private static Map<String, String> forgeries(Role role) throws Exception {
        ECKey key = server.issuerKey;
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate();
        Map<String, String> t = new LinkedHashMap<>();
        t.put("expired", sign(key, claims(role, c -> c.expirationTime(ago(120)).issueTime(ago(600)).notBeforeTime(ago(600)))));
        t.put("not yet valid", sign(key, claims(role, c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(600))))));
        t.put("issued in the future", sign(key, claims(role, c -> c.issueTime(Date.from(Instant.now().plusSeconds(600)))
                .notBeforeTime(Date.from(Instant.now().plusSeconds(600))))));
        t.put("wrong issuer", sign(key, claims(role, c -> c.issuer("trackrecord:elsewhere"))));
        t.put("no issuer", sign(key, claims(role, c -> c.issuer(null))));
        t.put("wrong audience", sign(key, claims(role, c -> c.audience("some-other-service"))));
        t.put("no audience", sign(key, claims(role, c -> c.audience((String) null))));
        t.put("no exp", sign(key, claims(role, c -> c.expirationTime(null))));
        t.put("no sub", sign(key, claims(role, c -> c.subject(null))));
        t.put("roles as a string", sign(key, claims(role, c -> c.claim("roles", role.claim()))));
        t.put("unknown role", sign(key, claims(role, c -> c.claim("roles", List.of(role.claim(), "root")))));
        t.put("contractor role with another", sign(key, claims(Role.CONTRACTOR,
                c -> c.claim("roles", List.of("contractor", role == Role.CONTRACTOR ? "admin" : role.claim())))));
        t.put("signed by another key with the issuer's kid", sign(attacker, claims(role, c -> { })));
        t.put("attacker key embedded in the header", embeddedJwk(attacker, claims(role, c -> { })));
        JWTClaimsSet good = claims(role, c -> { });
        t.put("alg none", unsigned("none", good));
        t.put("alg None", unsigned("None", good));
        t.put("alg none with the real signature", withSignatureOf(unsigned("none", good), sign(key, good)));
        t.put("HS256 keyed with the public JWK", hmac(good, key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        t.put("HS256 keyed with the public key DER", hmac(good, key.toECPublicKey().getEncoded()));
        t.put("psychic signature (r = s = 0)", withSignature(sign(key, good), new byte[64]));
        t.put("signature in DER form", withSignature(sign(key, good), derOf(signatureOf(sign(key, good)))));
        String genuine = sign(key, good);
        t.put("role claim added by hand", editClaims(genuine, "\"roles\":[", "\"roles\":[\"admin\","));
        t.put("role claim replaced by hand", editClaims(genuine, "\"roles\":[\"" + role.claim() + "\"]",
                role == Role.ADMIN ? "\"roles\":[\"compliance\"]" : "\"roles\":[\"admin\"]"));
        t.put("contractor claim edited by hand", role == Role.CONTRACTOR
                ? editClaims(genuine, "\"contractor\":\"c-1\"", "\"contractor\":\"c-2\"")
                : editClaims(genuine, "\"sub\":", "\"contractor\":\"c-2\",\"sub\":"));
        t.put("exp extended by hand", editClaims(sign(key, claims(role, c -> c.expirationTime(ago(120)))),
                "\"exp\":", "\"exp\":9"));
        t.put("truncated signature", genuine.substring(0, genuine.length() - 4));
        t.put("two tokens joined", genuine + "." + genuine);
        return t;
    }

    @TestFactory
    Stream<DynamicTest> everyRoute_everyForgery_unauthorized() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Api.Route route : server.server.routes()) {
            Role role = route.roles().iterator().next();
            String name = route.method().text() + " " + route.path();
            tests.add(DynamicTest.dynamicTest(name + " with a genuine " + role.claim() + " token is not refused", () -> {
                HttpResponse<String> r = call(route, server.token(role));
                assertThat(r.statusCode()).as(r.body()).isNotIn(401, 403).isLessThan(500);
            }));
            for (var forged : forgeries(role).entrySet()) {
                tests.add(DynamicTest.dynamicTest(name + " with " + forged.getKey() + " -> 401", () -> {
                    long before = server.logSize();
                    HttpResponse<String> r = call(route, forged.getValue());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
                    assertProblem(r, "unauthorized");
                    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                            v -> assertThat(v).contains("invalid_token"));
                    assertThat(server.logSize()).isEqualTo(before);
                }));
            }
        }
        return tests.stream();
    }

    /** c-1's genuine token, on every route, aimed at c-2's record: refused or answered without it. */
    @TestFactory
    Stream<DynamicTest> everyRoute_contractorTokenForAnotherContractor_neverSeesIt() {
        String c1 = server.token(Role.CONTRACTOR);
        List<DynamicTest> tests = new ArrayList<>();
        for (Api.Route route : server.server.routes()) {
            tests.add(DynamicTest.dynamicTest(route.method().text() + " " + route.path() + " as c-1 about c-2", () -> {
                long before = server.logSize();
                HttpResponse<String> r = call(route, c1, "c-2", otherSeq);
                assertThat(r.statusCode()).as(r.body()).isLessThan(500);
                if (route.roles().contains(Role.CONTRACTOR)) {
                    // Contractor routes name no contractor: a seq of c-2's answers as one that does not exist.
                    if (route.path().contains("{seq}") || route.path().equals("/v1/me/disputes")) {
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
                    }
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
                    assertProblem(r, "forbidden");
                }
                assertThat(r.body()).doesNotContain("\"c-2\"").doesNotContain("ft-other");
                assertThat(server.logSize()).isEqualTo(before);
            }));
        }
        return tests.stream();
    }

    /** The verifier remembers tokens it verified; an edited copy of one is a new token, verified afresh. */
    @Test
    void verifier_cachedToken_editedClaimsAreNotServedFromTheCache() throws Exception {
        TokenVerifier verifier = new TokenVerifier(new JWKSet(server.issuerKey), server.issuer);
        String genuine = sign(server.issuerKey, claims(Role.MARKETPLACE, c -> { }));
        assertThat(verifier.verify(genuine).roles()).containsExactly(Role.MARKETPLACE);
        assertThat(verifier.verify(genuine).roles()).containsExactly(Role.MARKETPLACE); // from the cache
        for (String edited : List.of(
                editClaims(genuine, "\"roles\":[\"marketplace\"]", "\"roles\":[\"admin\"]"),
                editClaims(genuine, "\"sub\":", "\"contractor\":\"c-2\",\"sub\":"),
                genuine.substring(0, genuine.lastIndexOf('.') + 1) + B64.encodeToString(new byte[64]),
                unsigned("none", JWTClaimsSet.parse(new String(B64D.decode(genuine.split("\\.")[1]), StandardCharsets.UTF_8))))) {
            Assertions.assertThatThrownBy(() -> verifier.verify(edited)).isInstanceOf(TokenException.class);
        }
        // And the genuine one still verifies, edited copies did not evict or replace it.
        assertThat(verifier.verify(genuine).subject()).isEqualTo("forger-test");
    }

    /**
     * Claims are checked before the signature, which costs far more: an expired token is refused
     * as expired even when its signature is bad too, and a bad signature is refused the same way
     * each time it comes back.
     */
    @Test
    void verifier_checksClaimsBeforeTheSignature_andRemembersBadSignatures() throws Exception {
        TokenVerifier verifier = new TokenVerifier(new JWKSet(server.issuerKey), server.issuer);
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(server.issuerKey.getKeyID()).generate();
        String expiredAndForged = sign(attacker, claims(Role.ADMIN, c -> c.expirationTime(ago(120))
                .issueTime(ago(600)).notBeforeTime(ago(600))));
        Assertions.assertThatThrownBy(() -> verifier.verify(expiredAndForged)).isInstanceOf(TokenException.class)
                .hasMessage("token refused: Expired JWT");

        String forged = sign(attacker, claims(Role.ADMIN, c -> { }));
        for (int i = 0; i < 2; i++) {
            Assertions.assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(TokenException.class)
                    .hasMessageContaining("Invalid signature");
        }
        String genuine = sign(server.issuerKey, claims(Role.ADMIN, c -> { }));
        assertThat(verifier.verify(genuine).roles()).containsExactly(Role.ADMIN);
    }

    /** A token that expired while cached is refused once its exp and the clock skew allowance have passed. */
    @Test
    void verifier_expiredWhileCached_isRefused() throws Exception {
        TokenVerifier verifier = new TokenVerifier(new JWKSet(server.issuerKey), server.issuer);
        // Valid now only thanks to the 30 s skew allowance: exp 28 s ago.
        String token = sign(server.issuerKey, claims(Role.ADMIN, c -> c.expirationTime(ago(28))));
        // exp is in the past, so the cache must not hold it beyond exp: verified afresh each time.
        verifier.verify(token);
        Thread.sleep(3000);
        Assertions.assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenException.class)
                .hasMessageContaining("xpired");
    }

    // ------------------------------------------------------------ requests

    private static HttpResponse<String> call(Api.Route route, String token) {
        return call(route, token, "c-1", ownSeq);
    }

    /** A request to {@code route} about {@code contractor} (path id, query) and {@code seq}. */
    private static HttpResponse<String> call(Api.Route route, String token, String contractor, long seq) {
        String path = route.path().replace("{id}", contractor).replace("{seq}", Long.toString(seq))
                .replace("{size}", Long.toString(server.logSize()));
        path += switch (route.path()) {
            case "/v1/proofs/inclusion" -> "?seq=" + seq + "&tree_size=" + server.logSize();
            case "/v1/proofs/consistency" -> "?size1=1&size2=" + server.logSize();
            case "/v1/reputation/top" -> "?skill=ner";
            case "/v1/exports" -> "?contractor=" + contractor;
            default -> "";
        };
        if (route.method() == Method.GET) {
            return server.get(path, token);
        }
        String body = switch (route.path()) {
            case "/v1/entries" -> TestServer.audit(contractor, "ft-" + UUID.randomUUID(), 8000);
            case "/v1/reputation:batch" -> "{\"contractors\":[\"" + contractor + "\"]}";
            case "/v1/policies" -> "{\"policy_id\":\"ft-" + UUID.randomUUID() + "\",\"params\":{\"half_life_days\":90}}";
            case "/v1/me/disputes" -> "{\"target_seq\":" + seq + ",\"reason_code\":\"other\",\"reason\":\"ft\"}";
            case "/v1/audits/consensus" -> "{\"batch_id\":\"ft-" + UUID.randomUUID() + "\",\"skill\":\"ner\",\"task_ref\":\"t\","
                    + "\"labels\":[{\"item\":\"i\",\"contractor\":\"c-1\",\"label\":\"a\"},"
                    + "{\"item\":\"i\",\"contractor\":\"c-2\",\"label\":\"a\"}]}";
            default -> "";
        };
        return server.post(path, token, body);
    }

    // ------------------------------------------------------------ forging

    private static Date ago(long seconds) {
        return Date.from(Instant.now().minusSeconds(seconds));
    }

    private static JWTClaimsSet claims(Role role, Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(server.issuer)
                .audience(TokenVerifier.AUDIENCE)
                .subject("forger-test")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(1)))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", List.of(role.claim()));
        if (role == Role.CONTRACTOR) {
            b.claim("contractor", "c-1");
        }
        change.accept(b);
        return b.build();
    }

    private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static String embeddedJwk(ECKey attacker, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .jwk(attacker.toPublicJWK()).build(), claims);
        jwt.sign(new ECDSASigner(attacker));
        return jwt.serialize();
    }

    /** An unsecured JWT, written by hand: {@code {"alg":"<alg>","typ":"JWT"}}, the claims, no signature. */
    private static String unsigned(String alg, JWTClaimsSet claims) {
        return B64.encodeToString(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** HS256 over header and claims keyed with {@code secret}: the algorithm-confusion attack with a public key. */
    private static String hmac(JWTClaimsSet claims, byte[] secret) throws Exception {
        String input = B64.encodeToString(("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + server.issuerKey.getKeyID()
                + "\"}").getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The token with its claims text edited and its original signature kept. */
    private static String editClaims(String token, String from, String to) {
        String[] parts = token.split("\\.");
        String claims = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).as("claims to edit").contains(from);
        return parts[0] + "." + B64.encodeToString(claims.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)).getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static String withSignature(String token, byte[] signature) {
        return token.substring(0, token.lastIndexOf('.') + 1) + B64.encodeToString(signature);
    }

    private static String withSignatureOf(String token, String signedToken) {
        return token + signedToken.substring(signedToken.lastIndexOf('.') + 1);
    }

    private static byte[] signatureOf(String token) {
        return B64D.decode(token.substring(token.lastIndexOf('.') + 1));
    }

    /** The 64-byte JOSE ECDSA signature R || S as an ASN.1 DER SEQUENCE of two INTEGERs. */
    private static byte[] derOf(byte[] jose) {
        byte[] r = derInteger(java.util.Arrays.copyOfRange(jose, 0, 32));
        byte[] s = derInteger(java.util.Arrays.copyOfRange(jose, 32, 64));
        byte[] out = new byte[2 + r.length + s.length];
        out[0] = 0x30;
        out[1] = (byte) (r.length + s.length);
        System.arraycopy(r, 0, out, 2, r.length);
        System.arraycopy(s, 0, out, 2 + r.length, s.length);
        return out;
    }

    private static byte[] derInteger(byte[] unsigned) {
        byte[] value = new java.math.BigInteger(1, unsigned).toByteArray();
        byte[] out = new byte[2 + value.length];
        out[0] = 0x02;
        out[1] = (byte) value.length;
        System.arraycopy(value, 0, out, 2, value.length);
        return out;
    }
}
