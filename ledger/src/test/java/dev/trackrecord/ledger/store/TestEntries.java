package dev.trackrecord.ledger.store;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Valid submissions for storage tests, about 400 bytes each once enveloped. */
final class TestEntries {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(CLOCK);

    private TestEntries() {
    }

    static Submission audit(String eventId, String contractor, int scoreBp) {
        return parse("""
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                  "occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-%s","task_id":"t-%s","method":"gold",
                  "auditor":"qa-bot-7","verdict":"pass","score_bp":%d,"error_tags":["none"],
                  "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """.formatted(contractor, eventId, eventId, eventId, scoreBp));
    }

    static Submission parse(String json) {
        try {
            return VALIDATOR.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (EntryRejectedException e) {
            throw new AssertionError("test submission is invalid: " + e.getMessage(), e);
        }
    }
}
