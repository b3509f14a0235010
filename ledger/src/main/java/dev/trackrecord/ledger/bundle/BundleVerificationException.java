package dev.trackrecord.ledger.bundle;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A bundle failed verification. Carries where: the file inside the zip, the line (1-based) and
 * the entry's seq when known, and what failed, e.g.
 * {@code entries.jsonl line 17 (seq 42): inclusion proof does not lead to the checkpoint root
 * (expected .., calculated ..)}.
 */
public final class BundleVerificationException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final long seq;
    private final String problem;

    BundleVerificationException(String file, int line, long seq, String problem) {
        this(file, line, seq, problem, null);
    }

    BundleVerificationException(String file, int line, long seq, String problem, Throwable cause) {
        super(where(file, line, seq) + ": " + problem, cause);
        this.file = file;
        this.line = line;
        this.seq = seq;
        this.problem = problem;
    }

    private static String where(String file, int line, long seq) {
        return file + (line > 0 ? " line " + line : "") + (seq >= 0 ? " (seq " + seq + ")" : "");
    }

    /** The file inside the bundle, or {@code (zip)} when the archive itself is unreadable. */
    public String file() {
        return file;
    }

    /** The 1-based line of {@link #file()}, when the failure is on one line. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The seq of the entry concerned, when known. */
    public OptionalLong seq() {
        return seq >= 0 ? OptionalLong.of(seq) : OptionalLong.empty();
    }

    /** What failed, without the place. */
    public String problem() {
        return problem;
    }
}
