package dev.trackrecord.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardsTest {
    @Test
    void shardOf_isStableAndSpreads() {
        assertThat(Shards.shardOf("c-1", 4)).isEqualTo(Shards.shardOf("c-1", 4));
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int s = Shards.shardOf("c-" + i, 4);
            assertThat(s).isBetween(0, 3);
            used.add(s);
        }
        assertThat(used).hasSize(4);
    }

    @Test
    void shardOf_isTheFirstFourBytesOfSha256ModP() {
        // printf c-1 | sha256sum: a6f7ef47..., and 0xa6f7ef47 = 2801266503.
        assertThat(Shards.shardOf("c-1", 1000)).isEqualTo(503);
    }

    @Test
    void shardOf_noShards_isRefused() {
        assertThatThrownBy(() -> Shards.shardOf("c-1", 0)).hasMessageContaining("shards must be at least 1");
    }
}
