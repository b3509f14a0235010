package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Accuracy of the aggregated labels against the published ground truth, majority vote
 * beside Dawid-Skene. Prints the table of {@code docs/consensus.md}:
 * {@code mvn -B -o -q -pl ledger -am test -Dtest=DatasetAccuracyTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class DatasetAccuracyTest {

    static final double REVEALED = 0.10;

    static double accuracy(Datasets d, Method method) {
        return Consensus.estimate(d.batch(), ConsensusOptions.defaults(method)).agreementWith(d.truth()).accuracy();
    }

    /** {DS, DS with 10% of the truth revealed as gold}, both scored on the other 90%. */
    static double[] anchoredAccuracy(Datasets d) {
        Map<String, String> revealed = d.revealed(REVEALED, 7);
        Map<String, String> rest = new HashMap<>(d.truth());
        rest.keySet().removeAll(revealed.keySet());
        return new double[] {Consensus.dawidSkene(d.batch()).agreementWith(rest).accuracy(),
                Consensus.dawidSkene(LabelBatch.of(d.labels(), revealed)).agreementWith(rest).accuracy()};
    }

    @Test
    void dawidSkene_snowRte_beatsMajorityVoteAndReachesPublished() {
        assertThat(accuracy(Datasets.RTE, Method.DAWID_SKENE)).isGreaterThanOrEqualTo(0.925);
        assertThat(accuracy(Datasets.RTE, Method.MAJORITY_VOTE)).isLessThan(0.91);
    }

    @Test
    void dawidSkene_snowTemp_reachesPublished() {
        assertThat(accuracy(Datasets.TEMP, Method.DAWID_SKENE)).isGreaterThanOrEqualTo(0.94);
    }

    @Test
    void dawidSkene_bluebirds_fullConfusionNeeded() {
        assertThat(accuracy(Datasets.BLUEBIRDS, Method.DAWID_SKENE)).isGreaterThanOrEqualTo(0.89);
        assertThat(accuracy(Datasets.BLUEBIRDS, Method.MAJORITY_VOTE)).isLessThan(0.77);
    }

    @Test
    void dawidSkene_zhengSets_noWorseThanMajorityVote() {
        for (Datasets d : new Datasets[] {Datasets.PRODUCT, Datasets.DOG, Datasets.FACE, Datasets.DUCK}) {
            assertThat(accuracy(d, Method.DAWID_SKENE)).as(d.name())
                    .isGreaterThanOrEqualTo(accuracy(d, Method.MAJORITY_VOTE) - 0.005);
        }
    }

    /** Prints the table; DS+gold and the DS beside it are measured on the 90% of items not revealed. */
    @Test
    void printTable() {
        System.out.printf("%-10s %6s %7s %7s %7s %7s %7s %7s %7s%n", "dataset", "items", "workers", "labels", "MV",
                "1-coin", "DS", "DS 90%", "DS+gold");
        for (Datasets d : Datasets.values()) {
            LabelBatch b = d.batch();
            double[] anchored = anchoredAccuracy(d);
            System.out.printf("%-10s %6d %7d %7d %7.4f %7.4f %7.4f %7.4f %7.4f%n", d.name(), b.itemCount(),
                    b.contractorCount(), b.labelCount(), accuracy(d, Method.MAJORITY_VOTE), accuracy(d, Method.ONE_COIN),
                    accuracy(d, Method.DAWID_SKENE), anchored[0], anchored[1]);
        }
        assertThat(anchoredAccuracy(Datasets.TEMP)[1]).isGreaterThan(0.9);
    }
}
