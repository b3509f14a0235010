package dev.trackrecord.tools;

import dev.trackrecord.ledger.store.Fsck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trackrecord fsck --data DIR}: rechecks a stopped ledger's data directory. */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = {"Rechecks a stopped data directory.",
                "Checks every entry's bytes and leaf hash, seq, prev and cprev links, event_id uniqueness, the"
                        + " tree nodes and the signed checkpoints. Stop the service first. Exit 0 and a summary when"
                        + " it holds; exit 1 and the first bad entry when not."})
final class FsckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the data directory")
    Path data;

    @Override
    public Integer call() {
        if (!Files.isDirectory(data.resolve("store"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), data + ": not a data directory (no store/)");
        }
        try {
            Fsck.Report report = Fsck.check(data);
            (report.ok() ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(report.summary());
            return report.ok() ? 0 : 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
    }
}
