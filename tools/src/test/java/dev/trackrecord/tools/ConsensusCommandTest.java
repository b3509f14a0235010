package dev.trackrecord.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class ConsensusCommandTest {

    /** The data sets the ledger module tests on. */
    static final Path DATASETS = Path.of("../ledger/src/test/resources/datasets");

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        return new CommandLine(new ConsensusCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void csv_withGoldColumn_printsItemsContractorsAndAccuracy() throws IOException {
        Path f = write("labels.csv", "item,contractor,label,gold\n"
                + "i1,a,cat,cat\ni1,b,cat,\ni1,c,dog,\n"
                + "i2,a,dog,dog\ni2,b,dog,\ni2,c,dog,\n"
                + "i3,a,cat,\ni3,b,dog,\ni3,c,cat,\n");
        assertThat(run(f.toString())).isEqualTo(0);
        assertThat(out.toString()).startsWith("item,label,posterior,labels,gold\ni1,cat,")
                .contains("\n\ncontractor,accuracy,lower,upper,items\na,")
                .contains("\n\nmethod,accuracy_vs_gold,items\nds,1.000000,2\nonecoin,1.000000,2\nmv,1.000000,2\n");
        assertThat(err.toString()).startsWith("ds: 9 labels, 3 items, 3 contractors, 2 classes")
                .contains("accuracy vs gold ds 1.0000 onecoin 1.0000 mv 1.0000 (2 items)");
    }

    @Test
    void json_toOutFile_writesOneObject() throws IOException {
        Path f = write("labels.tsv", "i1\ta\tx\ni1\tb\tx\ni2\ta\ty\ni2\tb\tx\n");
        Path o = dir.resolve("out.json");
        assertThat(run(f.toString(), "--method", "mv", "--output-format", "json", "--out", o.toString())).isEqualTo(0);
        String json = Files.readString(o);
        assertThat(json).startsWith("{\"method\":\"mv\",\"classes\":[\"x\",\"y\"],")
                .contains("{\"item\":\"i1\",\"label\":\"x\",\"posterior\":1.000000,\"labels\":2,\"gold\":false}")
                .contains("\"contractor\":\"b\",\"accuracy\":0.750000,\"accuracy_bp\":7500,")
                .doesNotContain("accuracy_vs_gold").endsWith("}\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void snowRte_detected_dsBeatsMajorityVote() {
        assertThat(run(DATASETS.resolve("snow2008/rte.standardized.tsv").toString())).isEqualTo(0);
        assertThat(out.toString()).contains("\nds,0.927500,800\nonecoin,0.925000,800\nmv,0.896875,800\n");
    }

    @Test
    void welinder_withGoldAndAnchor_measuresOnTheUnrevealedItems() {
        Path birds = DATASETS.resolve("welinder2010-bluebirds");
        assertThat(run(birds.resolve("labels.yaml").toString(), "--gold", birds.resolve("gt.yaml").toString(),
                "--anchor", "0.1")).isEqualTo(0);
        assertThat(err.toString()).contains("gold items clamped; accuracy vs gold ds 0.8");
        assertThat(out.toString()).containsPattern("\nds,0\\.8[89]\\d+,9\\d\n");
    }

    @Test
    void zheng_withTruth_printsAllThreeMethods() {
        Path dog = DATASETS.resolve("zheng2017-truth-inference/dog");
        assertThat(run(dog.resolve("answer.csv").toString(), "--gold", dog.resolve("truth.csv").toString()))
                .isEqualTo(0);
        assertThat(out.toString()).contains("\nds,0.842").contains("\nmv,0.822");
    }

    @Test
    void duplicateLabel_exits1NamingIt() throws IOException {
        Path f = write("dup.csv", "i1,a,x\ni1,b,x\ni1,a,y\n");
        assertThat(run(f.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("trackrecord consensus: duplicate label: contractor 'a' labelled item 'i1'"
                + " more than once; each contractor may label an item once\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void malformedLine_exits1NamingLineAndField() throws IOException {
        Path f = write("bad.csv", "i1,a,x\ni1,,x\n");
        assertThat(run(f.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("bad.csv line 2: field 'contractor' (column 2) is empty");
    }

    @Test
    void emptyFile_exits1() throws IOException {
        assertThat(run(write("empty.csv", "").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("the batch is empty");
    }

    @Test
    void unknownMethod_isAUsageError() throws IOException {
        assertThat(run(write("l.csv", "i1,a,x\ni1,b,x\n").toString(), "--method", "em")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown method 'em': expected ds, onecoin or mv");
    }

    @Test
    void missingFile_isAUsageError() {
        assertThat(run(dir.resolve("nope.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.csv: cannot read");
    }
}
