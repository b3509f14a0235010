package dev.trackrecord.ledger;

import java.nio.file.Path;

/**
 * The layout of a TrackRecord data directory, shared by the service and the command line.
 *
 * <pre>
 * DIR/store/                     EclipseStore files of the log
 * DIR/keys/checkpoint.key        C2SP signer key (PRIVATE+KEY+origin+id+...) for checkpoints
 * DIR/keys/checkpoint.vkey       its verifier key, C2SP text form
 * DIR/keys/token-issuer.jwk      EC P-256 private JWK that signs bearer tokens (ES256)
 * </pre>
 */
public record DataDirectory(Path root) {
    public Path store() {
        return root.resolve("store");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path checkpointKey() {
        return keys().resolve("checkpoint.key");
    }

    public Path checkpointVerifierKey() {
        return keys().resolve("checkpoint.vkey");
    }

    public Path tokenIssuerKey() {
        return keys().resolve("token-issuer.jwk");
    }
}
