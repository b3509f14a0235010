package dev.trackrecord.ledger.merkle;

import static dev.trackrecord.ledger.merkle.TestTrees.HEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The 8-leaf test tree of RFC 6962 (also used by transparency-dev/merkle): known roots and proofs. */
class Rfc6962TreeTest {

    private static final List<byte[]> LEAVES = TestTrees.rfc6962LeafHashes();
    private static final MemoryTree TREE = TestTrees.memoryTree(LEAVES);

    private static final List<String> ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    record Inclusion(long index, long treeSize, List<String> path) {
    }

    record Consistency(long size1, long size2, List<String> proof) {
    }

    static List<Inclusion> inclusions() {
        return List.of(
                new Inclusion(0, 1, List.of()),
                new Inclusion(0, 8, List.of(
                        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                new Inclusion(5, 8, List.of(
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
                new Inclusion(2, 3, List.of(
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
                new Inclusion(1, 5, List.of(
                        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));
    }

    static List<Consistency> consistencies() {
        return List.of(
                new Consistency(1, 1, List.of()),
                new Consistency(1, 8, List.of(
                        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                new Consistency(6, 8, List.of(
                        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
                new Consistency(2, 5, List.of(
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
                new Consistency(6, 7, List.of(
                        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));
    }

    @Test
    void root_atSize8_isKnownRoot() {
        assertThat(HEX.formatHex(Proofs.root(8, TREE)))
                .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
        assertThat(HEX.formatHex(TREE.root()))
                .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    }

    @Test
    void root_atSize7_isKnownRoot() {
        assertThat(HEX.formatHex(Proofs.root(7, TREE)))
                .isEqualTo("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c");
    }

    @Test
    void root_atEverySize_equalsKnownRootAndReference() {
        assertThat(Proofs.root(0, TREE)).isEqualTo(Rfc9162.emptyRoot());
        for (int size = 1; size <= 8; size++) {
            byte[] root = Proofs.root(size, new TestTrees.StrictReader(TREE, size));

            assertThat(HEX.formatHex(root)).as("root at size %d", size).isEqualTo(ROOTS.get(size - 1));
            assertThat(root).as("reference root at size %d", size)
                    .isEqualTo(ReferenceMerkle.mth(LEAVES.subList(0, size)));
        }
    }

    @ParameterizedTest
    @MethodSource("inclusions")
    void inclusionProof_equalsKnownPathAndVerifies(Inclusion known) {
        List<byte[]> proof = Proofs.inclusionProof(known.index(), known.treeSize(),
                new TestTrees.StrictReader(TREE, known.treeSize()));

        assertThat(TestTrees.hex(proof)).isEqualTo(known.path());
        byte[] root = HEX.parseHex(ROOTS.get((int) known.treeSize() - 1));
        assertThatCode(() -> ProofVerifier.verifyInclusion(known.index(), known.treeSize(),
                LEAVES.get((int) known.index()), proof, root)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @MethodSource("consistencies")
    void consistencyProof_equalsKnownProofAndVerifies(Consistency known) {
        List<byte[]> proof = Proofs.consistencyProof(known.size1(), known.size2(),
                new TestTrees.StrictReader(TREE, known.size2()));

        assertThat(TestTrees.hex(proof)).isEqualTo(known.proof());
        byte[] root1 = HEX.parseHex(ROOTS.get((int) known.size1() - 1));
        byte[] root2 = HEX.parseHex(ROOTS.get((int) known.size2() - 1));
        assertThatCode(() -> ProofVerifier.verifyConsistency(known.size1(), known.size2(), proof, root1, root2))
                .doesNotThrowAnyException();
    }

    @Test
    void consistencyProof_from3To7_isRfc6962Example() {
        // RFC 6962 §2.1.3: PROOF(3, D[7]) = [c, d, g, l], with c and d leaves 2 and 3, g the
        // node over leaves 0..1 and l the node over leaves 4..6.
        List<byte[]> proof = Proofs.consistencyProof(3, 7, TREE);

        assertThat(proof).containsExactly(
                LEAVES.get(2), LEAVES.get(3), ReferenceMerkle.mth(LEAVES.subList(0, 2)),
                ReferenceMerkle.mth(LEAVES.subList(4, 7)));
    }

    @Test
    void inclusionProof_ofLeaf3InTree7_isRfc6962Example() {
        // RFC 6962 §2.1.3: the path for d3 in D[7] is [c, g, l].
        List<byte[]> proof = Proofs.inclusionProof(3, 7, TREE);

        assertThat(proof).containsExactly(
                LEAVES.get(2), ReferenceMerkle.mth(LEAVES.subList(0, 2)), ReferenceMerkle.mth(LEAVES.subList(4, 7)));
    }
}
