package dev.trackrecord.ledger.consensus.format;

import java.util.Locale;

/** The label file formats. */
public enum LabelFormat {
    /** {@code item,contractor,label[,gold]}, header optional; gold files {@code item,gold}. */
    CSV,
    /** As {@link #CSV}, tab-separated, no quoting. */
    TSV,
    /** Snow et al. 2008: TSV with header {@code !amt_annotation_ids !amt_worker_ids orig_id response gold}. */
    SNOW,
    /** Welinder et al. 2010: YAML {@code {worker: {image: label, ...}, ...}}; gold {@code {image: label}}. */
    WELINDER,
    /** Zheng et al. 2017: {@code question,worker,answer} with header; gold {@code question,truth}. */
    ZHENG;

    /** The format with this name, any case. */
    public static LabelFormat ofName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown format '" + name + "': expected csv, tsv, snow, welinder or zheng", e);
        }
    }
}
