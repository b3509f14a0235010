package dev.trackrecord.tools;

import dev.trackrecord.ledger.simulation.Evaluation;
import dev.trackrecord.ledger.simulation.Marketplace;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord evaluate}: simulates a marketplace in memory and prints how top-k routing by
 * our lower bound, by raw approval rate and by the Wilson bound find its truly best contractors
 * ({@link Evaluation}). The defaults are the run docs/reputation.md reports.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluates top-k routing on a simulated marketplace: precision@k and NDCG@k (k = 10, 50) of our "
                + "ranking, raw approval rate and the Wilson bound against the hidden truth. Exit 1 if ours does not "
                + "beat both everywhere.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--contractors", paramLabel = "N", defaultValue = "3000", description = "default: ${DEFAULT-VALUE}")
    int contractors;

    @Option(names = "--entries", paramLabel = "N", defaultValue = "100000", description = "default: ${DEFAULT-VALUE}")
    int entries;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--end", paramLabel = "TIME", defaultValue = "2026-11-28T00:00:00Z",
            description = "end of the simulated year, also the evaluation time (default: ${DEFAULT-VALUE})")
    Instant end;

    @Override
    public Integer call() throws Exception {
        Marketplace market;
        try {
            market = Marketplace.generate(new Marketplace.Options(contractors, entries, seed, end));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        long start = System.nanoTime();
        List<Evaluation.Row> rows = Evaluation.run(market);
        var out = spec.commandLine().getOut();
        out.printf("%d contractors, %d entries, seed %d, evaluated at %s (%.1f s)%n%n", contractors, market.size(), seed,
                market.options().end(), (System.nanoTime() - start) / 1e9);
        out.print(Evaluation.table(rows));
        boolean beats = Evaluation.oursBeatsBoth(rows);
        out.println();
        out.println(beats ? "ours beats both baselines on precision@k and NDCG@k in every case"
                : "ours does NOT beat both baselines in every case");
        return beats ? 0 : 1;
    }
}
