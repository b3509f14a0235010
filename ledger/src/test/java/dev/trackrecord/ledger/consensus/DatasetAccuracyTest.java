package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.api.Test;

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

    /** DS with 10% of the truth revealed as gold, scored on the other 90%. */
    static double anchoredAccuracy(Datasets d) {
        LabelBatch batch = LabelBatch.of(d.labels(), d.revealed(REVEALED, 7));
        return Consensus.dawidSkene(batch).agreementWith(d.truth()).accuracy();
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

    @Test
    void printTable() {
        System.out.printf("%-10s %6s %6s %8s %6s %6s %7s %7s%n", "dataset", "items", "workers", "labels", "MV",
                "1-coin", "DS", "DS+gold");
        for (Datasets d : Datasets.values()) {
            LabelBatch b = d.batch();
            System.out.printf("%-10s %6d %6d %8d %6.4f %6.4f %7.4f %7.4f%n", d.name(), b.itemCount(),
                    b.contractorCount(), b.labelCount(), accuracy(d, Method.MAJORITY_VOTE), accuracy(d, Method.ONE_COIN),
                    accuracy(d, Method.DAWID_SKENE), anchoredAccuracy(d));
        }
        assertThat(Map.of()).isEmpty();
    }
}
