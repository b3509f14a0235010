package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The log-space, flat-array EM gives the posteriors of the plain reference, on random batches. */
class ReferenceComparisonTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void dawidSkene_randomBatch_matchesReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int classes = 2 + random.nextInt(4);
        int contractors = 3 + random.nextInt(10);
        Synthetic s = Synthetic.generate(20 + random.nextInt(60),
                Synthetic.accuracies(contractors, 0.3, 0.95, seed), 2 + random.nextInt(contractors - 1), classes, seed);
        Map<String, String> gold = new HashMap<>();
        s.truth().forEach((item, label) -> {
            if (random.nextDouble() < 0.15) {
                gold.put(item, label);
            }
        });
        Map<String, Prior> priors = new HashMap<>();
        for (int c = 0; c < contractors; c += 2) {
            priors.put("w" + c, new Prior(random.nextInt(20), random.nextInt(5)));
        }
        int iterations = 1 + random.nextInt(15);
        LabelBatch batch = LabelBatch.of(s.labels(), gold);
        ConsensusOptions options = new ConsensusOptions(Method.DAWID_SKENE, iterations, 0, 0.01, 0.95, priors);
        ConsensusResult fast = Consensus.estimate(batch, options);
        Map<String, double[]> reference = ReferenceDawidSkene.posteriors(s.labels(), gold, batch.classes(), priors,
                0.01, iterations);

        List<ItemEstimate> items = fast.items();
        for (int i = 0; i < items.size(); i++) {
            double[] expected = reference.get(items.get(i).item());
            double[] actual = fast.posterior(i);
            for (int j = 0; j < classes; j++) {
                assertThat(actual[j]).as("item %s class %d", items.get(i).item(), j).isCloseTo(expected[j], within(1e-9));
            }
        }
    }
}
