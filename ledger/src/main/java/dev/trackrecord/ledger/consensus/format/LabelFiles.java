package dev.trackrecord.ledger.consensus.format;

import dev.trackrecord.ledger.consensus.Label;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads label and gold files in the {@link LabelFormat}s. */
public final class LabelFiles {

    private LabelFiles() {
    }

    /** Reads labels (and the gold a SNOW or 4-column CSV/TSV file carries) from a file. */
    public static LabelData readLabels(Path file, LabelFormat format) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return readLabels(in, format, file.toString());
        }
    }

    /** Reads a gold file: item to true class. */
    public static Map<String, String> readGold(Path file, LabelFormat format) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return readGold(in, format, file.toString());
        }
    }

    /** Reads labels from {@code in}; {@code source} names it in errors. */
    public static LabelData readLabels(Reader in, LabelFormat format, String source) throws IOException {
        List<String> lines = lines(in);
        return switch (format) {
            case CSV, TSV -> delimited(lines, format == LabelFormat.TSV ? '\t' : ',', source);
            case SNOW -> snow(lines, source);
            case ZHENG -> zheng(lines, source);
            case WELINDER -> welinder(String.join("\n", lines), source);
        };
    }

    /** Reads gold answers from {@code in}; {@code source} names it in errors. */
    public static Map<String, String> readGold(Reader in, LabelFormat format, String source) throws IOException {
        List<String> lines = lines(in);
        return switch (format) {
            case CSV, TSV, ZHENG -> goldTable(lines, format == LabelFormat.TSV ? '\t' : ',', source,
                    format == LabelFormat.ZHENG);
            case SNOW -> snow(lines, source).gold();
            case WELINDER -> welinderGold(String.join("\n", lines), source);
        };
    }

    private static LabelData delimited(List<String> lines, char sep, String source) {
        List<Label> labels = new ArrayList<>();
        Map<String, String> gold = new LinkedHashMap<>();
        for (int no = 1; no <= lines.size(); no++) {
            String line = lines.get(no - 1);
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(line, sep, source, no);
            if (no == 1 && f.size() >= 3 && f.get(0).trim().equalsIgnoreCase("item")
                    && f.get(1).trim().equalsIgnoreCase("contractor")) {
                continue; // header
            }
            if (f.size() < 3 || f.size() > 4) {
                throw new LabelFileException(source, no,
                        "expected 3 or 4 fields (item, contractor, label[, gold]), found " + f.size());
            }
            String item = field(f, 0, "item", source, no);
            String contractor = field(f, 1, "contractor", source, no);
            String label = field(f, 2, "label", source, no);
            labels.add(new Label(item, contractor, label));
            if (f.size() == 4 && !f.get(3).isBlank()) {
                putGold(gold, item, f.get(3).trim(), source, no);
            }
        }
        return new LabelData(labels, gold);
    }

    private static Map<String, String> goldTable(List<String> lines, char sep, String source, boolean headerRequired) {
        Map<String, String> gold = new LinkedHashMap<>();
        for (int no = 1; no <= lines.size(); no++) {
            String line = lines.get(no - 1);
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(line, sep, source, no);
            if (no == 1) {
                String first = f.get(0).trim().toLowerCase(Locale.ROOT);
                boolean header = first.equals("item") || first.equals("question");
                if (headerRequired && !header) {
                    throw new LabelFileException(source, no, "expected the header question,truth");
                }
                if (header) {
                    continue;
                }
            }
            if (f.size() != 2) {
                throw new LabelFileException(source, no, "expected 2 fields (item, gold), found " + f.size());
            }
            putGold(gold, field(f, 0, "item", source, no), field(f, 1, "gold", source, no), source, no);
        }
        return gold;
    }

    private static LabelData zheng(List<String> lines, String source) {
        if (lines.isEmpty() || !lines.get(0).trim().equalsIgnoreCase("question,worker,answer")) {
            throw new LabelFileException(source, 1, "expected the header question,worker,answer");
        }
        List<Label> labels = new ArrayList<>();
        for (int no = 2; no <= lines.size(); no++) {
            String line = lines.get(no - 1);
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(line, ',', source, no);
            if (f.size() != 3) {
                throw new LabelFileException(source, no, "expected 3 fields (question, worker, answer), found " + f.size());
            }
            labels.add(new Label(field(f, 0, "question", source, no), field(f, 1, "worker", source, no),
                    field(f, 2, "answer", source, no)));
        }
        return new LabelData(labels, Map.of());
    }

    private static LabelData snow(List<String> lines, String source) {
        if (lines.isEmpty()) {
            throw new LabelFileException(source, 1, "expected a header with !amt_worker_ids, orig_id, response, gold");
        }
        List<String> header = split(lines.get(0), '\t', source, 1);
        int worker = column(header, "!amt_worker_ids", source);
        int item = column(header, "orig_id", source);
        int response = column(header, "response", source);
        int goldColumn = column(header, "gold", source);
        List<Label> labels = new ArrayList<>();
        Map<String, String> gold = new LinkedHashMap<>();
        for (int no = 2; no <= lines.size(); no++) {
            String line = lines.get(no - 1);
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(line, '\t', source, no);
            if (f.size() != header.size()) {
                throw new LabelFileException(source, no, "expected " + header.size() + " fields, found " + f.size());
            }
            String id = field(f, item, "orig_id", source, no);
            labels.add(new Label(id, field(f, worker, "!amt_worker_ids", source, no), field(f, response, "response", source, no)));
            putGold(gold, id, field(f, goldColumn, "gold", source, no), source, no);
        }
        return new LabelData(labels, gold);
    }

    private static int column(List<String> header, String name, String source) {
        int at = header.indexOf(name);
        if (at < 0) {
            throw new LabelFileException(source, 1, "missing column '" + name + "' in the header " + header);
        }
        return at;
    }

    private static LabelData welinder(String text, String source) {
        Yaml.Node root = new Yaml(text, source).document();
        List<Label> labels = new ArrayList<>();
        for (Map.Entry<String, Yaml.Node> worker : root.map().entrySet()) {
            Yaml.Node answers = worker.getValue();
            if (answers.map() == null) {
                throw new LabelFileException(source, answers.line(),
                        "the value of worker '" + worker.getKey() + "' must be a mapping {image: label, ...}");
            }
            for (Map.Entry<String, Yaml.Node> a : answers.map().entrySet()) {
                if (a.getValue().scalar() == null) {
                    throw new LabelFileException(source, a.getValue().line(), "the label of worker '" + worker.getKey()
                            + "' for image '" + a.getKey() + "' must be a scalar");
                }
                labels.add(new Label(a.getKey(), worker.getKey(), a.getValue().scalar()));
            }
        }
        return new LabelData(labels, Map.of());
    }

    private static Map<String, String> welinderGold(String text, String source) {
        Yaml.Node root = new Yaml(text, source).document();
        Map<String, String> gold = new LinkedHashMap<>();
        for (Map.Entry<String, Yaml.Node> e : root.map().entrySet()) {
            if (e.getValue().scalar() == null) {
                throw new LabelFileException(source, e.getValue().line(),
                        "the gold of image '" + e.getKey() + "' must be a scalar");
            }
            gold.put(e.getKey(), e.getValue().scalar());
        }
        return gold;
    }

    private static void putGold(Map<String, String> gold, String item, String label, String source, int no) {
        String before = gold.putIfAbsent(item, label);
        if (before != null && !before.equals(label)) {
            throw new LabelFileException(source, no, "field 'gold': item '" + item + "' has gold '" + label
                    + "' here but '" + before + "' on an earlier line");
        }
    }

    private static String field(List<String> f, int index, String name, String source, int no) {
        String v = f.get(index).trim();
        if (v.isEmpty()) {
            throw new LabelFileException(source, no, "field '" + name + "' (column " + (index + 1) + ") is empty");
        }
        return v;
    }

    /** Splits one line; with ',' it honours RFC 4180 double quotes within the line. */
    static List<String> split(String line, char sep, String source, int no) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean quoting = sep == ',';
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoting && ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw new LabelFileException(source, no, "unterminated quoted field");
        }
        out.add(cur.toString());
        return out;
    }

    private static List<String> lines(Reader in) throws IOException {
        try {
            BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
            List<String> lines = new ArrayList<>(r.lines().toList());
            if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
                lines.set(0, lines.get(0).substring(1));
            }
            return lines;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
