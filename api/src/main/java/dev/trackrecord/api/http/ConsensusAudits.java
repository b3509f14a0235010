package dev.trackrecord.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.ledger.consensus.Consensus;
import dev.trackrecord.ledger.consensus.ConsensusOptions;
import dev.trackrecord.ledger.consensus.ConsensusResult;
import dev.trackrecord.ledger.consensus.ContractorEstimate;
import dev.trackrecord.ledger.consensus.HistoryPrior;
import dev.trackrecord.ledger.consensus.InvalidBatchException;
import dev.trackrecord.ledger.consensus.ItemEstimate;
import dev.trackrecord.ledger.consensus.LabelBatch;
import dev.trackrecord.ledger.consensus.Prior;
import dev.trackrecord.ledger.entry.AuditResult;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.json.Bytes;
import dev.trackrecord.ledger.store.Appended;
import dev.trackrecord.ledger.store.Ledger;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code POST /v1/audits/consensus}: estimates each contractor's accuracy from a batch of
 * overlapping labels (Dawid-Skene by default, seeded with priors from the contractor's earlier
 * audits of the skill) and appends one {@code audit.result} per contractor, all in one append.
 *
 * <p>Idempotent on {@code batch_id}: the entries' event ids are {@code consensus:<batch_id>:<contractor>},
 * and a batch already in the log answers its entries again, recomputed from the history before them,
 * without appending. The same batch_id with other input is refused. Which batch_ids the log holds
 * is learned by scanning the log for those event ids, once from the start and then only the new
 * entries; batches are handled one at a time so that two copies of a batch cannot both append.
 */
final class ConsensusAudits {
    /** Largest request body: 200,000 labels of long ids. The service-wide limit is for entry appends. */
    static final long MAX_BODY_BYTES = 64L * 1024 * 1024;
    /** Accuracy at or above which the audit's verdict is pass. */
    static final long PASS_BP = 8500;
    /** Accuracy at or above which the verdict is partial; below it, fail. */
    static final long PARTIAL_BP = 6500;

    private static final String EVENT_PREFIX = "consensus:";
    private static final byte[] EVENT_MARKER = ("\"event_id\":\"" + EVENT_PREFIX).getBytes(StandardCharsets.UTF_8);
    private static final int MAX_NAMED = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ledger ledger;
    private final SubmissionValidator validator;
    private final Runnable followLedger;
    private final ReentrantLock lock = new ReentrantLock();
    /** batch_id to what the log holds of it; guarded by {@code lock}. */
    private final Map<String, Recorded> batches = new HashMap<>();
    /** The log is scanned for consensus event ids below this seq; guarded by {@code lock}. */
    private long scanned;

    /** A batch in the log: its evidence hash, its first seq and each contractor's entry. */
    private record Recorded(String evidence, long firstSeq, Map<String, Long> seqs) {
    }

    /**
     * @param followLedger brings the reputation index up to the log, so the caller reads its own writes
     */
    ConsensusAudits(Ledger ledger, SubmissionValidator validator, Runnable followLedger) {
        this.ledger = ledger;
        this.validator = validator;
        this.followLedger = followLedger;
    }

    void handle(ServerRequest req, ServerResponse res, Principal principal) throws Exception {
        Api.requireJson(req);
        JsonNode body;
        try {
            body = RequestBodies.json(readBody(req));
        } catch (JsonProcessingException e) {
            throw invalid("$", "must be JSON: " + e.getOriginalMessage());
        }
        ConsensusRequest request;
        try {
            request = ConsensusRequest.parse(body);
        } catch (ConsensusRequest.Invalid e) {
            throw e.tooLarge
                    ? new ProblemException(413, "batch-too-large", "Batch too large", e.getMessage(), e.violations, Map.of())
                    : invalid(e.violations);
        }
        List<String> unknown = request.contractors().stream()
                .filter(c -> ledger.contractorSeqs(c).length == 0).sorted().toList();
        if (!unknown.isEmpty()) {
            throw invalid("$.labels", "unknown contractor ids (the ledger holds no entries about them): "
                    + String.join(", ", unknown.subList(0, Math.min(MAX_NAMED, unknown.size())))
                    + (unknown.size() > MAX_NAMED ? " and " + (unknown.size() - MAX_NAMED) + " more" : ""));
        }
        LabelBatch batch;
        try {
            batch = request.batch();
        } catch (InvalidBatchException e) {
            throw invalid(e.getMessage().contains("gold") ? "$.gold" : "$.labels", e.getMessage());
        }
        String evidence = request.evidenceSha256();

        lock.lock();
        try {
            scan();
            Recorded before = batches.get(request.batchId());
            if (before != null && !before.evidence().equals(evidence)) {
                throw new ProblemException(409, "batch-conflict", "Batch id already used",
                        "batch_id '" + request.batchId() + "' was already audited with other input (evidence_sha256 "
                                + before.evidence() + ", entries from seq " + before.firstSeq()
                                + "); a batch may only be resent unchanged",
                        List.of(new Violation("$.batch_id", "already used by a batch with other input")), Map.of());
            }
            // A resend is recomputed from the history before its own entries, so it answers the same.
            long historyEnd = before == null ? ledger.size() : before.firstSeq();
            Map<String, Prior> priors = priors(request, historyEnd);
            ConsensusResult result = Consensus.estimate(batch,
                    ConsensusOptions.defaults(request.method()).withPriors(priors));
            Map<String, Long> seqs;
            boolean fresh = before == null;
            if (fresh) {
                List<Submission> submissions = submissions(request, result, evidence, principal.subject());
                List<Appended> appended = await(ledger.append(submissions, principal.subject()));
                followLedger.run();
                fresh = appended.stream().anyMatch(a -> !a.duplicate());
                seqs = new LinkedHashMap<>();
                for (int i = 0; i < appended.size(); i++) {
                    seqs.put(submissions.get(i).contractor(), appended.get(i).seq());
                }
                scan();
            } else {
                seqs = before.seqs();
            }
            res.status(fresh ? 201 : 200);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(JSON.writeValueAsBytes(answer(request, result, evidence, priors, seqs, fresh)));
        } finally {
            lock.unlock();
        }
    }

    /** Each contractor's prior from their audits of the skill in the log below {@code end}. */
    private Map<String, Prior> priors(ConsensusRequest request, long end) throws InvalidEntryException {
        Map<String, Prior> priors = new HashMap<>();
        for (String contractor : request.contractors()) {
            List<AuditResult> audits = new ArrayList<>();
            for (long seq : ledger.contractorSeqs(contractor)) {
                if (seq >= end) {
                    break;
                }
                Entry e = Entry.parse(ledger.entry(seq).orElseThrow());
                if (e.kind() == EntryKind.AUDIT_RESULT) {
                    audits.add((AuditResult) e.decodeBody());
                }
            }
            HistoryPrior.of(audits, request.skill()).ifPresent(p -> priors.put(contractor, p));
        }
        return priors;
    }

    private List<Submission> submissions(ConsensusRequest request, ConsensusResult result, String evidence,
                                         String subject) throws EntryRejectedException {
        String occurredAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String auditor = auditor(subject);
        List<Submission> out = new ArrayList<>();
        for (ContractorEstimate c : result.contractors()) {
            ObjectNode s = JSON.createObjectNode();
            s.put("kind", EntryKind.AUDIT_RESULT.wire());
            s.put("contractor", c.contractor());
            s.put("event_id", EVENT_PREFIX + request.batchId() + ":" + c.contractor());
            ObjectNode b = s.putObject("body");
            b.put("occurred_at", occurredAt);
            b.put("audit_id", request.batchId() + ":" + c.contractor());
            b.put("task_id", request.taskRef());
            b.put("method", AuditResult.Method.CONSENSUS.wire());
            b.put("auditor", auditor);
            b.put("verdict", verdict(c.accuracyBp()).wire());
            b.put("score_bp", c.accuracyBp());
            b.putArray("skills").add(request.skill());
            b.putArray("error_tags");
            b.put("evidence_sha256", evidence);
            b.put("items", c.items());
            out.add(validator.validate(s));
        }
        return out;
    }

    static AuditResult.Verdict verdict(long scoreBp) {
        return scoreBp >= PASS_BP ? AuditResult.Verdict.PASS
                : scoreBp >= PARTIAL_BP ? AuditResult.Verdict.PARTIAL
                : AuditResult.Verdict.FAIL;
    }

    /** The token subject as an audit.result auditor id: characters an id may not hold become '_'. */
    private static String auditor(String subject) {
        String id = subject.replaceAll("[^A-Za-z0-9._:/-]", "_");
        if (id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0)) || id.charAt(0) > 'z') {
            id = "x" + id;
        }
        return id.length() > 128 ? id.substring(0, 128) : id;
    }

    private ObjectNode answer(ConsensusRequest request, ConsensusResult result, String evidence,
                              Map<String, Prior> priors, Map<String, Long> seqs, boolean fresh) {
        ObjectNode o = JSON.createObjectNode();
        o.put("batch_id", request.batchId());
        o.put("method", request.method().code());
        o.put("evidence_sha256", evidence);
        ArrayNode classes = o.putArray("classes");
        result.classes().forEach(classes::add);
        o.put("iterations", result.iterations());
        o.put("converged", result.converged());
        ArrayNode items = o.putArray("items");
        for (ItemEstimate i : result.items()) {
            items.addObject().put("item", i.item()).put("label", i.label()).put("posterior", i.posterior())
                    .put("labels", i.labels()).put("gold", i.gold());
        }
        ArrayNode contractors = o.putArray("contractors");
        for (ContractorEstimate c : result.contractors()) {
            ObjectNode co = contractors.addObject()
                    .put("contractor", c.contractor())
                    .put("accuracy", c.accuracy())
                    .put("accuracy_bp", c.accuracyBp())
                    .put("lower", c.lower())
                    .put("upper", c.upper())
                    .put("items", c.items())
                    .put("verdict", verdict(c.accuracyBp()).wire());
            Prior p = priors.get(c.contractor());
            if (p != null) {
                co.putObject("prior").put("correct", p.alphaCorrect()).put("wrong", p.alphaWrong());
            }
            co.put("seq", seqs.get(c.contractor()));
        }
        ArrayNode entries = o.putArray("entries");
        seqs.forEach((contractor, seq) -> entries.addObject()
                .put("contractor", contractor)
                .put("seq", seq)
                .put("leaf_hash", HexFormat.of().formatHex(ledger.leafHash(seq)))
                .put("duplicate", !fresh));
        return o;
    }

    /** Learns the consensus batches appended since the last scan. Requires {@code lock}. */
    private void scan() throws InvalidEntryException {
        long size = ledger.size();
        for (long seq = scanned; seq < size; seq++) {
            byte[] bytes = ledger.entry(seq).orElseThrow();
            if (Bytes.indexOf(bytes, EVENT_MARKER) < 0) {
                continue;
            }
            Entry e = Entry.parse(bytes);
            String suffix = ":" + e.contractor();
            if (e.kind() != EntryKind.AUDIT_RESULT || !e.eventId().startsWith(EVENT_PREFIX)
                    || !e.eventId().endsWith(suffix)
                    || e.eventId().length() <= EVENT_PREFIX.length() + suffix.length()) {
                continue;
            }
            String batchId = e.eventId().substring(EVENT_PREFIX.length(), e.eventId().length() - suffix.length());
            AuditResult audit = (AuditResult) e.decodeBody();
            long at = seq;
            batches.compute(batchId, (id, r) -> {
                Recorded rec = r != null ? r : new Recorded(audit.evidenceSha256(), at, new LinkedHashMap<>());
                rec.seqs().putIfAbsent(e.contractor(), at);
                return rec;
            });
        }
        scanned = size;
    }

    private static byte[] readBody(ServerRequest req) throws IOException {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > MAX_BODY_BYTES) {
            throw tooLarge(declared.getAsLong() + " bytes");
        }
        if (!req.content().hasEntity()) {
            throw invalid("$", "request body is required");
        }
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(declared.orElse(8192), MAX_BODY_BYTES));
            byte[] buffer = new byte[65536];
            long total = 0;
            int n;
            while ((n = RequestBodies.read(in, buffer)) > 0) {
                total += n;
                if (total > MAX_BODY_BYTES) {
                    throw tooLarge("more than " + MAX_BODY_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static ProblemException tooLarge(String what) {
        return new ProblemException(413, "body-too-large", "Request body too large",
                "$: request body is " + what + "; a consensus batch is at most " + MAX_BODY_BYTES + " bytes and "
                        + ConsensusRequest.MAX_LABELS + " labels (send larger sets as several batches)",
                List.of(new Violation("$", "at most " + MAX_BODY_BYTES + " bytes")), Map.of());
    }

    private static ProblemException invalid(String path, String rule) {
        return invalid(List.of(new Violation(path, rule)));
    }

    private static ProblemException invalid(List<Violation> violations) {
        StringBuilder detail = new StringBuilder();
        if (violations.size() > 1) {
            detail.append(violations.size()).append(" violations: ");
        }
        for (int i = 0; i < Math.min(violations.size(), 5); i++) {
            detail.append(i == 0 ? "" : "; ").append(violations.get(i));
        }
        if (violations.size() > 5) {
            detail.append("; and ").append(violations.size() - 5).append(" more in errors");
        }
        return new ProblemException(400, "invalid-batch", "Invalid batch", detail.toString(), violations, Map.of());
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
