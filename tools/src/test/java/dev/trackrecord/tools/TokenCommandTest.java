package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.trackrecord.ledger.DataDirectory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {
    @TempDir
    Path tmp;

    private String out;
    private String err;

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setOut(new PrintWriter(o));
        cmd.setErr(new PrintWriter(e));
        int code = cmd.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void token_contractorRole_isSignedByTheIssuerKeyWithTheServiceClaims() throws Exception {
        DataDirectory dir = new DataDirectory(tmp);
        dir.loadOrCreateCheckpointSigner("example.org/log");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
        Files.writeString(dir.tokenIssuerKey(), key.toJSONString());

        int code = run("token", "--data", tmp.toString(), "--role", "contractor", "--contractor", "c-42", "--ttl", "30m");

        assertThat(code).isZero();
        SignedJWT jwt = SignedJWT.parse(out.strip());
        assertThat(jwt.verify(new ECDSAVerifier(key.toECPublicKey()))).isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("trackrecord:example.org/log");
        assertThat(claims.getAudience()).containsExactly("trackrecord");
        assertThat(claims.getStringListClaim("roles")).isEqualTo(List.of("contractor"));
        assertThat(claims.getStringClaim("contractor")).isEqualTo("c-42");
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(30 * 60 * 1000L);
    }

    @Test
    void token_badArguments_exitTwoNamingTheOption() {
        assertThat(run("token", "--data", tmp.toString(), "--role", "root")).isEqualTo(2);
        assertThat(err).contains("--role: must be one of");
        assertThat(run("token", "--data", tmp.toString(), "--role", "contractor")).isEqualTo(2);
        assertThat(err).contains("--contractor: a contractor token must name its contractor");
        assertThat(run("token", "--data", tmp.toString(), "--role", "admin", "--ttl", "forever")).isEqualTo(2);
        assertThat(err).contains("--ttl");
    }

    @Test
    void token_dataDirectoryWithoutKeys_exitOneSayingHowToCreateThem() {
        assertThat(run("token", "--data", tmp.toString(), "--role", "admin")).isEqualTo(1);
        assertThat(err).contains("start the service once");
    }
}
