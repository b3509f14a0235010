package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class Rfc9162Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void emptyRoot_isSha256OfEmptyString() {
        assertThat(HEX.formatHex(Rfc9162.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void emptyRoot_returnsFreshArray() {
        Rfc9162.emptyRoot()[0] ^= 1;

        assertThat(HEX.formatHex(Rfc9162.emptyRoot())).startsWith("e3b0c442");
    }

    @Test
    void leafHash_ofEmptyInput_isRfc6962Leaf0() {
        assertThat(HEX.formatHex(Rfc9162.leafHash(new byte[0])))
                .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    @Test
    void leafHash_prefixesZeroByte() {
        byte[] data = HEX.parseHex("40414243");

        assertThat(Rfc9162.leafHash(data)).isEqualTo(ReferenceMerkle.leafHash(data));
    }

    @Test
    void leafHash_ofSliceEqualsLeafHashOfCopy() {
        byte[] batch = "{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);

        assertThat(Rfc9162.leafHash(batch, 8, 7))
                .isEqualTo(Rfc9162.leafHash("{\"b\":2}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void leafHash_sliceOutOfBounds_throws() {
        assertThatThrownBy(() -> Rfc9162.leafHash(new byte[4], 3, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void nodeHash_prefixesOneByte() {
        byte[] left = Rfc9162.leafHash(new byte[0]);
        byte[] right = Rfc9162.leafHash(new byte[] {0});

        assertThat(HEX.formatHex(Rfc9162.nodeHash(left, right)))
                .isEqualTo("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    }

    @Test
    void nodeHash_isNotLeafHashOfConcatenation() {
        byte[] left = Rfc9162.leafHash(new byte[0]);
        byte[] right = Rfc9162.leafHash(new byte[] {0});
        byte[] both = new byte[64];
        System.arraycopy(left, 0, both, 0, 32);
        System.arraycopy(right, 0, both, 32, 32);

        assertThat(Rfc9162.nodeHash(left, right)).isNotEqualTo(Rfc9162.leafHash(both));
    }

    @Test
    void nodeHash_shortHash_throws() {
        assertThatThrownBy(() -> Rfc9162.nodeHash(new byte[31], new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("left must be a 32-byte hash, got 31 bytes");
    }

    @Test
    void leafHash_manyThreads_agreeWithReference() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            inputs.add(("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (byte[] input : inputs) {
                        byte[] leaf = Rfc9162.leafHash(input);
                        byte[] node = Rfc9162.nodeHash(leaf, leaf);
                        if (!Arrays.equals(leaf, ReferenceMerkle.leafHash(input))
                                || !Arrays.equals(node, ReferenceMerkle.nodeHash(leaf, leaf))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }
}
