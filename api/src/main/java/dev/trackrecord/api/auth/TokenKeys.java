package dev.trackrecord.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** The embedded token issuer key: created on first start, used to mint and verify tokens. */
public final class TokenKeys {
    private TokenKeys() {
    }

    /** Loads the private JWK at {@code path}, creating a new EC P-256 key there if missing. */
    public static ECKey loadOrCreate(Path path) throws IOException {
        if (Files.exists(path)) {
            return load(path);
        }
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true).generate();
            // Forced to disk before it is used: a token signed with a key that is lost would never verify again.
            dev.trackrecord.ledger.DataDirectory.writePrivate(path, key.toJSONString());
            return key;
        } catch (JOSEException e) {
            throw new IOException("could not generate the token issuer key: " + e.getMessage(), e);
        }
    }

    public static ECKey load(Path path) throws IOException {
        try {
            return ECKey.parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IOException(path + " is not an EC JWK: " + e.getMessage(), e);
        }
    }

    /** Mints an ES256 token for {@code subject} with {@code roles}. */
    public static String mint(ECKey key, String issuer, String subject, List<Role> roles, String contractor,
                              Duration ttl) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(TokenVerifier.AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(1)))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", roles.stream().map(Role::claim).toList());
        if (contractor != null) {
            claims.claim("contractor", contractor);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
