package dev.trackrecord.ledger.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link TaskMemory} against its reference, a {@code LinkedHashMap} bounded by {@code removeEldestEntry}. */
class TaskMemoryTest {
    private record Task(double weight, List<String> skills) {
    }

    @Test
    void randomPuts_keepWhatABoundedLinkedHashMapKeeps_inItsOrder() {
        SplittableRandom random = new SplittableRandom(7);
        for (int capacity : new int[] {1, 2, 3, 5, 64, 1024}) {
            TaskMemory memory = new TaskMemory(capacity);
            memory.reserve(capacity / 2);
            Map<String, Task> reference = new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
                    return size() > capacity;
                }
            };
            int ids = Math.max(2, capacity * 3 / 2);
            for (int i = 0; i < 20 * capacity + 200; i++) {
                // Ids of colliding hashes too ("Aa" and "BB"), to exercise probing and removal.
                String id = random.nextInt(4) == 0 ? (random.nextBoolean() ? "Aa" : "BB") + random.nextInt(3)
                        : "t-" + random.nextInt(ids);
                Task task = new Task(random.nextDouble(), List.of("s" + random.nextInt(4)));
                reference.put(id, task);
                int slot = memory.find(id);
                if (slot >= 0) {
                    memory.replace(slot, task.weight(), task.skills());
                } else {
                    memory.add(id, task.weight(), task.skills());
                }
                assertSame(memory, reference);
            }
            assertThat(memory.find("absent")).isEqualTo(-1);
        }
    }

    private static void assertSame(TaskMemory memory, Map<String, Task> reference) {
        assertThat(memory.size()).isEqualTo(reference.size());
        List<String> order = new ArrayList<>();
        for (int i = 0; i < memory.size(); i++) {
            order.add(memory.id(memory.slotAt(i)));
        }
        assertThat(order).containsExactlyElementsOf(reference.keySet());
        reference.forEach((id, task) -> {
            int slot = memory.find(id);
            assertThat(slot).as(id).isNotNegative();
            assertThat(memory.weight(slot)).isEqualTo(task.weight());
            assertThat(memory.skills(slot)).isEqualTo(task.skills());
        });
    }
}
