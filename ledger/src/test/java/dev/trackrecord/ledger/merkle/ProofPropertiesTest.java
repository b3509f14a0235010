package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The fast proofs against {@link ReferenceMerkle}, the RFC's recursive definitions, on random
 * trees of up to 3000 leaves: they must be equal and verify, and any change to a proof, its
 * index or its sizes must make verification fail. All sizes share one tree, so proofs for a
 * size below the tree's also check that earlier sizes are served from the same nodes.
 */
class ProofPropertiesTest {

    private static final int MAX_SIZE = 3000;
    private static final List<byte[]> LEAVES = TestTrees.leafHashes(MAX_SIZE);
    private static final MemoryTree TREE = TestTrees.memoryTree(LEAVES);
    /** Roots at every size from a CompactRange that appended every leaf. */
    private static final List<byte[]> APPENDED_ROOTS = appendedRoots();
    private static final Map<Integer, byte[]> REFERENCE_ROOTS = new ConcurrentHashMap<>();

    record Leaf(int index, int treeSize) {
    }

    record Sizes(int size1, int size2) {
    }

    @Provide
    Arbitrary<Leaf> leaves() {
        return Arbitraries.integers().between(1, MAX_SIZE)
                .flatMap(size -> Arbitraries.integers().between(0, size - 1).map(index -> new Leaf(index, size)));
    }

    @Provide
    Arbitrary<Sizes> sizePairs() {
        return Arbitraries.integers().between(1, MAX_SIZE)
                .flatMap(size2 -> Arbitraries.integers().between(1, size2).map(size1 -> new Sizes(size1, size2)));
    }

    @Property(tries = 500)
    void root_equalsReference(@ForAll @IntRange(min = 0, max = MAX_SIZE) int size) {
        assertThat(Proofs.root(size, new TestTrees.StrictReader(TREE, size))).isEqualTo(referenceRoot(size));
        assertThat(APPENDED_ROOTS.get(size)).isEqualTo(referenceRoot(size));
    }

    @Property(tries = 500)
    void inclusionProof_equalsReferenceAndVerifies(@ForAll("leaves") Leaf leaf) throws ProofException {
        List<byte[]> proof = inclusionProof(leaf);

        assertThat(proof).containsExactlyElementsOf(
                ReferenceMerkle.path(leaf.index(), LEAVES.subList(0, leaf.treeSize())));
        ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(), LEAVES.get(leaf.index()), proof,
                referenceRoot(leaf.treeSize()));
    }

    @Property(tries = 500)
    void consistencyProof_equalsReferenceAndVerifies(@ForAll("sizePairs") Sizes sizes) throws ProofException {
        List<byte[]> proof = consistencyProof(sizes);

        assertThat(proof).containsExactlyElementsOf(
                ReferenceMerkle.proof(sizes.size1(), LEAVES.subList(0, sizes.size2())));
        ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                referenceRoot(sizes.size1()), referenceRoot(sizes.size2()));
    }

    @Property(tries = 500)
    void verifyInclusion_flippedBit_fails(@ForAll("leaves") Leaf leaf,
            @ForAll @IntRange(min = 0, max = 63) int hashPick, @ForAll @IntRange(min = 0, max = 255) int bit) {
        List<byte[]> proof = new ArrayList<>(inclusionProof(leaf));
        Assume.that(!proof.isEmpty());
        int at = hashPick % proof.size();
        proof.set(at, TestTrees.flipBit(proof.get(at), bit));

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                LEAVES.get(leaf.index()), proof, referenceRoot(leaf.treeSize())))
                .isInstanceOf(ProofException.RootMismatch.class);
    }

    @Property(tries = 500)
    void verifyInclusion_flippedBitInLeafOrRoot_fails(@ForAll("leaves") Leaf leaf,
            @ForAll @IntRange(min = 0, max = 255) int bit) {
        List<byte[]> proof = inclusionProof(leaf);
        byte[] leafHash = LEAVES.get(leaf.index());
        byte[] root = referenceRoot(leaf.treeSize());

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                TestTrees.flipBit(leafHash, bit), proof, root)).isInstanceOf(ProofException.RootMismatch.class);
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                leafHash, proof, TestTrees.flipBit(root, bit))).isInstanceOf(ProofException.RootMismatch.class);
    }

    @Property(tries = 500)
    void verifyInclusion_otherIndex_fails(@ForAll("leaves") Leaf leaf,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int shift) {
        Assume.that(leaf.treeSize() > 1);
        List<byte[]> proof = inclusionProof(leaf);
        int other = (leaf.index() + 1 + shift % (leaf.treeSize() - 1)) % leaf.treeSize();

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(other, leaf.treeSize(), LEAVES.get(leaf.index()),
                proof, referenceRoot(leaf.treeSize()))).isInstanceOf(ProofException.class);
    }

    /** A proof for one size proves nothing about the checkpoint (size, root) of another. */
    @Property(tries = 500)
    void verifyInclusion_otherTreeSize_failsAgainstItsRoot(@ForAll("leaves") Leaf leaf,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherSize) {
        Assume.that(otherSize != leaf.treeSize());
        List<byte[]> proof = inclusionProof(leaf);

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), otherSize, LEAVES.get(leaf.index()),
                proof, referenceRoot(otherSize))).isInstanceOf(ProofException.class);
    }

    @Property(tries = 500)
    void verifyConsistency_flippedBit_fails(@ForAll("sizePairs") Sizes sizes,
            @ForAll @IntRange(min = 0, max = 63) int hashPick, @ForAll @IntRange(min = 0, max = 255) int bit) {
        List<byte[]> proof = new ArrayList<>(consistencyProof(sizes));
        Assume.that(!proof.isEmpty());
        int at = hashPick % proof.size();
        proof.set(at, TestTrees.flipBit(proof.get(at), bit));

        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                referenceRoot(sizes.size1()), referenceRoot(sizes.size2())))
                .isInstanceOf(ProofException.RootMismatch.class);
    }

    @Property(tries = 500)
    void verifyConsistency_flippedBitInRoot_fails(@ForAll("sizePairs") Sizes sizes,
            @ForAll @IntRange(min = 0, max = 255) int bit) {
        List<byte[]> proof = consistencyProof(sizes);
        byte[] root1 = referenceRoot(sizes.size1());
        byte[] root2 = referenceRoot(sizes.size2());

        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                TestTrees.flipBit(root1, bit), root2)).isInstanceOf(ProofException.RootMismatch.class);
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                root1, TestTrees.flipBit(root2, bit))).isInstanceOf(ProofException.RootMismatch.class);
    }

    @Property(tries = 500)
    void verifyConsistency_otherSize1_failsAgainstItsRoot(@ForAll("sizePairs") Sizes sizes,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherSize1) {
        Assume.that(otherSize1 != sizes.size1());
        List<byte[]> proof = consistencyProof(sizes);

        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(otherSize1, sizes.size2(), proof,
                referenceRoot(otherSize1), referenceRoot(sizes.size2()))).isInstanceOf(ProofException.class);
    }

    @Property(tries = 500)
    void verifyConsistency_otherSize2_failsAgainstItsRoot(@ForAll("sizePairs") Sizes sizes,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherSize2) {
        Assume.that(otherSize2 != sizes.size2());
        List<byte[]> proof = consistencyProof(sizes);

        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), otherSize2, proof,
                referenceRoot(sizes.size1()), referenceRoot(otherSize2))).isInstanceOf(ProofException.class);
    }

    @Property(tries = 100)
    void compactRange_rebuiltFromNodes_continuesWithSameRoots(@ForAll @IntRange(min = 0, max = MAX_SIZE) int size) {
        TestTrees.StrictReader reader = new TestTrees.StrictReader(TREE, size);
        CompactRange rebuilt = CompactRange.fromNodes(size, reader);

        assertThat(reader.reads).isEqualTo(Integer.bitCount(size));
        assertThat(rebuilt.root()).isEqualTo(APPENDED_ROOTS.get(size));
        for (int n = size; n < Math.min(size + 300, MAX_SIZE); n++) {
            rebuilt.append(LEAVES.get(n),
                    (level, index, hash) -> assertThat(hash).isEqualTo(TREE.node(level, index)));
            assertThat(rebuilt.root()).as("root at %d after rebuilding at %d", n + 1, size)
                    .isEqualTo(APPENDED_ROOTS.get(n + 1));
        }
    }

    private static List<byte[]> inclusionProof(Leaf leaf) {
        return Proofs.inclusionProof(leaf.index(), leaf.treeSize(),
                new TestTrees.StrictReader(TREE, leaf.treeSize()));
    }

    private static List<byte[]> consistencyProof(Sizes sizes) {
        return Proofs.consistencyProof(sizes.size1(), sizes.size2(), new TestTrees.StrictReader(TREE, sizes.size2()));
    }

    private static byte[] referenceRoot(int size) {
        return REFERENCE_ROOTS.computeIfAbsent(size, n -> ReferenceMerkle.mth(LEAVES.subList(0, n)));
    }

    private static List<byte[]> appendedRoots() {
        List<byte[]> roots = new ArrayList<>(MAX_SIZE + 1);
        CompactRange range = CompactRange.empty();
        roots.add(range.root());
        for (byte[] leaf : LEAVES) {
            range.append(leaf, (level, index, hash) -> { });
            roots.add(range.root());
        }
        return roots;
    }
}
