package dev.trackrecord.ledger.consensus;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelBatchTest {

    @Test
    void build_empty_fails() {
        assertThatThrownBy(() -> LabelBatch.builder().build())
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("the batch is empty");
    }

    @Test
    void build_oneLabelPerItem_fails() {
        LabelBatch.Builder b = LabelBatch.builder().add("i1", "a", "x").add("i2", "b", "y").add("i3", "a", "y");
        assertThatThrownBy(b::build)
                .isInstanceOf(InvalidBatchException.class)
                .hasMessage("no item has labels from two or more contractors (3 items, one label each): "
                        + "consensus needs overlapping labels");
    }

    @Test
    void build_duplicateItemContractor_failsNamingBoth() {
        LabelBatch.Builder b = LabelBatch.builder().add("i1", "a", "x").add("i1", "b", "x").add("i1", "a", "y");
        assertThatThrownBy(b::build)
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("duplicate label: contractor 'a' labelled item 'i1' more than once");
    }

    @Test
    void build_labelOutsideDeclaredClasses_failsNamingIt() {
        LabelBatch.Builder b = LabelBatch.builder().classes(List.of("cat", "dog"))
                .add("i1", "a", "cat").add("i1", "b", "cow");
        assertThatThrownBy(b::build)
                .isInstanceOf(InvalidBatchException.class)
                .hasMessage("unknown class 'cow' in the label of contractor 'b' for item 'i1': the classes are [cat, dog]");
    }

    @Test
    void build_goldOutsideDeclaredClasses_fails() {
        LabelBatch.Builder b = LabelBatch.builder().classes(List.of("cat", "dog"))
                .add("i1", "a", "cat").add("i1", "b", "dog").gold("i1", "bird");
        assertThatThrownBy(b::build)
                .isInstanceOf(InvalidBatchException.class)
                .hasMessage("unknown class 'bird' in the gold for item 'i1': the classes are [cat, dog]");
    }

    @Test
    void build_goldForUnlabelledItem_fails() {
        LabelBatch.Builder b = LabelBatch.builder().add("i1", "a", "x").add("i1", "b", "y").gold("i9", "x");
        assertThatThrownBy(b::build).hasMessage("gold given for item 'i9', which has no labels");
    }

    @Test
    void gold_conflicting_fails() {
        LabelBatch.Builder b = LabelBatch.builder().gold("i1", "x");
        assertThatThrownBy(() -> b.gold("i1", "y")).hasMessage("conflicting gold for item 'i1': 'x' and 'y'");
    }

    @Test
    void add_blankContractor_fails() {
        assertThatThrownBy(() -> LabelBatch.builder().add("i1", " ", "x")).hasMessage("contractor must not be blank");
    }

    @Test
    void build_numericClasses_sortedNumerically() {
        LabelBatch b = LabelBatch.builder().add("i1", "a", "10").add("i1", "b", "9").add("i2", "a", "2").build();
        assertThat(b.classes()).containsExactly("2", "9", "10");
    }

    @Test
    void build_undeclaredGoldClass_becomesAClass() {
        LabelBatch b = LabelBatch.of(List.of(new Label("i1", "a", "x"), new Label("i1", "b", "x")), Map.of("i1", "y"));
        assertThat(b.classes()).containsExactly("x", "y");
        assertThat(Consensus.dawidSkene(b).items().get(0).label()).isEqualTo("y");
    }

    @Test
    void build_someSingleLabelItems_areKept() {
        LabelBatch b = LabelBatch.builder().add("i1", "a", "x").add("i1", "b", "x").add("i2", "a", "y").build();
        assertThat(b.itemCount()).isEqualTo(2);
        assertThat(b.labelCount()).isEqualTo(3);
        assertThat(b.contractorCount()).isEqualTo(2);
    }
}
