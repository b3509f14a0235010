package dev.trackrecord.ledger.consensus;

import dev.trackrecord.ledger.consensus.format.LabelData;
import dev.trackrecord.ledger.consensus.format.LabelFiles;
import dev.trackrecord.ledger.consensus.format.LabelFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The public data sets in {@code src/test/resources/datasets}: labels without gold, and the truth apart. */
enum Datasets {
    RTE("snow2008/rte.standardized.tsv", LabelFormat.SNOW, null),
    TEMP("snow2008/temp.standardized.tsv", LabelFormat.SNOW, null),
    WSD("snow2008/wsd.standardized.tsv", LabelFormat.SNOW, null),
    BLUEBIRDS("welinder2010-bluebirds/labels.yaml", LabelFormat.WELINDER, "welinder2010-bluebirds/gt.yaml"),
    PRODUCT("zheng2017-truth-inference/product/answer.csv", LabelFormat.ZHENG, "zheng2017-truth-inference/product/truth.csv"),
    DOG("zheng2017-truth-inference/dog/answer.csv", LabelFormat.ZHENG, "zheng2017-truth-inference/dog/truth.csv"),
    FACE("zheng2017-truth-inference/face/answer.csv", LabelFormat.ZHENG, "zheng2017-truth-inference/face/truth.csv"),
    DUCK("zheng2017-truth-inference/duck/answer.csv", LabelFormat.ZHENG, "zheng2017-truth-inference/duck/truth.csv");

    private final String labels;
    private final LabelFormat format;
    private final String truth;
    private LabelData data;
    private Map<String, String> truthMap;

    Datasets(String labels, LabelFormat format, String truth) {
        this.labels = labels;
        this.format = format;
        this.truth = truth;
    }

    /** The labels, with no gold. */
    synchronized List<Label> labels() {
        load();
        return data.labels();
    }

    /** The ground truth for every item. */
    synchronized Map<String, String> truth() {
        load();
        return truthMap;
    }

    /** The batch without gold. */
    LabelBatch batch() {
        return LabelBatch.of(labels(), Map.of());
    }

    /** A deterministic random share of the truth, to reveal as gold. */
    Map<String, String> revealed(double fraction, long seed) {
        List<String> items = new ArrayList<>(truth().keySet());
        items.sort(null);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : items) {
            if (random.nextDouble() < fraction) {
                out.put(item, truth().get(item));
            }
        }
        return out;
    }

    private void load() {
        if (data != null) {
            return;
        }
        try {
            LabelData read = LabelFiles.readLabels(open(labels), format, labels);
            truthMap = truth == null ? read.gold() : LabelFiles.readGold(open(truth), format, truth);
            data = read.withGold(Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Reader open(String resource) {
        InputStream in = Datasets.class.getResourceAsStream("/datasets/" + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource /datasets/" + resource);
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }
}
