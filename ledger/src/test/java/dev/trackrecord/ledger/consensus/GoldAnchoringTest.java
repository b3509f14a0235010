package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Revealing some truth as gold clamps those items and does not hurt the others. */
class GoldAnchoringTest {

    /**
     * Over five random reveals, the mean accuracy on the unrevealed items stays within half a
     * point of plain DS on the same items. On these data sets gold moves one or two items in
     * 500 either way (the means are printed and listed in docs/consensus.md); it matters when
     * the crowd is wrong, see {@link #revealedGold_adversarialMajority_recoversTruth}.
     */
    @ParameterizedTest
    @CsvSource({"RTE, 0.1", "RTE, 0.3", "TEMP, 0.1", "TEMP, 0.3", "BLUEBIRDS, 0.1", "BLUEBIRDS, 0.3",
            "PRODUCT, 0.1", "DOG, 0.1", "DOG, 0.3"})
    void revealedGold_accuracyOnTheRestDoesNotDrop(Datasets d, double fraction) {
        double gain = 0;
        ConsensusResult plain = Consensus.dawidSkene(d.batch());
        for (int seed = 1; seed <= 5; seed++) {
            Map<String, String> revealed = d.revealed(fraction, seed);
            Map<String, String> rest = new HashMap<>(d.truth());
            rest.keySet().removeAll(revealed.keySet());
            ConsensusResult.Agreement anchored = Consensus.dawidSkene(LabelBatch.of(d.labels(), revealed)).agreementWith(rest);
            assertThat(anchored.items()).isEqualTo(rest.size());
            gain += anchored.accuracy() - plain.agreementWith(rest).accuracy();
        }
        System.out.printf("%s %.1f mean change %+.4f%n", d, fraction, gain / 5);
        assertThat(gain / 5).isGreaterThanOrEqualTo(-0.005);
    }

    @ParameterizedTest
    @CsvSource({"RTE", "BLUEBIRDS", "DOG"})
    void revealedGold_anchoredItemsEqualTheirGold(Datasets d) {
        Map<String, String> revealed = d.revealed(0.2, 5);
        ConsensusResult r = Consensus.dawidSkene(LabelBatch.of(d.labels(), revealed));
        int anchored = 0;
        for (ItemEstimate item : r.items()) {
            String gold = revealed.get(item.item());
            assertThat(item.gold()).isEqualTo(gold != null);
            if (gold != null) {
                anchored++;
                assertThat(item.label()).isEqualTo(gold);
                assertThat(item.posterior()).isEqualTo(1.0);
            }
        }
        assertThat(anchored).isEqualTo(revealed.size());
    }

    @ParameterizedTest
    @CsvSource({"RTE", "BLUEBIRDS"})
    void allGold_contractorAccuracyIsTheirGoldAgreement(Datasets d) {
        ConsensusResult r = Consensus.dawidSkene(LabelBatch.of(d.labels(), d.truth()));
        Map<String, int[]> counts = new HashMap<>();
        for (Label l : d.labels()) {
            int[] c = counts.computeIfAbsent(l.contractor(), k -> new int[2]);
            c[0] += l.label().equals(d.truth().get(l.item())) ? 1 : 0;
            c[1]++;
        }
        // With every item clamped, the confusion rows are gold counts; on a balanced enough
        // batch the class-weighted diagonal is close to the plain share of right labels.
        for (ContractorEstimate c : r.contractors()) {
            int[] n = counts.get(c.contractor());
            if (n[1] >= 40) {
                assertThat(c.accuracy()).as(c.contractor()).isCloseTo(n[0] / (double) n[1], within(0.08));
            }
        }
    }

    /**
     * Five of seven contractors answer the opposite of the truth 70% of the time. Majority vote
     * and unanchored DS follow them; 10% gold tells EM which way round the classes are.
     */
    @org.junit.jupiter.api.Test
    void revealedGold_adversarialMajority_recoversTruth() {
        Synthetic s = Synthetic.generate(400, new double[] {0.3, 0.3, 0.3, 0.3, 0.3, 0.9, 0.9}, 7, 2, 42);
        LabelBatch plainBatch = LabelBatch.of(s.labels(), Map.of());
        double mv = Consensus.estimate(plainBatch, ConsensusOptions.defaults(Method.MAJORITY_VOTE))
                .agreementWith(s.truth()).accuracy();
        double plain = Consensus.dawidSkene(plainBatch).agreementWith(s.truth()).accuracy();
        Map<String, String> revealed = new HashMap<>();
        s.truth().forEach((item, label) -> {
            if (Integer.parseInt(item.substring(1)) % 10 == 0) {
                revealed.put(item, label);
            }
        });
        Map<String, String> rest = new HashMap<>(s.truth());
        rest.keySet().removeAll(revealed.keySet());
        double anchored = Consensus.dawidSkene(LabelBatch.of(s.labels(), revealed)).agreementWith(rest).accuracy();

        assertThat(mv).isLessThan(0.5);
        assertThat(plain).isLessThan(0.5);
        assertThat(anchored).isGreaterThan(0.95);
    }
}
