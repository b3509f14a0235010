package dev.trackrecord.tools;

import dev.trackrecord.tools.bench.LedgerBench;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord bench}: the ledger benchmarks (durable append at several batch sizes,
 * proofs, reopen and heap), printed as Markdown tables and, with {@code --out}, written to a file.
 * {@code --quick} runs tiny sizes; the test suite runs it so the benchmark cannot rot.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs the ledger benchmarks and prints Markdown tables of the figures.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = "target/bench", paramLabel = "DIR",
            description = "scratch directory for the logs it builds (default: ${DEFAULT-VALUE}); emptied first")
    Path dir;

    @Option(names = "--append-entries", defaultValue = "2000000", paramLabel = "N",
            description = "entries per append measurement (default: ${DEFAULT-VALUE})")
    long appendEntries;

    @Option(names = "--log-size", defaultValue = "10000000", paramLabel = "N",
            description = "size of the log built for the proof, reopen and heap figures (default: ${DEFAULT-VALUE})")
    long logSize;

    @Option(names = "--proofs", defaultValue = "1000000", paramLabel = "N",
            description = "proofs per proof measurement (default: ${DEFAULT-VALUE})")
    int proofs;

    @Option(names = "--quick", description = "tiny sizes, for a smoke run")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the tables to FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            appendEntries = 2_000;
            logSize = 5_000;
            proofs = 2_000;
        }
        if (appendEntries < 100 || logSize < 100 || proofs < 1) {
            spec.commandLine().getErr().println("FAILED: --append-entries and --log-size must be at least 100, --proofs at least 1");
            return 2;
        }
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new Tee(System.out, copy), true, StandardCharsets.UTF_8);
        String command = "./trackrecord bench" + (quick ? " --quick" : " --append-entries " + appendEntries
                + " --log-size " + logSize + " --proofs " + proofs);
        tee.println("Command: `" + command + "`");
        tee.println();
        new LedgerBench(dir, tee).run(appendEntries, logSize, proofs);
        if (out != null) {
            Files.writeString(out, copy.toString(StandardCharsets.UTF_8));
        }
        return 0;
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
