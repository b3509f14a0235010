package dev.trackrecord.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.store.DisputeConflictException;
import dev.trackrecord.ledger.store.EventConflictException;
import dev.trackrecord.ledger.store.LedgerBusyException;
import dev.trackrecord.ledger.store.StorageFailedException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Translates domain exceptions to RFC 9457 {@code application/problem+json} answers. This is the
 * one place where ledger failures become HTTP statuses.
 */
final class Problems {
    static final String MEDIA_TYPE = "application/problem+json";
    /** Prefix of every problem type; the suffix is stable and documented in openapi.yaml. */
    static final String TYPE_PREFIX = "urn:trackrecord:problem:";

    /** Violations spelled out in {@code detail}; {@code errors} always holds all of them. */
    private static final int MAX_DETAIL_VIOLATIONS = 5;
    private static final Logger LOG = Logger.getLogger(Problems.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    static void register(HttpRouting.Builder routing) {
        routing.error(ProblemException.class, (req, res, e) -> write(res, e));
        routing.error(EntryRejectedException.class, (req, res, e) -> write(res, rejected(e)));
        routing.error(EventConflictException.class, (req, res, e) -> write(res, new ProblemException(409,
                "event-conflict", "Event id already used", e.getMessage(),
                List.of(new Violation("event_id", "already used by a different entry")), Map.of())));
        routing.error(DisputeConflictException.class, (req, res, e) -> write(res, new ProblemException(409,
                "dispute-conflict", "Dispute does not fit the log", e.getMessage(), e.violations(), Map.of())));
        routing.error(LedgerBusyException.class, (req, res, e) -> write(res, new ProblemException(503,
                "busy", "Ledger busy", e.getMessage(), List.of(), Map.of("Retry-After", "1"))));
        routing.error(StorageFailedException.class, (req, res, e) -> {
            LOG.log(Level.WARNING, "append failed on storage", e);
            write(res, new ProblemException(503, "storage-failed", "Storage unavailable", e.getMessage(),
                    List.of(), Map.of("Retry-After", "5")));
        });
        // Helidon's own refusals (a malformed request, say) keep their status.
        routing.error(HttpException.class, (req, res, e) -> {
            int status = e.status().code();
            if (status >= 500) {
                LOG.log(Level.WARNING, "request failed in the server", e);
            }
            write(res, new ProblemException(status, status >= 500 ? "internal" : "bad-request",
                    e.status().reasonPhrase(), status >= 500 ? "the server failed to handle this request" : e.getMessage(),
                    List.of(), Map.of()));
        });
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "unexpected failure in " + req.prologue().method() + " " + req.path().path(), e);
            write(res, new ProblemException(500, "internal", "Internal error",
                    "the server failed to handle this request; the failure is in the server log", List.of(), Map.of()));
        });
    }

    /** Every violation of a refused append, 400 with paths such as {@code $.entries[3].body.score_bp}. */
    static ProblemException rejected(EntryRejectedException e) {
        List<Violation> violations = e.violations();
        StringBuilder detail = new StringBuilder();
        if (violations.size() > 1) {
            detail.append(violations.size()).append(" violations: ");
        }
        for (int i = 0; i < Math.min(violations.size(), MAX_DETAIL_VIOLATIONS); i++) {
            detail.append(i == 0 ? "" : "; ").append(violations.get(i));
        }
        if (violations.size() > MAX_DETAIL_VIOLATIONS) {
            detail.append("; and ").append(violations.size() - MAX_DETAIL_VIOLATIONS).append(" more in errors");
        }
        return new ProblemException(400, "invalid-entry", "Invalid entry", detail.toString(), violations, Map.of());
    }

    static void write(ServerResponse res, ProblemException p) {
        if (res.isSent()) {
            LOG.log(Level.WARNING, "could not report a problem, the response was already sent: " + p.getMessage());
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("type", TYPE_PREFIX + p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.getMessage());
        if (!p.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (Violation v : p.errors()) {
                errors.addObject().put("path", v.path()).put("rule", v.rule());
            }
        }
        res.status(p.status());
        p.headers().forEach(res::header);
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
