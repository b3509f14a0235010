package dev.trackrecord.api.http;

import dev.trackrecord.ledger.entry.Violation;
import java.util.List;
import java.util.Map;

/**
 * A request the service refuses, as an RFC 9457 problem: the HTTP status, a stable type, a
 * title per type and a detail that names the field and the rule. Thrown by handlers and written
 * by {@link Problems}; only this package knows about HTTP statuses.
 *
 * @param errors     for validation problems, every violation found
 * @param headers    extra response headers, such as {@code Retry-After} or {@code WWW-Authenticate}
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final List<Violation> errors;
    private final Map<String, String> headers;

    public ProblemException(int status, String type, String title, String detail, List<Violation> errors,
                     Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    /** A 400 about one query or path parameter. */
    public static ProblemException badParameter(String name, String rule) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter", name + ": " + rule,
                List.of(new Violation(name, rule)), Map.of());
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail, List.of(), Map.of());
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String title() {
        return title;
    }

    List<Violation> errors() {
        return errors;
    }

    Map<String, String> headers() {
        return headers;
    }
}
