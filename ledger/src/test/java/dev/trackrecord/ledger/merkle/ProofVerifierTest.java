package dev.trackrecord.ledger.merkle;

import static dev.trackrecord.ledger.merkle.TestTrees.HEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ProofVerifierTest {

    private static final List<byte[]> LEAVES = TestTrees.rfc6962LeafHashes();
    private static final MemoryTree TREE = TestTrees.memoryTree(LEAVES);
    private static final byte[] ROOT7 = Proofs.root(7, TREE);
    private static final byte[] ROOT8 = Proofs.root(8, TREE);

    @Test
    void rootFromInclusionProof_returnsRootOfTree() throws ProofException {
        List<byte[]> proof = Proofs.inclusionProof(5, 7, TREE);

        assertThat(ProofVerifier.rootFromInclusionProof(5, 7, LEAVES.get(5), proof)).isEqualTo(ROOT7);
    }

    @Test
    void verifyInclusion_flippedBit_failsWithBothRoots() {
        List<byte[]> proof = new ArrayList<>(Proofs.inclusionProof(2, 8, TREE));
        proof.set(1, TestTrees.flipBit(proof.get(1), 77));

        var e = thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyInclusion(2, 8, LEAVES.get(2), proof, ROOT8));

        assertThat(e.rootName()).isEqualTo("root");
        assertThat(e.expectedRoot()).isEqualTo(ROOT8);
        assertThat(e.calculatedRoot()).isNotEqualTo(ROOT8).hasSize(32);
        assertThat(e).hasMessage("calculated root " + HEX.formatHex(e.calculatedRoot())
                + " does not match expected root " + HEX.formatHex(ROOT8));
    }

    @Test
    void verifyInclusion_wrongLeaf_failsWithRootMismatch() {
        List<byte[]> proof = Proofs.inclusionProof(2, 8, TREE);

        thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyInclusion(2, 8, LEAVES.get(3), proof, ROOT8));
    }

    @Test
    void verifyInclusion_indexEqualsSize_failsWithIndexOutOfRange() {
        var e = thrown(ProofException.IndexOutOfRange.class,
                () -> ProofVerifier.verifyInclusion(8, 8, LEAVES.get(0), List.of(), ROOT8));

        assertThat(e.index()).isEqualTo(8);
        assertThat(e.treeSize()).isEqualTo(8);
        assertThat(e).hasMessageContaining("leaf index 8 is not in a tree of size 8");
    }

    @Test
    void verifyInclusion_negativeIndex_failsWithIndexOutOfRange() {
        thrown(ProofException.IndexOutOfRange.class,
                () -> ProofVerifier.verifyInclusion(-1, 8, LEAVES.get(0), List.of(), ROOT8));
    }

    @Test
    void verifyInclusion_extraHash_failsWithWrongProofLength() {
        List<byte[]> proof = new ArrayList<>(Proofs.inclusionProof(0, 8, TREE));
        proof.add(ROOT8);

        var e = thrown(ProofException.WrongProofLength.class,
                () -> ProofVerifier.verifyInclusion(0, 8, LEAVES.get(0), proof, ROOT8));

        assertThat(e.expected()).isEqualTo(3);
        assertThat(e.actual()).isEqualTo(4);
        assertThat(e).hasMessage("inclusion proof for index 0 in tree size 8 has 4 hashes, want 3");
    }

    @Test
    void verifyInclusion_shortLeafHash_failsWithWrongHashLength() {
        var e = thrown(ProofException.WrongHashLength.class,
                () -> ProofVerifier.verifyInclusion(0, 1, new byte[0], List.of(), new byte[0]));

        assertThat(e.hashName()).isEqualTo("leaf hash");
        assertThat(e.actual()).isZero();
    }

    @Test
    void verifyInclusion_shortProofHash_failsWithWrongHashLengthAtPosition() {
        List<byte[]> proof = new ArrayList<>(Proofs.inclusionProof(0, 8, TREE));
        proof.set(1, new byte[31]);

        var e = thrown(ProofException.WrongHashLength.class,
                () -> ProofVerifier.verifyInclusion(0, 8, LEAVES.get(0), proof, ROOT8));

        assertThat(e).hasMessage("proof[1] has 31 bytes, want 32");
    }

    @Test
    void verifyInclusion_sizeIsNotHashedIntoRoot_proofForSize8AlsoGivesRoot8AtSize7() {
        // Leaf 4's path has the same shape in trees of 7 and 8 leaves, so the size-8 proof
        // computes root8 at size 7 too. Only a checkpoint binding (size, root) catches this,
        // which is why callers take both from one signed checkpoint.
        List<byte[]> proof = Proofs.inclusionProof(4, 8, TREE);

        assertThatCode(() -> ProofVerifier.verifyInclusion(4, 7, LEAVES.get(4), proof, ROOT8))
                .doesNotThrowAnyException();
        thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyInclusion(4, 7, LEAVES.get(4), proof, ROOT7));
    }

    @Test
    void verifyConsistency_size1Zero_failsWithInvalidSizes() {
        var e = thrown(ProofException.InvalidSizes.class,
                () -> ProofVerifier.verifyConsistency(0, 8, List.of(), Rfc9162.emptyRoot(), ROOT8));

        assertThat(e.size1()).isZero();
        assertThat(e.size2()).isEqualTo(8);
        assertThat(e).hasMessageContaining("requires 0 < size1 <= size2");
    }

    @Test
    void verifyConsistency_bothSizesZero_failsWithInvalidSizes() {
        thrown(ProofException.InvalidSizes.class,
                () -> ProofVerifier.verifyConsistency(0, 0, List.of(), Rfc9162.emptyRoot(), Rfc9162.emptyRoot()));
    }

    @Test
    void verifyConsistency_size1AboveSize2_failsWithInvalidSizes() {
        thrown(ProofException.InvalidSizes.class,
                () -> ProofVerifier.verifyConsistency(8, 7, List.of(), ROOT8, ROOT7));
    }

    @Test
    void verifyConsistency_equalSizesAndRoots_passes() {
        assertThatCode(() -> ProofVerifier.verifyConsistency(8, 8, List.of(), ROOT8, ROOT8.clone()))
                .doesNotThrowAnyException();
    }

    @Test
    void verifyConsistency_equalSizesDifferentRoots_failsWithRootMismatch() {
        var e = thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyConsistency(8, 8, List.of(), ROOT7, ROOT8));

        assertThat(e.rootName()).isEqualTo("root2");
    }

    @Test
    void verifyConsistency_equalSizesNonEmptyProof_failsWithWrongProofLength() {
        var e = thrown(ProofException.WrongProofLength.class,
                () -> ProofVerifier.verifyConsistency(8, 8, List.of(ROOT8), ROOT8, ROOT8));

        assertThat(e.expected()).isZero();
        assertThat(e.actual()).isEqualTo(1);
    }

    @Test
    void verifyConsistency_emptyProof_failsWithWrongProofLength() {
        var e = thrown(ProofException.WrongProofLength.class,
                () -> ProofVerifier.verifyConsistency(7, 8, List.of(), ROOT7, ROOT8));

        assertThat(e.expected()).isEqualTo(Proofs.consistencyProof(7, 8, TREE).size());
    }

    @Test
    void verifyConsistency_wrongRoot1_failsWithRootMismatchOnRoot1() {
        List<byte[]> proof = Proofs.consistencyProof(6, 8, TREE);

        var e = thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyConsistency(6, 8, proof, ROOT7, ROOT8));

        assertThat(e.rootName()).isEqualTo("root1");
        assertThat(e.expectedRoot()).isEqualTo(ROOT7);
        assertThat(e.calculatedRoot()).isEqualTo(Proofs.root(6, TREE));
    }

    @Test
    void verifyConsistency_wrongRoot2_failsWithRootMismatchOnRoot2() {
        List<byte[]> proof = Proofs.consistencyProof(6, 8, TREE);

        var e = thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyConsistency(6, 8, proof, Proofs.root(6, TREE), ROOT7));

        assertThat(e.rootName()).isEqualTo("root2");
        assertThat(e.calculatedRoot()).isEqualTo(ROOT8);
    }

    @Test
    void verifyConsistency_flippedBit_fails() {
        List<byte[]> proof = new ArrayList<>(Proofs.consistencyProof(3, 7, TREE));
        proof.set(3, TestTrees.flipBit(proof.get(3), 255));

        thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyConsistency(3, 7, proof, Proofs.root(3, TREE), ROOT7));
    }

    @Test
    void rootMismatch_evidenceIsCopied() {
        var e = thrown(ProofException.RootMismatch.class,
                () -> ProofVerifier.verifyConsistency(8, 8, List.of(), ROOT7, ROOT8));

        e.expectedRoot()[0] ^= 1;

        assertThat(e.expectedRoot()).isEqualTo(ROOT8);
    }

    /** The exception {@code call} throws, failing the test unless it is a {@code type}. */
    private static <T extends ProofException> T thrown(Class<T> type, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(type);
        return type.cast(thrown);
    }
}
