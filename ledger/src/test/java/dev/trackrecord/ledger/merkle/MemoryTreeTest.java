package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemoryTreeTest {

    @Test
    void new_isEmpty() {
        MemoryTree tree = new MemoryTree();

        assertThat(tree.size()).isZero();
        assertThat(tree.root()).isEqualTo(Rfc9162.emptyRoot());
    }

    @Test
    void node_holdsEveryCompleteSubtree() {
        List<byte[]> leaves = TestTrees.leafHashes(1000);
        MemoryTree tree = TestTrees.memoryTree(leaves);

        assertThat(tree.size()).isEqualTo(1000);
        assertThat(tree.root()).isEqualTo(ReferenceMerkle.mth(leaves));
        for (int level = 0; (1000 >>> level) > 0; level++) {
            for (int index = 0; index < (1000 >>> level); index++) {
                int from = index << level;
                assertThat(tree.node(level, index)).as("node(%d, %d)", level, index)
                        .isEqualTo(ReferenceMerkle.mth(leaves.subList(from, from + (1 << level))));
            }
        }
    }

    @ParameterizedTest(name = "node({0}, {1}) in a tree of 5")
    @CsvSource({"0, 5", "1, 2", "2, 1", "3, 0", "-1, 0", "0, -1", "63, 0"})
    void node_incompleteOrOutside_throws(int level, long index) {
        MemoryTree tree = TestTrees.memoryTree(TestTrees.leafHashes(5));

        assertThatThrownBy(() -> tree.node(level, index))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no complete node (" + level + ", " + index + ") in a tree of 5 leaves");
    }

    @Test
    void node_returnsCopy() {
        MemoryTree tree = TestTrees.memoryTree(TestTrees.leafHashes(2));

        tree.node(1, 0)[0] ^= 1;

        assertThat(tree.node(1, 0)).isEqualTo(tree.root());
    }
}
