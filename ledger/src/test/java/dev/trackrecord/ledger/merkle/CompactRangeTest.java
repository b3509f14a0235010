package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompactRangeTest {

    private static final NodeWriter DISCARD = (level, index, hash) -> { };

    private record Reported(int level, long index, String hash) {
    }

    private static NodeWriter recordInto(List<Reported> reported) {
        return (level, index, hash) -> reported.add(new Reported(level, index, TestTrees.HEX.formatHex(hash)));
    }

    @Test
    void empty_hasSizeZeroAndEmptyRoot() {
        CompactRange range = CompactRange.empty();

        assertThat(range.size()).isZero();
        assertThat(range.root()).isEqualTo(Rfc9162.emptyRoot());
    }

    @Test
    void append_rootEqualsReferenceAtEverySize() {
        List<byte[]> leaves = TestTrees.leafHashes(300);
        CompactRange range = CompactRange.empty();
        for (int n = 1; n <= leaves.size(); n++) {
            range.append(leaves.get(n - 1), DISCARD);

            assertThat(range.size()).isEqualTo(n);
            assertThat(range.root()).as("root at size %d", n).isEqualTo(ReferenceMerkle.mth(leaves.subList(0, n)));
        }
    }

    @Test
    void append_eighthLeaf_reportsLeafThenParentsLowestFirst() {
        List<byte[]> leaves = TestTrees.rfc6962LeafHashes();
        CompactRange range = CompactRange.empty();
        leaves.subList(0, 7).forEach(leaf -> range.append(leaf, DISCARD));
        List<Reported> reported = new ArrayList<>();

        range.append(leaves.get(7), recordInto(reported));

        assertThat(reported).extracting(Reported::level, Reported::index).containsExactly(
                tuple(0, 7L), tuple(1, 3L),
                tuple(2, 1L), tuple(3, 0L));
        assertThat(reported.get(3).hash())
                .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    }

    @Test
    void append_reportsEveryCompleteNodeOnceWithItsHash() {
        int n = 37;
        List<byte[]> leaves = TestTrees.leafHashes(n);
        CompactRange range = CompactRange.empty();
        List<Reported> reported = new ArrayList<>();
        for (byte[] leaf : leaves) {
            range.append(leaf, recordInto(reported));
        }

        List<Reported> expected = new ArrayList<>();
        for (int level = 0; (n >>> level) > 0; level++) {
            for (long index = 0; index < (n >>> level); index++) {
                int from = (int) (index << level);
                byte[] hash = ReferenceMerkle.mth(leaves.subList(from, from + (1 << level)));
                expected.add(new Reported(level, index, TestTrees.HEX.formatHex(hash)));
            }
        }
        assertThat(reported).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void fromNodes_atEverySize_continuesWithSameRootsAndNodes() {
        List<byte[]> leaves = TestTrees.leafHashes(260);
        MemoryTree tree = TestTrees.memoryTree(leaves);
        for (int n = 0; n <= 200; n++) {
            TestTrees.StrictReader reader = new TestTrees.StrictReader(tree, n);
            CompactRange rebuilt = CompactRange.fromNodes(n, reader);

            assertThat(reader.reads).as("reads at size %d", n).isEqualTo(Long.bitCount(n));
            assertThat(rebuilt.size()).isEqualTo(n);
            assertThat(rebuilt.root()).as("root at size %d", n).isEqualTo(ReferenceMerkle.mth(leaves.subList(0, n)));
            for (int i = n; i < n + 60; i++) {
                List<Reported> reported = new ArrayList<>();
                rebuilt.append(leaves.get(i), recordInto(reported));

                assertThat(rebuilt.root()).as("root at size %d rebuilt at %d", i + 1, n)
                        .isEqualTo(ReferenceMerkle.mth(leaves.subList(0, i + 1)));
                for (Reported node : reported) {
                    assertThat(node.hash()).isEqualTo(TestTrees.HEX.formatHex(tree.node(node.level(), node.index())));
                }
            }
        }
    }

    @Test
    void fromNodes_equalsRangeThatAppendedAllLeaves() {
        List<byte[]> leaves = TestTrees.leafHashes(1500);
        MemoryTree tree = TestTrees.memoryTree(leaves.subList(0, 1023));
        CompactRange appended = CompactRange.empty();
        leaves.subList(0, 1023).forEach(leaf -> appended.append(leaf, DISCARD));
        CompactRange rebuilt = CompactRange.fromNodes(1023, tree);

        for (byte[] leaf : leaves.subList(1023, 1500)) {
            appended.append(leaf, DISCARD);
            rebuilt.append(leaf, DISCARD);

            assertThat(rebuilt.root()).isEqualTo(appended.root());
        }
    }

    @Test
    void fromNodes_negativeSize_throws() {
        assertThatThrownBy(() -> CompactRange.fromNodes(-1, new MemoryTree()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size must not be negative");
    }

    @Test
    void fromNodes_readerReturnsShortHash_throws() {
        assertThatThrownBy(() -> CompactRange.fromNodes(3, (level, index) -> new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node(0, 2) must be a 32-byte hash, got 31 bytes");
    }

    @Test
    void append_shortLeafHash_throwsAndKeepsSize() {
        CompactRange range = CompactRange.empty();

        assertThatThrownBy(() -> range.append(new byte[16], DISCARD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaf hash must be a 32-byte hash, got 16 bytes");
        assertThat(range.size()).isZero();
    }
}
