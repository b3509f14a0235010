package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The fast proofs against {@link ReferenceMerkle}, the RFC's recursive definitions, on random
 * trees of up to 3000 leaves: they must be equal and verify, and any change to a proof, its
 * index or its sizes must make verification fail. All sizes share one tree, so proofs for a
 * size below the tree's also check that earlier sizes are served from the same nodes.
 *
 * <p>Each test first runs the sizes where the tree's shape changes ({@link #EDGE_SIZES}), then
 * {@link #TRIES} cases drawn from a {@link SplittableRandom} with the test's own fixed seed, so
 * every run checks the same cases. A failure names the try and every generated value, which is
 * all it takes to repeat it as a single case.
 */
class ProofPropertiesTest {

    private static final int MAX_SIZE = 3000;
    /** Random cases per test, after the edge cases. */
    private static final int TRIES = 500;
    /** 1, 2, every power of two up to MAX_SIZE with its neighbours, and the largest sizes. */
    private static final List<Integer> EDGE_SIZES = edgeSizes();
    private static final List<byte[]> LEAVES = TestTrees.leafHashes(MAX_SIZE);
    private static final MemoryTree TREE = TestTrees.memoryTree(LEAVES);
    /** Roots at every size from a CompactRange that appended every leaf. */
    private static final List<byte[]> APPENDED_ROOTS = appendedRoots();
    private static final Map<Integer, byte[]> REFERENCE_ROOTS = new ConcurrentHashMap<>();

    record Leaf(int index, int treeSize) {
    }

    record Sizes(int size1, int size2) {
    }

    @Test
    void root_edgeAndRandomSizes_equalsReference() {
        List<Integer> sizes = sizes(new SplittableRandom(0x9162_0001L), 0);
        for (int t = 0; t < sizes.size(); t++) {
            int size = sizes.get(t);

            assertThat(Proofs.root(size, new TestTrees.StrictReader(TREE, size)))
                    .as("try %d: Proofs.root at size %d", t, size).isEqualTo(referenceRoot(size));
            assertThat(APPENDED_ROOTS.get(size))
                    .as("try %d: CompactRange root at size %d", t, size).isEqualTo(referenceRoot(size));
        }
    }

    @Test
    void inclusionProof_edgeAndRandomLeaves_equalsReferenceAndVerifies() {
        List<Leaf> leaves = leaves(new SplittableRandom(0x9162_0002L), 1);
        for (int t = 0; t < leaves.size(); t++) {
            Leaf leaf = leaves.get(t);
            List<byte[]> proof = inclusionProof(leaf);

            assertThat(proof).as("try %d: %s, PATH(%d, D[%d])", t, leaf, leaf.index(), leaf.treeSize())
                    .containsExactlyElementsOf(
                            ReferenceMerkle.path(leaf.index(), LEAVES.subList(0, leaf.treeSize())));
            assertThatCode(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                    LEAVES.get(leaf.index()), proof, referenceRoot(leaf.treeSize())))
                    .as("try %d: %s verifies", t, leaf).doesNotThrowAnyException();
        }
    }

    @Test
    void consistencyProof_edgeAndRandomSizes_equalsReferenceAndVerifies() {
        List<Sizes> pairs = sizePairs(new SplittableRandom(0x9162_0003L), 0);
        for (int t = 0; t < pairs.size(); t++) {
            Sizes sizes = pairs.get(t);
            List<byte[]> proof = consistencyProof(sizes);

            assertThat(proof).as("try %d: %s, PROOF(%d, D[%d])", t, sizes, sizes.size1(), sizes.size2())
                    .containsExactlyElementsOf(
                            ReferenceMerkle.proof(sizes.size1(), LEAVES.subList(0, sizes.size2())));
            assertThatCode(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                    referenceRoot(sizes.size1()), referenceRoot(sizes.size2())))
                    .as("try %d: %s verifies", t, sizes).doesNotThrowAnyException();
        }
    }

    /** Flips a random bit in each hash of the proof in turn. */
    @Test
    void verifyInclusion_flippedBit_fails() {
        SplittableRandom random = new SplittableRandom(0x9162_0004L);
        // A tree of one leaf has an empty proof, with no bit to flip.
        List<Leaf> leaves = leaves(random, 2);
        for (int t = 0; t < leaves.size(); t++) {
            Leaf leaf = leaves.get(t);
            List<byte[]> proof = inclusionProof(leaf);
            assertThat(proof).as("try %d: %s", t, leaf).isNotEmpty();
            for (int at = 0; at < proof.size(); at++) {
                int bit = random.nextInt(256);
                List<byte[]> modified = new ArrayList<>(proof);
                modified.set(at, TestTrees.flipBit(proof.get(at), bit));

                assertThatExceptionOfType(ProofException.RootMismatch.class)
                        .as("try %d: %s, bit %d of proof[%d]", t, leaf, bit, at)
                        .isThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                                LEAVES.get(leaf.index()), modified, referenceRoot(leaf.treeSize())));
            }
        }
    }

    @Test
    void verifyInclusion_flippedBitInLeafOrRoot_fails() {
        SplittableRandom random = new SplittableRandom(0x9162_0005L);
        List<Leaf> leaves = leaves(random, 1);
        for (int t = 0; t < leaves.size(); t++) {
            Leaf leaf = leaves.get(t);
            int bit = random.nextInt(256);
            List<byte[]> proof = inclusionProof(leaf);
            byte[] leafHash = LEAVES.get(leaf.index());
            byte[] root = referenceRoot(leaf.treeSize());

            assertThatExceptionOfType(ProofException.RootMismatch.class)
                    .as("try %d: %s, bit %d of the leaf hash", t, leaf, bit)
                    .isThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                            TestTrees.flipBit(leafHash, bit), proof, root));
            assertThatExceptionOfType(ProofException.RootMismatch.class)
                    .as("try %d: %s, bit %d of the root", t, leaf, bit)
                    .isThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), leaf.treeSize(),
                            leafHash, proof, TestTrees.flipBit(root, bit)));
        }
    }

    @Test
    void verifyInclusion_otherIndex_fails() {
        SplittableRandom random = new SplittableRandom(0x9162_0006L);
        // A tree of one leaf has no other index.
        List<Leaf> leaves = leaves(random, 2);
        for (int t = 0; t < leaves.size(); t++) {
            Leaf leaf = leaves.get(t);
            int shift = between(random, 1, MAX_SIZE);
            int other = (leaf.index() + 1 + shift % (leaf.treeSize() - 1)) % leaf.treeSize();
            List<byte[]> proof = inclusionProof(leaf);

            assertThatExceptionOfType(ProofException.class)
                    .as("try %d: %s, shift %d, checked at index %d", t, leaf, shift, other)
                    .isThrownBy(() -> ProofVerifier.verifyInclusion(other, leaf.treeSize(),
                            LEAVES.get(leaf.index()), proof, referenceRoot(leaf.treeSize())));
        }
    }

    /**
     * A proof for one size proves nothing about the checkpoint (size, root) of another. Besides
     * a random other size, each try checks the sizes next to the tree's, where the shapes along
     * the path most often coincide.
     */
    @Test
    void verifyInclusion_otherTreeSize_failsAgainstItsRoot() {
        SplittableRandom random = new SplittableRandom(0x9162_0007L);
        List<Leaf> leaves = leaves(random, 1);
        for (int t = 0; t < leaves.size(); t++) {
            Leaf leaf = leaves.get(t);
            List<byte[]> proof = inclusionProof(leaf);
            for (int otherSize : otherSizes(random, leaf.treeSize())) {
                assertThatExceptionOfType(ProofException.class)
                        .as("try %d: %s, checked at tree size %d", t, leaf, otherSize)
                        .isThrownBy(() -> ProofVerifier.verifyInclusion(leaf.index(), otherSize,
                                LEAVES.get(leaf.index()), proof, referenceRoot(otherSize)));
            }
        }
    }

    /** Flips a random bit in each hash of the proof in turn. */
    @Test
    void verifyConsistency_flippedBit_fails() {
        SplittableRandom random = new SplittableRandom(0x9162_0008L);
        // Equal sizes have an empty proof, with no bit to flip.
        List<Sizes> pairs = sizePairs(random, 1);
        for (int t = 0; t < pairs.size(); t++) {
            Sizes sizes = pairs.get(t);
            List<byte[]> proof = consistencyProof(sizes);
            assertThat(proof).as("try %d: %s", t, sizes).isNotEmpty();
            for (int at = 0; at < proof.size(); at++) {
                int bit = random.nextInt(256);
                List<byte[]> modified = new ArrayList<>(proof);
                modified.set(at, TestTrees.flipBit(proof.get(at), bit));

                assertThatExceptionOfType(ProofException.RootMismatch.class)
                        .as("try %d: %s, bit %d of proof[%d]", t, sizes, bit, at)
                        .isThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(),
                                modified, referenceRoot(sizes.size1()), referenceRoot(sizes.size2())));
            }
        }
    }

    @Test
    void verifyConsistency_flippedBitInRoot_fails() {
        SplittableRandom random = new SplittableRandom(0x9162_0009L);
        List<Sizes> pairs = sizePairs(random, 0);
        for (int t = 0; t < pairs.size(); t++) {
            Sizes sizes = pairs.get(t);
            int bit = random.nextInt(256);
            List<byte[]> proof = consistencyProof(sizes);
            byte[] root1 = referenceRoot(sizes.size1());
            byte[] root2 = referenceRoot(sizes.size2());

            assertThatExceptionOfType(ProofException.RootMismatch.class)
                    .as("try %d: %s, bit %d of root1", t, sizes, bit)
                    .isThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                            TestTrees.flipBit(root1, bit), root2));
            assertThatExceptionOfType(ProofException.RootMismatch.class)
                    .as("try %d: %s, bit %d of root2", t, sizes, bit)
                    .isThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), sizes.size2(), proof,
                            root1, TestTrees.flipBit(root2, bit)));
        }
    }

    @Test
    void verifyConsistency_otherSize1_failsAgainstItsRoot() {
        SplittableRandom random = new SplittableRandom(0x9162_000AL);
        List<Sizes> pairs = sizePairs(random, 0);
        for (int t = 0; t < pairs.size(); t++) {
            Sizes sizes = pairs.get(t);
            List<byte[]> proof = consistencyProof(sizes);
            for (int otherSize1 : otherSizes(random, sizes.size1())) {
                assertThatExceptionOfType(ProofException.class)
                        .as("try %d: %s, checked from size %d", t, sizes, otherSize1)
                        .isThrownBy(() -> ProofVerifier.verifyConsistency(otherSize1, sizes.size2(), proof,
                                referenceRoot(otherSize1), referenceRoot(sizes.size2())));
            }
        }
    }

    @Test
    void verifyConsistency_otherSize2_failsAgainstItsRoot() {
        SplittableRandom random = new SplittableRandom(0x9162_000BL);
        List<Sizes> pairs = sizePairs(random, 0);
        for (int t = 0; t < pairs.size(); t++) {
            Sizes sizes = pairs.get(t);
            List<byte[]> proof = consistencyProof(sizes);
            for (int otherSize2 : otherSizes(random, sizes.size2())) {
                assertThatExceptionOfType(ProofException.class)
                        .as("try %d: %s, checked to size %d", t, sizes, otherSize2)
                        .isThrownBy(() -> ProofVerifier.verifyConsistency(sizes.size1(), otherSize2, proof,
                                referenceRoot(sizes.size1()), referenceRoot(otherSize2)));
            }
        }
    }

    @Test
    void compactRange_rebuiltFromNodes_continuesWithSameRoots() {
        List<Integer> sizes = sizes(new SplittableRandom(0x9162_000CL), 0);
        for (int t = 0; t < sizes.size(); t++) {
            int size = sizes.get(t);
            int attempt = t;
            TestTrees.StrictReader reader = new TestTrees.StrictReader(TREE, size);
            CompactRange rebuilt = CompactRange.fromNodes(size, reader);

            assertThat(reader.reads).as("try %d: nodes read to rebuild at %d", t, size)
                    .isEqualTo(Integer.bitCount(size));
            assertThat(rebuilt.root()).as("try %d: root after rebuilding at %d", t, size)
                    .isEqualTo(APPENDED_ROOTS.get(size));
            for (int n = size; n < Math.min(size + 300, MAX_SIZE); n++) {
                int leaf = n;
                rebuilt.append(LEAVES.get(n), (level, index, hash) -> assertThat(hash)
                        .as("try %d: node (%d, %d) written appending leaf %d after rebuilding at %d",
                                attempt, level, index, leaf, size)
                        .isEqualTo(TREE.node(level, index)));
                assertThat(rebuilt.root()).as("try %d: root at %d after rebuilding at %d", t, n + 1, size)
                        .isEqualTo(APPENDED_ROOTS.get(n + 1));
            }
        }
    }

    /** EDGE_SIZES from minSize up, then TRIES random sizes in [minSize, MAX_SIZE]. */
    private static List<Integer> sizes(SplittableRandom random, int minSize) {
        List<Integer> sizes = new ArrayList<>();
        if (minSize == 0) {
            sizes.add(0);
        }
        EDGE_SIZES.stream().filter(size -> size >= minSize).forEach(sizes::add);
        for (int i = 0; i < TRIES; i++) {
            sizes.add(between(random, minSize, MAX_SIZE));
        }
        return sizes;
    }

    /**
     * For each edge size from minSize up, its first and last leaf and the two leaves either side
     * of its split (RFC 9162 §2.1.1: the largest power of two below the size); then TRIES random
     * leaves in trees of minSize to MAX_SIZE.
     */
    private static List<Leaf> leaves(SplittableRandom random, int minSize) {
        List<Leaf> leaves = new ArrayList<>();
        for (int size : EDGE_SIZES) {
            if (size >= minSize) {
                int split = size > 1 ? Integer.highestOneBit(size - 1) : 0;
                for (int index : new TreeSet<>(List.of(0, Math.max(split - 1, 0), split, size - 1))) {
                    leaves.add(new Leaf(index, size));
                }
            }
        }
        for (int i = 0; i < TRIES; i++) {
            int size = between(random, minSize, MAX_SIZE);
            leaves.add(new Leaf(between(random, 0, size - 1), size));
        }
        return leaves;
    }

    /**
     * Every pair of edge sizes with {@code size1 <= size2 - minGap}, then TRIES random pairs with
     * {@code 1 <= size1 <= size2 - minGap} and {@code size2 <= MAX_SIZE}.
     */
    private static List<Sizes> sizePairs(SplittableRandom random, int minGap) {
        List<Sizes> pairs = new ArrayList<>();
        for (int size2 : EDGE_SIZES) {
            for (int size1 : EDGE_SIZES) {
                if (size1 <= size2 - minGap) {
                    pairs.add(new Sizes(size1, size2));
                }
            }
        }
        for (int i = 0; i < TRIES; i++) {
            int size2 = between(random, 1 + minGap, MAX_SIZE);
            pairs.add(new Sizes(between(random, 1, size2 - minGap), size2));
        }
        return pairs;
    }

    /** A random size in [1, MAX_SIZE] other than {@code size}, and the sizes either side of it. */
    private static List<Integer> otherSizes(SplittableRandom random, int size) {
        int drawn = between(random, 1, MAX_SIZE - 1);
        List<Integer> others = new ArrayList<>(List.of(drawn < size ? drawn : drawn + 1));
        if (size > 1) {
            others.add(size - 1);
        }
        if (size < MAX_SIZE) {
            others.add(size + 1);
        }
        return others;
    }

    /**
     * An int in [min, max]: half the time uniform, half the time uniform below a random power
     * of two above min. Uniform alone would seldom pick a small tree or a small size1; this
     * picks a size below 64 about one time in three.
     */
    private static int between(SplittableRandom random, int min, int max) {
        if (random.nextBoolean()) {
            return random.nextInt(min, max + 1);
        }
        int span = max - min;
        int bits = random.nextInt(33 - Integer.numberOfLeadingZeros(span));
        return min + random.nextInt((int) Math.min(span, (1L << bits) - 1) + 1);
    }

    private static List<Integer> edgeSizes() {
        TreeSet<Integer> sizes = new TreeSet<>(List.of(1, 2, MAX_SIZE - 1, MAX_SIZE));
        for (int power = 1; power <= MAX_SIZE; power <<= 1) {
            sizes.addAll(List.of(power - 1, power, power + 1));
        }
        sizes.remove(0);
        sizes.removeIf(size -> size > MAX_SIZE);
        return List.copyOf(sizes);
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
