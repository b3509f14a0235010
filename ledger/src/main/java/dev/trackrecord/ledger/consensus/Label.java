package dev.trackrecord.ledger.consensus;

import java.util.Objects;

/** One contractor's answer for one item. */
public record Label(String item, String contractor, String label) {

    public Label {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(contractor, "contractor");
        Objects.requireNonNull(label, "label");
    }
}
