package dev.trackrecord.tools;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.note.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord keygen --origin O --out DIR}: makes a checkpoint signer key. Writes
 * DIR/checkpoint.key (owner-only) and DIR/checkpoint.vkey, the names a data directory's
 * {@code keys/} folder uses, so {@code --out DATA/keys} prepares a data directory.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Makes an Ed25519 checkpoint signer key for a log origin: DIR/checkpoint.key and DIR/checkpoint.vkey.")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--origin", required = true, paramLabel = "ORIGIN",
            description = "the log's origin, e.g. trackrecord.example.com/log; the key is named after it")
    String origin;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the key files")
    Path out;

    @Override
    public Integer call() {
        NoteSigner signer;
        try {
            signer = NoteSigner.generate(origin, new SecureRandom());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--origin: " + e.getMessage());
        }
        Path key = out.resolve("checkpoint.key");
        Path vkey = out.resolve("checkpoint.vkey");
        if (Files.exists(key) || Files.exists(vkey)) {
            spec.commandLine().getErr().println("FAILED: " + out + " already holds a checkpoint key; not overwriting it");
            return 1;
        }
        try {
            DataDirectory.writePrivate(key, signer.privateKeyText() + "\n");
            Files.writeString(vkey, signer.verifier().text() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println(signer.verifier().text());
        return 0;
    }
}
