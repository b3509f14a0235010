package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventIndexTest {

    @Test
    void find_agreesWithAHashMap_forManyRandomEventIds() {
        SplittableRandom random = new SplittableRandom(7);
        List<String> ids = new ArrayList<>();
        List<Long> hashes = new ArrayList<>();
        EventIndex index = new EventIndex(16, seq -> hashes.get((int) seq));
        Map<String, Long> reference = new HashMap<>();
        for (int seq = 0; seq < 50_000; seq++) {
            String id = "ev-" + random.nextLong();
            ids.add(id);
            hashes.add(EventIndex.hash(id));
            index.add(EventIndex.hash(id), seq);
            reference.put(id, (long) seq);
        }
        for (int i = 0; i < 60_000; i++) {
            String probe = i < 50_000 ? ids.get(random.nextInt(ids.size())) : "absent-" + i;
            long found = index.find(EventIndex.hash(probe), seq -> ids.get((int) seq).equals(probe));
            assertThat(found).as(probe).isEqualTo(reference.getOrDefault(probe, -1L));
        }
    }

    @Test
    void find_sameHashForTwoEvents_neverMergesThem() {
        long collision = 0x1234_5678_9abc_def0L;
        EventIndex index = new EventIndex(16, seq -> collision);
        index.add(collision, 0);
        index.add(collision, 1);

        assertThat(index.find(collision, seq -> seq == 1)).isEqualTo(1);
        assertThat(index.find(collision, seq -> seq == 0)).isEqualTo(0);
        assertThat(index.find(collision, seq -> false)).isEqualTo(-1);
    }
}
