package dev.trackrecord.ledger.consensus.format;

/** A label file that does not follow its format; the message names the source, line and field. */
public final class LabelFileException extends IllegalArgumentException {

    private final String source;
    private final int line;

    LabelFileException(String source, int line, String message) {
        super(source + " line " + line + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** The file or stream name the reader was given. */
    public String source() {
        return source;
    }

    /** The 1-based line number of the fault. */
    public int line() {
        return line;
    }
}
