package dev.trackrecord.ledger.consensus.format;

import dev.trackrecord.ledger.consensus.Label;
import dev.trackrecord.ledger.consensus.LabelBatch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Labels and gold answers as read from files, before validation. */
public record LabelData(List<Label> labels, Map<String, String> gold) {

    public LabelData {
        labels = List.copyOf(labels);
        gold = Collections.unmodifiableMap(new LinkedHashMap<>(gold));
    }

    /** The same labels with other gold answers. */
    public LabelData withGold(Map<String, String> gold) {
        return new LabelData(labels, gold);
    }

    /** The validated batch, with every gold answer clamped. */
    public LabelBatch toBatch() {
        return LabelBatch.of(labels, gold);
    }
}
