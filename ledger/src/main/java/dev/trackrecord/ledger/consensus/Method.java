package dev.trackrecord.ledger.consensus;

import java.util.Locale;

/** The estimators. */
public enum Method {
    /** Dawid-Skene EM with a full confusion matrix per contractor. */
    DAWID_SKENE("ds"),
    /** Dawid-Skene EM with one accuracy per contractor, errors spread evenly. */
    ONE_COIN("onecoin"),
    /** Each item's label is the most voted class; no iterations. */
    MAJORITY_VOTE("mv");

    private final String code;

    Method(String code) {
        this.code = code;
    }

    /** The short name used on the command line and in output: ds, onecoin, mv. */
    public String code() {
        return code;
    }

    /** The method with this short name. */
    public static Method ofCode(String code) {
        for (Method m : values()) {
            if (m.code.equals(code.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + code + "': expected ds, onecoin or mv");
    }
}
