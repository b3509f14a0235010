package dev.trackrecord.ledger.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SkillSumsTest {

    @Test
    void skillsAddedInAnyOrder_areKeptInSkillOrder_andFoundAgain_byEqualCodes() {
        for (int count : new int[] {1, 3, 8, 9, 40}) {
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                codes.add("skill-" + (char) ('a' + i % 26) + i);
            }
            Collections.shuffle(codes, new Random(count));
            SkillSums sums = new SkillSums();
            TreeMap<String, double[]> expected = new TreeMap<>();
            for (String code : codes) {
                double[] s = sums.getOrAdd(code);
                s[ContractorState.QA] = code.length();
                expected.put(code, s);
            }

            assertThat(sums.codes()).as(count + " skills").containsExactlyElementsOf(expected.keySet());
            for (String code : codes) {
                // A code read from another entry is an equal string, not the same one.
                String equal = new String(code.toCharArray());
                assertThat(sums.get(equal)).as(code).isSameAs(expected.get(code));
                assertThat(sums.getOrAdd(equal)).as(code).isSameAs(expected.get(code));
                assertThat(sums.contains(equal)).isTrue();
            }
            assertThat(sums.size()).isEqualTo(count);
            assertThat(sums.get("absent")).isNull();
            assertThat(sums.contains("absent")).isFalse();
        }
    }

    @Test
    void put_replacesTheSumsOfAKnownSkill_andAddsANewOneInOrder() {
        SkillSums sums = new SkillSums();
        sums.put("b", new double[4]);
        double[] replaced = {1, 2, 3, 4};

        sums.put("b", replaced);
        sums.put("a", new double[4]);

        assertThat(sums.codes()).containsExactly("a", "b");
        assertThat(sums.get("b")).isSameAs(replaced);
        assertThat(sums.sums(1)).isSameAs(replaced);
    }
}
