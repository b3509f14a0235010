package dev.trackrecord.ledger.consensus.format;

import dev.trackrecord.ledger.consensus.Label;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelFilesTest {

    static LabelData read(String text, LabelFormat format) throws IOException {
        return LabelFiles.readLabels(new StringReader(text), format, "in.txt");
    }

    @Test
    void csv_withHeaderAndGold_readsBoth() throws IOException {
        LabelData d = read("item,contractor,label,gold\ni1,a,cat,cat\ni1,b,dog,\n\"i,2\",a,dog,\n", LabelFormat.CSV);
        assertThat(d.labels()).containsExactly(new Label("i1", "a", "cat"), new Label("i1", "b", "dog"),
                new Label("i,2", "a", "dog"));
        assertThat(d.gold()).isEqualTo(Map.of("i1", "cat"));
    }

    @Test
    void csv_withoutHeader_readsFirstLineAsLabel() throws IOException {
        assertThat(read("i1,a,cat\ni1,b,dog\n", LabelFormat.CSV).labels()).hasSize(2);
    }

    @Test
    void tsv_readsTabs() throws IOException {
        assertThat(read("item\tcontractor\tlabel\ni1\ta\tx y\n", LabelFormat.TSV).labels())
                .containsExactly(new Label("i1", "a", "x y"));
    }

    @Test
    void csv_emptyLabel_namesLineAndField() {
        assertThatThrownBy(() -> read("item,contractor,label\ni1,a,cat\ni2,b,\n", LabelFormat.CSV))
                .isInstanceOf(LabelFileException.class)
                .hasMessage("in.txt line 3: field 'label' (column 3) is empty");
    }

    @Test
    void csv_wrongFieldCount_namesLine() {
        assertThatThrownBy(() -> read("i1,a\n", LabelFormat.CSV))
                .hasMessage("in.txt line 1: expected 3 or 4 fields (item, contractor, label[, gold]), found 2");
    }

    @Test
    void csv_conflictingGold_namesLine() {
        assertThatThrownBy(() -> read("i1,a,x,x\ni1,b,x,y\n", LabelFormat.CSV))
                .hasMessage("in.txt line 2: field 'gold': item 'i1' has gold 'y' here but 'x' on an earlier line");
    }

    @Test
    void csv_unterminatedQuote_namesLine() {
        assertThatThrownBy(() -> read("i1,\"a,x\n", LabelFormat.CSV)).hasMessage("in.txt line 1: unterminated quoted field");
    }

    @Test
    void snow_readsWorkerItemResponseAndGold() throws IOException {
        LabelData d = read("!amt_annotation_ids\t!amt_worker_ids\torig_id\tresponse\tgold\n"
                + "X1\tA1\t266\t1\t1\nX2\tA2\t266\t0\t1\n", LabelFormat.SNOW);
        assertThat(d.labels()).containsExactly(new Label("266", "A1", "1"), new Label("266", "A2", "0"));
        assertThat(d.gold()).isEqualTo(Map.of("266", "1"));
    }

    @Test
    void snow_missingColumn_namesIt() {
        assertThatThrownBy(() -> read("!amt_annotation_ids\torig_id\tresponse\tgold\n", LabelFormat.SNOW))
                .hasMessageStartingWith("in.txt line 1: missing column '!amt_worker_ids'");
    }

    @Test
    void zheng_readsQuestionWorkerAnswer() throws IOException {
        assertThat(read("question,worker,answer\n1,7,3\n", LabelFormat.ZHENG).labels())
                .containsExactly(new Label("1", "7", "3"));
        assertThat(LabelFiles.readGold(new StringReader("question,truth\n1,3\n"), LabelFormat.ZHENG, "t"))
                .isEqualTo(Map.of("1", "3"));
    }

    @Test
    void zheng_missingHeader_fails() {
        assertThatThrownBy(() -> read("1,7,3\n", LabelFormat.ZHENG))
                .hasMessage("in.txt line 1: expected the header question,worker,answer");
    }

    @Test
    void welinder_blockOfFlowMappings_readsEveryLabel() throws IOException {
        LabelData d = read("39: {11573: true, 11574:\n  false}\n97: {11573: false}\n", LabelFormat.WELINDER);
        assertThat(d.labels()).containsExactly(new Label("11573", "39", "true"), new Label("11574", "39", "false"),
                new Label("11573", "97", "false"));
    }

    @Test
    void welinder_gold_readsFlowMapping() throws IOException {
        assertThat(LabelFiles.readGold(new StringReader("{1: true,\n 2: false}\n"), LabelFormat.WELINDER, "gt.yaml"))
                .containsExactly(Map.entry("1", "true"), Map.entry("2", "false"));
    }

    @Test
    void welinder_missingBrace_namesLine() {
        assertThatThrownBy(() -> read("39: {1: true,\n 2: false\n97: {1: true}\n", LabelFormat.WELINDER))
                .hasMessage("in.txt line 3: expected ',' or '}' in a mapping, found '9'");
    }

    @Test
    void welinder_duplicateWorker_namesLine() {
        assertThatThrownBy(() -> read("39: {1: true}\n39: {2: true}\n", LabelFormat.WELINDER))
                .hasMessage("in.txt line 2: duplicate key '39'");
    }

    @Test
    void format_unknownName_listsTheKnownOnes() {
        assertThatThrownBy(() -> LabelFormat.ofName("xml"))
                .hasMessage("unknown format 'xml': expected csv, tsv, snow, welinder or zheng");
    }
}
