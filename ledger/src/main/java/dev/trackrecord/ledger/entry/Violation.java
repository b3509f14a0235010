package dev.trackrecord.ledger.entry;

import java.util.Objects;

/**
 * One broken rule in a submission.
 *
 * @param path where, as a JSONPath from the document root, e.g. {@code $.body.score_bp} or
 *             {@code $.entries[3].kind}; {@code $} for the whole document
 * @param rule what is wrong, in words; several rules broken at one path are joined with "; "
 */
public record Violation(String path, String rule) {

    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(rule, "rule");
    }

    @Override
    public String toString() {
        return path + ": " + rule;
    }
}
