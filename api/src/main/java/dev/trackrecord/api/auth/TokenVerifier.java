package dev.trackrecord.api.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies bearer JWTs: ES256 signatures only (so {@code alg: none} and HMAC keyed with a
 * public key are refused by construction), against the configured issuer keys, with the
 * configured issuer and audience, inside {@code nbf}/{@code exp} with a small clock skew.
 * Roles come from the {@code roles} claim; a contractor token must name its contractor.
 */
public final class TokenVerifier {
    /** Audience every TrackRecord token must carry. */
    public static final String AUDIENCE = "trackrecord";
    private static final Pattern CONTRACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final int MAX_TOKEN_LENGTH = 8192;

    private static final int MAX_CACHED = 10_000;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
    private final java.util.concurrent.ConcurrentHashMap<String, Verified> verified =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Tokens whose signature did not verify, with the reason: that never changes for a token. */
    private final java.util.concurrent.ConcurrentHashMap<String, String> badSignatures =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param keys   public keys of the accepted issuers
     * @param issuer the {@code iss} every token must carry
     */
    public TokenVerifier(JWKSet keys, String issuer) {
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new ImmutableJWKSet<>(keys.toPublicJWKSet())));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(AUDIENCE,
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of("sub", "exp", "iat", "roles"));
        claims.setMaxClockSkew(30);
        processor.setJWTClaimsSetVerifier(claims);
        this.claimsVerifier = claims;
    }

    /** The principal of a verified {@code Authorization} header value ({@code Bearer <jwt>}). */
    public Principal verifyHeader(Optional<String> authorization) throws TokenException {
        String value = authorization.orElseThrow(() -> new TokenException("missing Authorization header; send 'Authorization: Bearer <token>'"));
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenException("Authorization header must use the Bearer scheme");
        }
        return verify(value.substring(7).trim());
    }

    public Principal verify(String token) throws TokenException {
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException("bearer token must be 1 to " + MAX_TOKEN_LENGTH + " characters");
        }
        // An ES256 verification costs more than serving most requests; a token that verified
        // stays valid until its exp (minus the skew allowance), so remember it until then.
        Verified known = verified.get(token);
        if (known != null) {
            if (System.currentTimeMillis() < known.validUntilMillis()) {
                return known.principal();
            }
            verified.remove(token);
        }
        String badSignature = badSignatures.get(token);
        if (badSignature != null) {
            throw new TokenException(badSignature);
        }
        return verifyUncached(token);
    }

    /** A token that verified, and until when its answer holds. */
    private record Verified(Principal principal, long validUntilMillis) {
    }

    private Principal verifyUncached(String token) throws TokenException {
        // The claims first: checking them costs a parse, the ES256 signature about a millisecond
        // here, and a client that keeps sending an expired token must not cost one per request.
        try {
            claimsVerifier.verify(JWTParser.parse(token).getJWTClaimsSet(), null);
        } catch (BadJWTException e) {
            throw new TokenException("token refused: " + e.getMessage());
        } catch (ParseException e) {
            // the processor reports it, as it always has
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJWTException e) {
            throw new TokenException("token refused: " + e.getMessage());
        } catch (ParseException e) {
            throw new TokenException("token is not a well-formed JWT: " + e.getMessage());
        } catch (Exception e) {
            // The claims passed above, so the signature, key or header is what failed.
            String reason = "token refused: " + e.getMessage();
            if (badSignatures.size() >= MAX_CACHED) {
                badSignatures.clear();
            }
            badSignatures.put(token, reason);
            throw new TokenException(reason);
        }
        try {
            List<String> roleClaims = claims.getStringListClaim("roles");
            Set<Role> roles = EnumSet.noneOf(Role.class);
            Set<String> unknown = new HashSet<>();
            for (String r : roleClaims) {
                Role.fromClaim(r).ifPresentOrElse(roles::add, () -> unknown.add(r));
            }
            if (!unknown.isEmpty() || roles.isEmpty()) {
                throw new TokenException("token roles claim must hold known roles, found " + roleClaims);
            }
            String contractor = claims.getStringClaim("contractor");
            if (roles.contains(Role.CONTRACTOR)) {
                if (contractor == null || !CONTRACTOR.matcher(contractor).matches()) {
                    throw new TokenException("a contractor token must carry a valid contractor claim");
                }
                if (roles.size() > 1) {
                    throw new TokenException("a contractor token may hold no other role");
                }
            }
            String subject = claims.getSubject();
            if (subject == null || subject.isBlank() || subject.length() > 128) {
                throw new TokenException("token sub must be 1 to 128 characters");
            }
            Principal principal = new Principal(subject, roles,
                    Optional.ofNullable(roles.contains(Role.CONTRACTOR) ? contractor : null));
            long exp = claims.getExpirationTime().getTime();
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
            verified.put(token, new Verified(principal, exp));
            return principal;
        } catch (ParseException e) {
            throw new TokenException("token claims have the wrong type: " + e.getMessage());
        }
    }
}
