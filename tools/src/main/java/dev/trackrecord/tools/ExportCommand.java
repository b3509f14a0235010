package dev.trackrecord.tools;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.bundle.BundleWriter;
import dev.trackrecord.ledger.bundle.ExportQuery;
import dev.trackrecord.ledger.bundle.InvalidQueryException;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord export --data DIR ... --out FILE.zip}: writes an export bundle from a
 * stopped data directory, against its latest signed checkpoint. Signs nothing and appends
 * nothing; entries after that checkpoint are left out.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes an export bundle from a stopped data directory, against its latest signed checkpoint.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the data directory")
    Path data;

    @Option(names = "--contractor", paramLabel = "ID", description = "only this contractor's entries")
    String contractor;

    @Option(names = "--from-seq", paramLabel = "SEQ", description = "first seq, inclusive")
    String fromSeq;

    @Option(names = "--to-seq", paramLabel = "SEQ", description = "last seq, inclusive")
    String toSeq;

    @Option(names = "--kinds", paramLabel = "KIND,..", description = "only these entry kinds, comma-separated")
    String kinds;

    @Option(names = "--since-size", paramLabel = "N",
            description = "add a consistency proof from the checkpoint issued at tree size N")
    String sinceSize;

    @Option(names = "--out", required = true, paramLabel = "FILE.zip", description = "the bundle to write")
    Path out;

    @Override
    public Integer call() {
        ExportQuery query;
        try {
            query = ExportQuery.parse(contractor, fromSeq, toSeq, kinds, sinceSize);
        } catch (InvalidQueryException e) {
            throw usage("--" + e.parameter().replace('_', '-') + ": " + e.getMessage().substring(
                    e.parameter().length() + 2));
        }
        DataDirectory dir = new DataDirectory(data);
        if (!Files.isDirectory(dir.store())) {
            throw usage(data + ": not a data directory (no store/)");
        }
        NoteVerifier key;
        try {
            key = dir.loadCheckpointVerifier();
        } catch (IOException e) {
            throw usage(data + ": no readable checkpoint verifier key: " + e.getMessage());
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(data, key.name()))) {
            long count;
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                count = BundleWriter.write(ledger, query, key, Clock.systemUTC(), os);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long size = ledger.latestCheckpointSize();
            spec.commandLine().getOut().println("wrote " + out + ": " + count + (count == 1 ? " entry" : " entries")
                    + " against the checkpoint at tree size " + size
                    + (ledger.size() > size ? " (" + (ledger.size() - size) + " newer entries are not in a checkpoint"
                    + " yet and were left out)" : ""));
            return 0;
        } catch (InvalidQueryException e) {
            deleteQuietly(tmp);
            throw usage("--" + e.parameter().replace('_', '-') + ": " + e.getMessage().substring(
                    e.parameter().length() + 2));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            return 1;
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: a leftover .tmp file is harmless.
        }
    }
}
