package dev.trackrecord.ledger.consensus;

import java.util.Map;

/**
 * Speed of consensus at marketplace scale: 1M labels over 100k items (10 each) from 5,000
 * contractors, accuracies uniform in [0.55, 0.95]. Not a unit test; run with
 * <pre>
 * mvn -B -o -q -pl ledger -am test-compile
 * java -cp ledger/target/classes:ledger/target/test-classes dev.trackrecord.ledger.consensus.ConsensusBenchmark [classes]
 * </pre>
 * It prints, per run, the time to intern and validate the batch and the time of each
 * estimator; the first run includes JIT warm-up.
 */
public final class ConsensusBenchmark {

    private ConsensusBenchmark() {
    }

    public static void main(String[] args) {
        int classes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int items = 100_000;
        int contractors = 5_000;
        int perItem = 10;
        Synthetic s = Synthetic.generate(items, Synthetic.accuracies(contractors, 0.55, 0.95, 1), perItem, classes, 2);
        System.out.printf("%d labels, %d items, %d contractors, %d classes, %d cores, %s%n", s.labels().size(), items,
                contractors, classes, Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (int run = 1; run <= 3; run++) {
            long t0 = System.nanoTime();
            LabelBatch batch = LabelBatch.of(s.labels(), Map.of());
            long t1 = System.nanoTime();
            ConsensusResult ds = Consensus.estimate(batch, ConsensusOptions.defaults(Method.DAWID_SKENE));
            long t2 = System.nanoTime();
            ConsensusResult oneCoin = Consensus.estimate(batch, ConsensusOptions.defaults(Method.ONE_COIN));
            long t3 = System.nanoTime();
            ConsensusResult mv = Consensus.estimate(batch, ConsensusOptions.defaults(Method.MAJORITY_VOTE));
            long t4 = System.nanoTime();
            System.out.printf("run %d: batch %4d ms | ds %5d ms (%d iterations, converged %b, accuracy %.4f) | "
                            + "onecoin %5d ms (%d iterations) | mv %4d ms (accuracy %.4f) | batch+ds %5d ms%n",
                    run, ms(t0, t1), ms(t1, t2), ds.iterations(), ds.converged(), ds.agreementWith(s.truth()).accuracy(),
                    ms(t2, t3), oneCoin.iterations(), ms(t3, t4), mv.agreementWith(s.truth()).accuracy(), ms(t0, t2));
        }
        // The worst case: EM never meets the tolerance and runs to the iteration cap.
        LabelBatch batch = LabelBatch.of(s.labels(), Map.of());
        ConsensusOptions capped = new ConsensusOptions(Method.DAWID_SKENE, ConsensusOptions.DEFAULT_MAX_ITERATIONS, 0,
                ConsensusOptions.DEFAULT_SMOOTHING, ConsensusOptions.DEFAULT_CREDIBLE_MASS, Map.of());
        long t0 = System.nanoTime();
        ConsensusResult ds = Consensus.estimate(batch, capped);
        System.out.printf("ds to the cap: %d iterations in %d ms%n", ds.iterations(), ms(t0, System.nanoTime()));
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
