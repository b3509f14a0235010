package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory log for scoring tests: entries built from submissions, with the ts the test says. */
final class TestLog implements EntrySource {
    /** "Now" for the tests; entries are dated before it. */
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(
            Clock.fixed(NOW.plusSeconds(86_400), ZoneOffset.UTC));
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private final List<Entry> entries = new ArrayList<>();
    private final List<Submission> submissions = new ArrayList<>();
    private final Map<String, long[]> seqs = new HashMap<>();
    private final Map<String, Integer> ordinals = new HashMap<>();
    private int events;
    /** The ts the next appended entry gets. */
    Instant ts = NOW.minusSeconds(86_400 * 365);

    @Override
    public long size() {
        return entries.size();
    }

    @Override
    public Entry entry(long seq) {
        return entries.get((int) seq);
    }

    @Override
    public long[] contractorSeqs(String contractor) {
        return seqs.getOrDefault(contractor, new long[0]);
    }

    /** The submissions of the entries from {@code from} (inclusive) to {@code to}, as the ledger hands them over. */
    List<Submission> submissions(long from, long to) {
        return List.copyOf(submissions.subList((int) from, (int) to));
    }

    /** The contractor ordinals of entries [from, to) as a ledger numbers them: by first appearance. */
    int[] contractorOrdinals(long from, long to) {
        int[] out = new int[(int) (to - from)];
        for (long seq = from; seq < to; seq++) {
            out[(int) (seq - from)] = ordinals.get(submissions.get((int) seq).contractor());
        }
        return out;
    }

    /** Appends a submission (JSON) with {@code ts}, returning its seq. */
    long append(String json) {
        Submission s;
        try {
            s = VALIDATOR.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (EntryRejectedException e) {
            throw new AssertionError("invalid test submission: " + e.getMessage() + "\n" + json, e);
        }
        return append(s);
    }

    /** Appends a validated submission with {@code ts}, returning its seq. */
    long append(Submission s) {
        submissions.add(s);
        ordinals.putIfAbsent(s.contractor(), ordinals.size());
        long seq = entries.size();
        long[] mine = contractorSeqs(s.contractor());
        Entry e = s.toEntry(seq, ts, "test", new byte[32], mine.length == 0 ? -1 : mine[mine.length - 1]);
        entries.add(e);
        long[] grown = Arrays.copyOf(mine, mine.length + 1);
        grown[mine.length] = seq;
        seqs.put(s.contractor(), grown);
        return seq;
    }

    private String event() {
        return "ev-" + (++events);
    }

    long policy(String id, String params) {
        return append("""
                {"kind":"policy.published","contractor":"_system","event_id":"%s","body":{
                "occurred_at":"%s","policy_id":"%s","params":{%s}}}""".formatted(event(), ts, id, params));
    }

    long defaultPolicy() {
        return append(Policy.defaultPolicyEntry());
    }

    long audit(String contractor, Instant at, String method, int scoreBp, String taskId, String... skills) {
        return append("""
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","audit_id":"a-%s","task_id":"%s","method":"%s","auditor":"qa",
                "verdict":"%s","score_bp":%d,"error_tags":[],%s"evidence_sha256":"%s"}}"""
                .formatted(contractor, event(), at, events, taskId, method, scoreBp >= 5000 ? "pass" : "fail",
                        scoreBp, skills.length == 0 ? "" : "\"skills\":" + json(skills) + ",", SHA));
    }

    long task(String contractor, Instant at, String taskId, String outcome, boolean late, long valueMinor,
              String... skills) {
        return append("""
                {"kind":"task.outcome","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","task_id":"%s","project_id":"p-1","skills":%s,"outcome":"%s",
                "duration_s":600,"late":%s,"value_minor":%d,"currency":"USD"}}"""
                .formatted(contractor, event(), at, taskId, json(skills), outcome, late, valueMinor));
    }

    long credential(String contractor, String id, String type, Instant from, Instant until) {
        return append("""
                {"kind":"credential.issued","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","credential_id":"%s","type":"%s","issuer":"board","evidence_sha256":"%s",
                "valid_from":"%s"%s}}""".formatted(contractor, event(), ts, id, type, SHA, from,
                until == null ? "" : ",\"valid_until\":\"" + until + "\""));
    }

    long revoke(String contractor, String id, Instant at) {
        return append("""
                {"kind":"credential.revoked","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","credential_id":"%s","reason_code":"withdrawn"}}"""
                .formatted(contractor, event(), at, id));
    }

    long status(String contractor, String status) {
        return append("""
                {"kind":"contractor.status","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","status":"%s","reason_code":"review"}}""".formatted(contractor, event(), ts, status));
    }

    /** A resolution alone, naming any dispute and target: the validator only checks that the dispute is later. */
    long resolve(String contractor, long disputeSeq, long target, String resolution) {
        return append("""
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","dispute_seq":%d,"target_seq":%d,"resolution":"%s","reason_code":"checked"}}"""
                .formatted(contractor, event(), ts, disputeSeq, target, resolution));
    }

    long dispute(String contractor, long target, String resolution) {
        long opened = append("""
                {"kind":"dispute.opened","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","target_seq":%d,"reason_code":"wrong_audit","reason":"not my error"}}"""
                .formatted(contractor, event(), ts, target));
        return append("""
                {"kind":"dispute.resolved","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","dispute_seq":%d,"target_seq":%d,"resolution":"%s","reason_code":"checked"}}"""
                .formatted(contractor, event(), ts, opened, target, resolution));
    }

    private static String json(String[] values) {
        StringBuilder b = new StringBuilder("[");
        for (String v : values) {
            b.append(b.length() > 1 ? "," : "").append('"').append(v).append('"');
        }
        return b.append(']').toString();
    }
}
