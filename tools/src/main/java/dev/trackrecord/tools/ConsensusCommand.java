package dev.trackrecord.tools;

import dev.trackrecord.ledger.consensus.Consensus;
import dev.trackrecord.ledger.consensus.ConsensusOptions;
import dev.trackrecord.ledger.consensus.ConsensusResult;
import dev.trackrecord.ledger.consensus.ContractorEstimate;
import dev.trackrecord.ledger.consensus.InvalidBatchException;
import dev.trackrecord.ledger.consensus.ItemEstimate;
import dev.trackrecord.ledger.consensus.LabelBatch;
import dev.trackrecord.ledger.consensus.Method;
import dev.trackrecord.ledger.consensus.format.LabelData;
import dev.trackrecord.ledger.consensus.format.LabelFileException;
import dev.trackrecord.ledger.consensus.format.LabelFiles;
import dev.trackrecord.ledger.consensus.format.LabelFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord consensus FILE}: runs the consensus estimator offline on a label file
 * and prints each item's aggregated label and each contractor's estimated accuracy. With
 * ground truth (a {@code --gold} file, a gold column, or the gold of a Snow file) it also
 * prints the accuracy of DS, one-coin DS and majority vote against it.
 */
@Command(name = "consensus", mixinStandardHelpOptions = true,
        description = {"Estimates item labels and contractor accuracy from overlapping labels.",
                "Prints two CSV tables (items, then contractors, separated by a blank line) or one JSON"
                        + " object. With ground truth it adds the accuracy of ds, onecoin and mv against it,"
                        + " and a one-line summary on stderr. Exit 0 on success, 1 when the file or batch is"
                        + " invalid, 2 for usage errors."})
final class ConsensusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the labels")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "csv, tsv, snow, welinder or zheng; default: from the file's first line and extension")
    String format;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "ds",
            description = "ds (Dawid-Skene, default), onecoin or mv (majority vote)")
    String method;

    @Option(names = "--gold", paramLabel = "FILE",
            description = "ground truth in the same format family: item,gold (csv/tsv), question,truth (zheng), "
                    + "{item: label} (welinder)")
    Path gold;

    @Option(names = "--anchor", paramLabel = "FRACTION", defaultValue = "0",
            description = "share of the ground truth revealed to the estimator as gold (clamped); the accuracy "
                    + "is then measured on the rest. Default 0: truth is only used to measure")
    double anchor;

    @Option(names = "--out", paramLabel = "FILE", description = "write the result here instead of stdout")
    Path out;

    @Option(names = "--output-format", paramLabel = "csv|json", defaultValue = "csv", description = "csv or json")
    String outputFormat;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Method chosen;
        LabelFormat labelFormat;
        try {
            chosen = Method.ofCode(method);
            labelFormat = format == null ? detect(file) : LabelFormat.ofName(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + ": cannot read (" + e + ")");
        }
        if (!outputFormat.equals("csv") && !outputFormat.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown output format '" + outputFormat + "': expected csv or json");
        }
        if (!(anchor >= 0 && anchor < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--anchor must be in [0, 1), got " + anchor);
        }
        for (Path p : gold == null ? List.of(file) : List.of(file, gold)) {
            if (!Files.isReadable(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), p + ": no such readable file");
            }
        }
        try {
            LabelData data = LabelFiles.readLabels(file, labelFormat);
            Map<String, String> truth = new LinkedHashMap<>(data.gold());
            if (gold != null) {
                truth.putAll(LabelFiles.readGold(gold, labelFormat));
            }
            Map<String, String> revealed = reveal(truth, anchor);
            LabelBatch batch = LabelBatch.of(data.labels(), revealed);
            ConsensusResult result = Consensus.estimate(batch, ConsensusOptions.defaults(chosen));
            Map<Method, ConsensusResult.Agreement> evaluation = new LinkedHashMap<>();
            if (!truth.isEmpty()) {
                Map<String, String> unrevealed = new HashMap<>(truth);
                unrevealed.keySet().removeAll(revealed.keySet());
                for (Method m : Method.values()) {
                    ConsensusResult r = m == chosen ? result : Consensus.estimate(batch, ConsensusOptions.defaults(m));
                    evaluation.put(m, r.agreementWith(unrevealed));
                }
            }
            String text = outputFormat.equals("json") ? json(batch, result, evaluation) : csv(result, evaluation);
            if (out == null) {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
            } else {
                Files.writeString(out, text, StandardCharsets.UTF_8);
            }
            err.println(summary(batch, result, revealed.size(), evaluation));
            err.flush();
            return 0;
        } catch (LabelFileException | InvalidBatchException e) {
            err.println("trackrecord consensus: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("trackrecord consensus: " + e);
            return 1;
        }
    }

    /** snow or zheng by their header line, welinder by a .yaml/.yml name, tsv by a .tsv name, else csv. */
    static LabelFormat detect(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String first;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            first = r.readLine();
        }
        first = first == null ? "" : first.strip();
        if (first.startsWith("!amt_annotation_ids")) {
            return LabelFormat.SNOW;
        }
        if (first.equalsIgnoreCase("question,worker,answer")) {
            return LabelFormat.ZHENG;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return LabelFormat.WELINDER;
        }
        return name.endsWith(".tsv") ? LabelFormat.TSV : LabelFormat.CSV;
    }

    /** A deterministic share of the truth: items in sorted order, each kept with probability {@code fraction}. */
    static Map<String, String> reveal(Map<String, String> truth, double fraction) {
        Map<String, String> revealed = new LinkedHashMap<>();
        if (fraction <= 0) {
            return revealed;
        }
        List<String> items = new ArrayList<>(truth.keySet());
        items.sort(null);
        SplittableRandom random = new SplittableRandom(7);
        for (String item : items) {
            if (random.nextDouble() < fraction) {
                revealed.put(item, truth.get(item));
            }
        }
        return revealed;
    }

    private static String csv(ConsensusResult result, Map<Method, ConsensusResult.Agreement> evaluation) {
        StringWriter s = new StringWriter();
        PrintWriter w = new PrintWriter(s);
        w.print("item,label,posterior,labels,gold\n");
        for (ItemEstimate i : result.items()) {
            w.print(cell(i.item()) + "," + cell(i.label()) + "," + number(i.posterior()) + "," + i.labels() + ","
                    + i.gold() + "\n");
        }
        w.print("\ncontractor,accuracy,lower,upper,items\n");
        for (ContractorEstimate c : result.contractors()) {
            w.print(cell(c.contractor()) + "," + number(c.accuracy()) + "," + number(c.lower()) + ","
                    + number(c.upper()) + "," + c.items() + "\n");
        }
        if (!evaluation.isEmpty()) {
            w.print("\nmethod,accuracy_vs_gold,items\n");
            evaluation.forEach((m, a) -> w.print(m.code() + "," + (a.items() == 0 ? "" : number(a.accuracy())) + ","
                    + a.items() + "\n"));
        }
        w.flush();
        return s.toString();
    }

    private static String json(LabelBatch batch, ConsensusResult result,
                               Map<Method, ConsensusResult.Agreement> evaluation) {
        StringBuilder b = new StringBuilder();
        b.append("{\"method\":").append(quote(result.method().code()));
        b.append(",\"classes\":[");
        List<String> classes = result.classes();
        for (int k = 0; k < classes.size(); k++) {
            b.append(k == 0 ? "" : ",").append(quote(classes.get(k)));
        }
        b.append("],\"iterations\":").append(result.iterations());
        b.append(",\"converged\":").append(result.converged());
        b.append(",\"labels\":").append(batch.labelCount());
        b.append(",\"items\":[");
        List<ItemEstimate> items = result.items();
        for (int i = 0; i < items.size(); i++) {
            ItemEstimate e = items.get(i);
            b.append(i == 0 ? "" : ",").append("\n{\"item\":").append(quote(e.item()))
                    .append(",\"label\":").append(quote(e.label()))
                    .append(",\"posterior\":").append(number(e.posterior()))
                    .append(",\"labels\":").append(e.labels())
                    .append(",\"gold\":").append(e.gold()).append('}');
        }
        b.append("],\"contractors\":[");
        List<ContractorEstimate> contractors = result.contractors();
        for (int c = 0; c < contractors.size(); c++) {
            ContractorEstimate e = contractors.get(c);
            b.append(c == 0 ? "" : ",").append("\n{\"contractor\":").append(quote(e.contractor()))
                    .append(",\"accuracy\":").append(number(e.accuracy()))
                    .append(",\"accuracy_bp\":").append(e.accuracyBp())
                    .append(",\"lower\":").append(number(e.lower()))
                    .append(",\"upper\":").append(number(e.upper()))
                    .append(",\"items\":").append(e.items()).append('}');
        }
        b.append(']');
        if (!evaluation.isEmpty()) {
            b.append(",\"accuracy_vs_gold\":{");
            boolean first = true;
            for (Map.Entry<Method, ConsensusResult.Agreement> e : evaluation.entrySet()) {
                b.append(first ? "" : ",").append(quote(e.getKey().code())).append(":{\"accuracy\":")
                        .append(number(e.getValue().accuracy())).append(",\"items\":").append(e.getValue().items())
                        .append('}');
                first = false;
            }
            b.append('}');
        }
        return b.append("}\n").toString();
    }

    private static String summary(LabelBatch batch, ConsensusResult result, int revealed,
                                  Map<Method, ConsensusResult.Agreement> evaluation) {
        StringBuilder s = new StringBuilder();
        s.append(result.method().code()).append(": ").append(batch.labelCount()).append(" labels, ")
                .append(batch.itemCount()).append(" items, ").append(batch.contractorCount()).append(" contractors, ")
                .append(batch.classes().size()).append(" classes");
        if (result.method() != Method.MAJORITY_VOTE) {
            s.append(", ").append(result.iterations()).append(" iterations")
                    .append(result.converged() ? " (converged)" : " (iteration cap)");
        }
        if (revealed > 0) {
            s.append(", ").append(revealed).append(" gold items clamped");
        }
        if (!evaluation.isEmpty()) {
            s.append("; accuracy vs gold");
            evaluation.forEach((m, a) -> s.append(' ').append(m.code()).append(' ')
                    .append(String.format(Locale.ROOT, "%.4f", a.accuracy())));
            s.append(" (").append(evaluation.values().iterator().next().items()).append(" items)");
        }
        return s.toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "null";
    }

    private static String cell(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }

    private static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
