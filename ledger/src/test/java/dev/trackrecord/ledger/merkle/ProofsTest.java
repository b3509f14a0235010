package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProofsTest {

    private static final int SMALL = 70;
    private static final List<byte[]> LEAVES = TestTrees.leafHashes(SMALL);
    private static final MemoryTree TREE = TestTrees.memoryTree(LEAVES);

    @Test
    void root_sizeZero_isEmptyRoot() {
        assertThat(Proofs.root(0, new MemoryTree())).isEqualTo(Rfc9162.emptyRoot());
    }

    @Test
    void root_negativeSize_throws() {
        assertThatThrownBy(() -> Proofs.root(-1, TREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tree size must not be negative");
    }

    @Test
    void inclusionProof_everyLeafOfSmallTrees_equalsReferenceAndVerifies() throws ProofException {
        for (int size = 1; size <= SMALL; size++) {
            List<byte[]> leaves = LEAVES.subList(0, size);
            byte[] root = ReferenceMerkle.mth(leaves);
            for (int index = 0; index < size; index++) {
                TestTrees.StrictReader reader = new TestTrees.StrictReader(TREE, size);

                List<byte[]> proof = Proofs.inclusionProof(index, size, reader);

                assertThat(proof).as("PATH(%d, D[%d])", index, size)
                        .containsExactlyElementsOf(ReferenceMerkle.path(index, leaves));
                assertThat(reader.reads).as("reads for PATH(%d, D[%d])", index, size)
                        .isLessThanOrEqualTo(2 * bitLength(size));
                ProofVerifier.verifyInclusion(index, size, leaves.get(index), proof, root);
            }
        }
    }

    @Test
    void consistencyProof_everyPairOfSmallSizes_equalsReferenceAndVerifies() throws ProofException {
        for (int size2 = 1; size2 <= SMALL; size2++) {
            List<byte[]> leaves = LEAVES.subList(0, size2);
            byte[] root2 = ReferenceMerkle.mth(leaves);
            for (int size1 = 1; size1 <= size2; size1++) {
                TestTrees.StrictReader reader = new TestTrees.StrictReader(TREE, size2);

                List<byte[]> proof = Proofs.consistencyProof(size1, size2, reader);

                assertThat(proof).as("PROOF(%d, D[%d])", size1, size2)
                        .containsExactlyElementsOf(ReferenceMerkle.proof(size1, leaves));
                assertThat(reader.reads).isLessThanOrEqualTo(2 * bitLength(size2) + 1);
                byte[] root1 = ReferenceMerkle.mth(leaves.subList(0, size1));
                ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2);
            }
        }
    }

    @ParameterizedTest(name = "index {0} in tree of 5")
    @ValueSource(longs = {-1, 5, 6, Long.MAX_VALUE})
    void inclusionProof_indexOutsideTree_throws(long index) {
        assertThatThrownBy(() -> Proofs.inclusionProof(index, 5, TREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires 0 <= index < size");
    }

    @Test
    void inclusionProof_emptyTree_throws() {
        assertThatThrownBy(() -> Proofs.inclusionProof(0, 0, TREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaf index 0 is not in a tree of size 0");
    }

    @Test
    void consistencyProof_size1Zero_throws() {
        assertThatThrownBy(() -> Proofs.consistencyProof(0, 5, TREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires 0 < size1 <= size2");
    }

    @Test
    void consistencyProof_size1AboveSize2_throws() {
        assertThatThrownBy(() -> Proofs.consistencyProof(6, 5, TREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no consistency proof from size1 6 to size2 5");
    }

    @Test
    void consistencyProof_equalSizes_isEmptyWithoutReads() {
        TestTrees.StrictReader reader = new TestTrees.StrictReader(TREE, 9);

        assertThat(Proofs.consistencyProof(9, 9, reader)).isEmpty();
        assertThat(reader.reads).isZero();
    }

    @Test
    void inclusionProof_isUnmodifiable() {
        List<byte[]> proof = Proofs.inclusionProof(3, 9, TREE);

        assertThatThrownBy(() -> proof.set(0, new byte[32])).isInstanceOf(UnsupportedOperationException.class);
    }

    /**
     * Sizes far beyond memory, on a tree whose leaves are all equal, so a node's hash depends
     * only on its level: generation, verification and CompactRange must agree, with no
     * overflow and O(log n) reads.
     */
    @ParameterizedTest(name = "tree size {0}")
    @ValueSource(longs = {
        10_000_000L, 1L << 40, (1L << 40) + 12_345, (1L << 62) + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void proofs_hugeTreeOfEqualLeaves_verifyWithLogarithmicReads(long size) {
        NodeReader equalLeaves = equalLeavesTree();
        byte[] root = Proofs.root(size, new TestTrees.StrictReader(equalLeaves, size));
        assertThat(CompactRange.fromNodes(size, equalLeaves).root()).isEqualTo(root);

        SplittableRandom random = new SplittableRandom(size);
        for (int i = 0; i < 200; i++) {
            long index = i < 3 ? new long[] {0, size / 2, size - 1}[i] : random.nextLong(size);
            TestTrees.StrictReader reader = new TestTrees.StrictReader(equalLeaves, size);
            List<byte[]> inclusion = Proofs.inclusionProof(index, size, reader);

            assertThat(reader.reads).isLessThanOrEqualTo(2 * bitLength(size));
            assertThatCode(() -> ProofVerifier.verifyInclusion(index, size, equalLeaves.node(0, 0), inclusion, root))
                    .as("inclusion of %d", index).doesNotThrowAnyException();

            long size1 = 1 + random.nextLong(size);
            byte[] root1 = Proofs.root(size1, equalLeaves);
            List<byte[]> consistency = Proofs.consistencyProof(size1, size, equalLeaves);
            assertThatCode(() -> ProofVerifier.verifyConsistency(size1, size, consistency, root1, root))
                    .as("consistency from %d", size1).doesNotThrowAnyException();
        }
    }

    private static NodeReader equalLeavesTree() {
        byte[][] levels = new byte[63][];
        levels[0] = Rfc9162.leafHash(new byte[] {42});
        for (int level = 1; level < levels.length; level++) {
            levels[level] = Rfc9162.nodeHash(levels[level - 1], levels[level - 1]);
        }
        return (level, index) -> levels[level];
    }

    private static int bitLength(long n) {
        return Long.SIZE - Long.numberOfLeadingZeros(n);
    }
}
