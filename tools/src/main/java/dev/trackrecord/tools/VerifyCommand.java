package dev.trackrecord.tools;

import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerificationException;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.note.NoteException;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trackrecord verify BUNDLE.zip [--key VKEY]}: checks an export bundle offline. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verifies an export bundle offline.",
                "Checks the checkpoint signature, every inclusion proof, prev and cprev links, the manifest and"
                        + " the consistency proof. Exit 0 and a summary when it holds; exit 1 and the first failure"
                        + " (file, line, seq) when not; exit 2 for usage errors."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE.zip", description = "the bundle to verify")
    Path bundle;

    @Option(names = "--key", paramLabel = "VKEY",
            description = "the log's verifier key, as a file or as text (name+id+key); without it the bundle's own"
                    + " key.vkey is used, which shows integrity but not which log made the bundle")
    String key;

    @Override
    public Integer call() {
        Optional<NoteVerifier> trusted = key == null ? Optional.empty() : Optional.of(parseKey(spec, "--key", key));
        if (!Files.isRegularFile(bundle)) {
            throw new CommandLine.ParameterException(spec.commandLine(), bundle + ": no such file");
        }
        try {
            BundleVerification result = BundleVerifier.verify(bundle, trusted);
            spec.commandLine().getOut().println(result.summary());
            return 0;
        } catch (BundleVerificationException e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("FAILED: " + bundle + ": " + e.getMessage());
            return 1;
        }
    }

    /** A verifier key given as a file holding it or as the key text itself. */
    static NoteVerifier parseKey(CommandSpec spec, String option, String value) {
        String text = value;
        try {
            Path file = Path.of(value);
            if (Files.isRegularFile(file)) {
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            // Not a readable file: take the value as the key text.
        }
        try {
            return NoteVerifier.parse(text.strip());
        } catch (NoteException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": not a verifier key file or text: "
                    + e.getMessage());
        }
    }
}
