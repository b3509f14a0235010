package dev.trackrecord.ledger.merkle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Leaves and trees shared by the tests. */
final class TestTrees {

    static final HexFormat HEX = HexFormat.of();

    /** Leaf inputs of the RFC 6962 test tree, hex. */
    static final List<String> RFC6962_LEAF_INPUTS = List.of(
            "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f");

    private TestTrees() {
    }

    static List<byte[]> rfc6962LeafHashes() {
        return RFC6962_LEAF_INPUTS.stream().map(h -> ReferenceMerkle.leafHash(HEX.parseHex(h))).toList();
    }

    /** n distinct leaf hashes. */
    static List<byte[]> leafHashes(int n) {
        List<byte[]> leaves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            leaves.add(ReferenceMerkle.leafHash(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return leaves;
    }

    static MemoryTree memoryTree(List<byte[]> leafHashes) {
        MemoryTree tree = new MemoryTree();
        leafHashes.forEach(tree::append);
        return tree;
    }

    static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(HEX::formatHex).toList();
    }

    static byte[] flipBit(byte[] hash, int bit) {
        byte[] copy = hash.clone();
        copy[bit / 8 % copy.length] ^= (byte) (1 << bit % 8);
        return copy;
    }

    /**
     * A reader that serves nodes of a tree only as far as they are complete at
     * {@code treeSize}, failing the test on any other request, and counts requests.
     */
    static final class StrictReader implements NodeReader {
        private final NodeReader tree;
        private final long treeSize;
        int reads;

        StrictReader(NodeReader tree, long treeSize) {
            this.tree = tree;
            this.treeSize = treeSize;
        }

        @Override
        public byte[] node(int level, long index) {
            if (level < 0 || level > 62 || index < 0 || index + 1 > treeSize >>> level) {
                throw new AssertionError("asked for node (" + level + ", " + index
                        + "), which is not complete in a tree of size " + treeSize);
            }
            reads++;
            return tree.node(level, index);
        }
    }
}
