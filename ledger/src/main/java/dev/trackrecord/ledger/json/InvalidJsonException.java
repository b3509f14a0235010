package dev.trackrecord.ledger.json;

/**
 * Input that is not acceptable JSON for the ledger. Carries the location (a JSONPath such as
 * {@code $.body.score_bp}, or {@code $} for the whole document) and the rule that was broken,
 * so callers can answer the submitter with both.
 */
public final class InvalidJsonException extends Exception {
    private final String path;
    private final String rule;

    public InvalidJsonException(String path, String rule) {
        super(path + ": " + rule);
        this.path = path;
        this.rule = rule;
    }

    /** Where the problem is, as a JSONPath from the document root. */
    public String path() {
        return path;
    }

    /** The rule that was broken, in words. */
    public String rule() {
        return rule;
    }
}
