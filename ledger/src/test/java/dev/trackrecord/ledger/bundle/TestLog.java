package dev.trackrecord.ledger.bundle;

import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.store.Checkpointer;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** A ledger in a temporary directory with a checkpoint signer, and zip helpers for bundle tests. */
final class TestLog implements AutoCloseable {
    static final String ORIGIN = "trackrecord.test/bundle";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(CLOCK);

    final Ledger ledger;
    final NoteSigner signer;
    final Checkpointer checkpointer;
    private int events;

    TestLog(Path dir) {
        ledger = Ledger.open(LedgerOptions.defaults(dir, ORIGIN).withClock(CLOCK));
        signer = NoteSigner.generate(ORIGIN, new SecureRandom());
        checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1));
    }

    /** Appends audits for the contractors in turn, one entry each. */
    TestLog audits(String... contractors) {
        for (String c : contractors) {
            ledger.append(List.of(audit("e-" + events++, c)), "qa-service").join();
        }
        return this;
    }

    TestLog status(String contractor) {
        ledger.append(List.of(parse("""
                {"kind":"contractor.status","contractor":"%s","event_id":"s-%d","body":{
                  "occurred_at":"2026-11-01T09:00:00Z","status":"suspended","reason_code":"quality-review"}}
                """.formatted(contractor, events++))), "admin").join();
        return this;
    }

    String checkpoint() {
        return checkpointer.checkpointNow();
    }

    byte[] export(ExportQuery query) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleWriter.write(ledger, query, signer.verifier(), CLOCK, out);
        return out.toByteArray();
    }

    static Submission audit(String eventId, String contractor) {
        return parse("""
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                  "occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-%s","task_id":"t-%s","method":"gold",
                  "auditor":"qa-bot-7","verdict":"pass","score_bp":9000,"error_tags":["none"],
                  "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """.formatted(contractor, eventId, eventId, eventId));
    }

    static Submission parse(String json) {
        try {
            return VALIDATOR.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (EntryRejectedException e) {
            throw new AssertionError("test submission is invalid: " + e.getMessage(), e);
        }
    }

    /** The files of a zip by name, in order. */
    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var f : files.entrySet()) {
                z.putNextEntry(new ZipEntry(f.getKey()));
                z.write(f.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static String text(Map<String, byte[]> files, String name) {
        return new String(files.get(name), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        checkpointer.close();
        ledger.close();
    }
}
