package dev.trackrecord.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code trackrecord} command line. The launcher script handles {@code serve} and
 * {@code test}; everything else lands here. Exit codes: 0 when the command did what was asked
 * (or what it checked holds), 1 when a check fails or the command could not finish, 2 for usage
 * errors (unknown options, malformed values, missing files).
 */
@Command(name = "trackrecord", mixinStandardHelpOptions = true, version = "trackrecord 0.1.0",
        description = "Verify export bundles, check a data directory, make keys and tokens, import, export, back up, restore, simulate and benchmark.",
        subcommands = {VerifyCommand.class, FsckCommand.class, KeygenCommand.class, ExportCommand.class,
                TokenCommand.class, ImportCommand.class, ConsensusCommand.class, BenchCommand.class,
                SimulateCommand.class, EvaluateCommand.class, RescoreCommand.class, BackupCommand.class,
                RestoreCommand.class,
                CommandLine.HelpCommand.class})
public final class Cli implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: verify, fsck, keygen, export, token, import, consensus, bench, simulate, evaluate, rescore, backup or restore");
    }
}
