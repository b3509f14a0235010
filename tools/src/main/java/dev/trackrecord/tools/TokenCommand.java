package dev.trackrecord.tools;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.trackrecord.ledger.DataDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord token --data DIR --role ROLE [--contractor ID] [--ttl 1h]}: mints a bearer
 * token with the data directory's embedded issuer key ({@code keys/token-issuer.jwk}, made by
 * the first {@code serve}). The token is what the service verifies: ES256, issuer
 * {@code trackrecord:<origin>} (the origin is the checkpoint key's name), audience
 * {@code trackrecord}, a {@code roles} claim, and for the contractor role a {@code contractor} claim.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mints a bearer token with the data directory's token issuer key and prints it.")
final class TokenCommand implements Callable<Integer> {
    private static final Set<String> ROLES = Set.of("ingest", "marketplace", "compliance", "contractor", "admin");
    private static final Pattern CONTRACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "./data", paramLabel = "DIR",
            description = "the service's data directory (default: ${DEFAULT-VALUE})")
    java.nio.file.Path data;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
            description = "one of ingest, marketplace, compliance, contractor, admin")
    String role;

    @Option(names = "--contractor", paramLabel = "ID", description = "the contractor a contractor token is bound to")
    String contractor;

    @Option(names = "--subject", paramLabel = "NAME",
            description = "the token's subject, recorded as source of the entries it appends (default: <role>-cli)")
    String subject;

    @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION",
            description = "lifetime, e.g. 30m, 1h, 7d (default: ${DEFAULT-VALUE})")
    String ttl;

    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        if (!ROLES.contains(role)) {
            throw new CommandLine.ParameterException(cmd, "--role: must be one of " + String.join(", ", ROLES.stream().sorted().toList()));
        }
        if (role.equals("contractor") != (contractor != null)) {
            throw new CommandLine.ParameterException(cmd, role.equals("contractor")
                    ? "--contractor: a contractor token must name its contractor"
                    : "--contractor: only a contractor token names a contractor");
        }
        if (contractor != null && !CONTRACTOR.matcher(contractor).matches()) {
            throw new CommandLine.ParameterException(cmd, "--contractor: must match " + CONTRACTOR.pattern());
        }
        Duration lifetime = parseTtl(cmd);
        DataDirectory dir = new DataDirectory(data);
        if (!Files.exists(dir.tokenIssuerKey()) || !Files.exists(dir.checkpointVerifierKey())) {
            cmd.getErr().println("FAILED: " + data + " has no keys yet; start the service once with "
                    + "'./trackrecord serve --data " + data + "' to create them");
            return 1;
        }
        try {
            ECKey key = ECKey.parse(Files.readString(dir.tokenIssuerKey(), StandardCharsets.UTF_8));
            String origin = dir.loadCheckpointVerifier().name();
            cmd.getOut().println(mint(key, "trackrecord:" + origin, subject != null ? subject : role + "-cli", role,
                    contractor, lifetime));
            return 0;
        } catch (IOException | ParseException | JOSEException e) {
            cmd.getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
    }

    static String mint(ECKey key, String issuer, String subject, String role, String contractor, Duration ttl)
            throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience("trackrecord")
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(1)))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", List.of(role));
        if (contractor != null) {
            claims.claim("contractor", contractor);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private Duration parseTtl(CommandLine cmd) {
        var m = Pattern.compile("([1-9][0-9]{0,5})([smhd])").matcher(ttl);
        if (!m.matches()) {
            throw new CommandLine.ParameterException(cmd, "--ttl: must be a number and a unit s, m, h or d, e.g. 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(Duration.ofDays(366)) > 0) {
            throw new CommandLine.ParameterException(cmd, "--ttl: at most 366 days");
        }
        return d;
    }
}
