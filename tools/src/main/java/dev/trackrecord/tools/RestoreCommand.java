package dev.trackrecord.tools;

import dev.trackrecord.ledger.backup.Backup;
import dev.trackrecord.ledger.backup.BackupException;
import dev.trackrecord.ledger.store.Fsck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trackrecord restore FILE --data NEWDIR}: rebuilds a data directory from a backup and fscks it. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuilds a data directory from a backup made by 'trackrecord backup'.",
                "Checks every entry's chain, every checkpoint's signature and root, and the keys; a damaged"
                        + " backup is refused, naming the member and line. Then runs fsck on the new directory."})
final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the backup")
    Path file;

    @Option(names = "--data", required = true, paramLabel = "NEWDIR", description = "a new data directory to create")
    Path data;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + ": no such file");
        }
        if (Files.exists(data.resolve("store")) || Files.exists(data.resolve("keys"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data " + data
                    + " already holds a log; restore into a new directory");
        }
        try {
            Backup.Summary s = Backup.restore(file, data);
            Fsck.Report report = Fsck.check(data);
            if (!report.ok()) {
                spec.commandLine().getErr().println("FAILED: the restored directory fails fsck: " + report.summary());
                return 1;
            }
            spec.commandLine().getOut().println("OK: restored " + s.origin() + " at tree size " + s.treeSize()
                    + " (root " + s.root() + ", " + s.checkpoints() + " signed checkpoints) into " + data);
            spec.commandLine().getOut().println("fsck " + report.summary());
            return 0;
        } catch (BackupException | IOException e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
    }
}
