package dev.trackrecord.ledger.entry;

/**
 * Bytes that are not a well-formed stored entry: not JSON, a field missing or malformed, or not
 * exactly the entry's canonical encoding. Names the field (a JSONPath such as {@code $.prev}, or
 * {@code $} for the whole line) and the rule broken.
 */
public final class InvalidEntryException extends Exception {
    private final String path;
    private final String rule;

    public InvalidEntryException(String path, String rule) {
        super(path + ": " + rule);
        this.path = path;
        this.rule = rule;
    }

    /** The field at fault, as a JSONPath from the entry. */
    public String path() {
        return path;
    }

    /** The rule that was broken, in words. */
    public String rule() {
        return rule;
    }
}
