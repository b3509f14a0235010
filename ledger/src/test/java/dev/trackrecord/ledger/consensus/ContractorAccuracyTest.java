package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How well estimated contractor accuracy tracks true accuracy against gold (Spearman), with
 * and without history priors. History is simulated: the items are split in two halves; the
 * gold audits of half A become each contractor's {@link Prior}, and consensus runs on half B.
 */
class ContractorAccuracyTest {

    /**
     * Spearman between estimated and true accuracy on half B, for contractors with at least
     * {@code minItems} items there: {without priors, with priors, contractors compared}. The
     * prior is each contractor's gold record on half A, discounted by {@code priorWeight}.
     */
    static double[] spearman(Datasets d, int minItems, double priorWeight) {
        Set<String> halfA = d.revealed(0.5, 11).keySet();
        Map<String, String> truth = d.truth();
        List<Label> b = new ArrayList<>();
        Map<String, int[]> historyA = new HashMap<>();
        Map<String, int[]> trueB = new HashMap<>();
        for (Label l : d.labels()) {
            boolean right = l.label().equals(truth.get(l.item()));
            if (halfA.contains(l.item())) {
                int[] h = historyA.computeIfAbsent(l.contractor(), k -> new int[2]);
                h[right ? 0 : 1]++;
            } else {
                b.add(l);
                int[] h = trueB.computeIfAbsent(l.contractor(), k -> new int[2]);
                h[right ? 0 : 1]++;
            }
        }
        Map<String, Prior> priors = new HashMap<>();
        historyA.forEach((c, h) -> priors.put(c, new Prior(priorWeight * h[0], priorWeight * h[1])));
        LabelBatch batch = LabelBatch.of(b, Map.of());
        ConsensusResult without = Consensus.estimate(batch, ConsensusOptions.dawidSkene());
        ConsensusResult with = Consensus.estimate(batch, ConsensusOptions.dawidSkene().withPriors(priors));
        return new double[] {rho(without, trueB, minItems), rho(with, trueB, minItems),
                without.contractors().stream().filter(c -> c.items() >= minItems).count()};
    }

    private static double rho(ConsensusResult r, Map<String, int[]> trueB, int minItems) {
        List<double[]> pairs = new ArrayList<>();
        for (ContractorEstimate c : r.contractors()) {
            int[] h = trueB.get(c.contractor());
            if (c.items() >= minItems) {
                pairs.add(new double[] {c.accuracy(), h[0] / (double) (h[0] + h[1])});
            }
        }
        return Spearman.of(pairs.stream().mapToDouble(p -> p[0]).toArray(),
                pairs.stream().mapToDouble(p -> p[1]).toArray());
    }

    static final double HISTORY_WEIGHT = 0.3;

    @Test
    void historyPriors_snowRte_trackTrueAccuracyBetter() {
        double[] r = spearman(Datasets.RTE, 1, HISTORY_WEIGHT);
        assertThat(r[0]).isGreaterThan(0.6);
        assertThat(r[1]).isGreaterThan(r[0] + 0.05);
    }

    @Test
    void historyPriors_product_trackTrueAccuracyBetter() {
        double[] r = spearman(Datasets.PRODUCT, 1, HISTORY_WEIGHT);
        assertThat(r[0]).isGreaterThan(0.6);
        assertThat(r[1]).isGreaterThan(r[0] + 0.05);
    }

    @Test
    void withoutPriors_bluebirds_ranksContractorsAlmostExactly() {
        assertThat(spearman(Datasets.BLUEBIRDS, 1, HISTORY_WEIGHT)[0]).isGreaterThan(0.9);
    }

    /** Prints the Spearman table of {@code docs/consensus.md}. */
    @Test
    void printTable() {
        System.out.printf("%-10s %5s %7s %7s %5s %7s %7s%n", "dataset", "n>=1", "without", "with", "n>=20", "without",
                "with");
        for (Datasets d : Datasets.values()) {
            double[] all = spearman(d, 1, HISTORY_WEIGHT);
            double[] many = spearman(d, 20, HISTORY_WEIGHT);
            System.out.printf("%-10s %5d %7.3f %7.3f %5d %7.3f %7.3f%n", d, (int) all[2], all[0], all[1],
                    (int) many[2], many[0], many[1]);
        }
        assertThat(spearman(Datasets.TEMP, 1, HISTORY_WEIGHT)[2]).isPositive();
    }
}
