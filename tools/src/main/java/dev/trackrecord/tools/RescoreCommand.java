package dev.trackrecord.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerificationException;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.InvalidEntryException;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.note.NoteVerifier;
import dev.trackrecord.ledger.reputation.EntrySource;
import dev.trackrecord.ledger.reputation.Reputation;
import dev.trackrecord.ledger.reputation.ReputationJson;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import dev.trackrecord.ledger.reputation.Score;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord rescore BUNDLE.zip... --contractor ID [--as-of-seq N]}: verifies export
 * bundles, then recomputes the contractor's reputation from their entries with the same
 * {@link ReputationIndex} the service runs, and prints it as the reputation route does.
 *
 * <p>What the bundles must hold, between them, up to the seq scored (the checkpoint's last seq,
 * or {@code --as-of-seq}): the contractor's whole record (an export with {@code --contractor ID}
 * and no kinds filter or seq range) and every policy entry (an export with
 * {@code --contractor _system}: a contractor export does not include them). An unfiltered export
 * covers both. All bundles must be of one log at one checkpoint.
 *
 * <p>The index applies entries in seq order; a seq no bundle holds is someone else's entry and
 * moves nothing of this contractor's, so it is applied as an empty placeholder.
 */
@Command(name = "rescore", mixinStandardHelpOptions = true,
        description = {"Recomputes a contractor's reputation from verified export bundles and prints it as "
                + "GET /v1/contractors/{id}/reputation does.",
                "The bundles must hold, between them, the contractor's whole record (export --contractor ID) and "
                        + "the policy entries (export --contractor _system), at the same checkpoint; one unfiltered "
                        + "export holds both."})
final class RescoreCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    // File names of the bundle format (tools/README.md).
    private static final String MANIFEST = "manifest.json";
    private static final String ENTRIES = "entries.jsonl";
    private static final String PLACEHOLDER_CONTRACTOR = SubmissionValidator.SYSTEM_CONTRACTOR;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE.zip", arity = "1..*", description = "export bundles of one log at one checkpoint")
    List<Path> bundles;

    @Option(names = "--contractor", required = true, paramLabel = "ID", description = "the contractor to score")
    String contractor;

    @Option(names = "--as-of-seq", paramLabel = "N",
            description = "score as of seq N, evaluated at that entry's ts (which a bundle must hold)")
    Long asOfSeq;

    @Option(names = "--explain", description = "list the entries that moved the score most")
    boolean explain;

    @Option(names = "--key", paramLabel = "VKEY", description = "the log's verifier key, as a file or as text")
    String key;

    /** Clock of the current evaluation time; tests fix it. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        Optional<NoteVerifier> trusted = key == null ? Optional.empty()
                : Optional.of(VerifyCommand.parseKey(spec, "--key", key));
        for (Path b : bundles) {
            if (!Files.isRegularFile(b)) {
                throw new CommandLine.ParameterException(spec.commandLine(), b + ": no such file");
            }
        }
        try {
            BundleSource source = load(trusted);
            long last = asOfSeq != null ? asOfSeq : source.treeSize - 1;
            if (asOfSeq != null && (asOfSeq < 0 || asOfSeq >= source.treeSize)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--as-of-seq must be from 0 to " + (source.treeSize - 1) + ", was " + asOfSeq);
            }
            if (asOfSeq != null && !source.entries.containsKey(asOfSeq)) {
                return fail("seq " + asOfSeq + " is in no bundle, so its ts (the evaluation time) is unknown: give the"
                        + " seq of one of the contractor's or the policy entries");
            }
            String missing = source.missingCoverage(contractor, last);
            if (missing != null) {
                return fail(missing);
            }
            source.size = last + 1;
            ReputationIndex index = new ReputationIndex(source, clock);
            index.catchUp();
            Optional<Reputation> r = asOfSeq != null ? index.asOfSeq(contractor, asOfSeq, explain)
                    : explain ? index.explain(contractor) : index.lookup(contractor);
            if (r.isEmpty()) {
                return fail("the bundles hold no entries about contractor " + contractor
                        + (asOfSeq != null ? " as of seq " + asOfSeq : ""));
            }
            spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(reputationJson(r.get())));
            return 0;
        } catch (BundleVerificationException e) {
            return fail(e.getMessage());
        } catch (IOException | InvalidEntryException e) {
            return fail(e.getMessage());
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("FAILED: " + message);
        return 1;
    }

    private BundleSource load(Optional<NoteVerifier> trusted)
            throws IOException, InvalidEntryException, BundleVerificationException {
        BundleSource source = new BundleSource();
        BundleVerification first = null;
        for (Path b : bundles) {
            // Verified and read from the same bytes, so the file cannot change in between.
            byte[] zip = Files.readAllBytes(b);
            BundleVerification v = BundleVerifier.verify(new ByteArrayInputStream(zip), trusted);
            if (first == null) {
                first = v;
                source.treeSize = v.treeSize();
            } else if (!first.origin().equals(v.origin()) || first.treeSize() != v.treeSize()
                    || !first.keyText().equals(v.keyText())) {
                throw new IOException(b + " is of " + v.origin() + " at tree size " + v.treeSize() + ", "
                        + bundles.get(0) + " of " + first.origin() + " at tree size " + first.treeSize()
                        + ": export every bundle from one log at one checkpoint");
            }
            Map<String, byte[]> files = read(zip);
            source.queries.add(JSON.readTree(files.get(MANIFEST)).path("query"));
            for (String line : new String(files.get(ENTRIES), StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                Entry e = Entry.parse(line.getBytes(StandardCharsets.UTF_8));
                source.entries.put(e.seq(), e);
            }
        }
        return source;
    }

    private static Map<String, byte[]> read(byte[] zip) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                z.transferTo(out);
                files.put(e.getName(), out.toByteArray());
            }
        }
        return files;
    }

    /** The verified entries of the bundles, by seq, with placeholders for the seqs they leave out. */
    static final class BundleSource implements EntrySource {
        final TreeMap<Long, Entry> entries = new TreeMap<>();
        final List<JsonNode> queries = new ArrayList<>();
        long treeSize;
        long size;

        @Override
        public long size() {
            return size;
        }

        @Override
        public Entry entry(long seq) {
            Entry e = entries.get(seq);
            if (e != null) {
                return e;
            }
            // Someone else's entry: a payout of no one, which scoring ignores, at the ts of the entry before.
            var before = entries.floorEntry(seq);
            Instant ts = before == null ? Instant.EPOCH : before.getValue().ts();
            byte[] body = ("{\"amount_minor\":0,\"currency\":\"USD\",\"occurred_at\":\"" + ts
                    + "\",\"payout_id\":\"absent\",\"status\":\"settled\",\"task_ids\":[]}").getBytes(StandardCharsets.UTF_8);
            return new Entry(seq, ts, EntryKind.PAYOUT, PLACEHOLDER_CONTRACTOR, "absent-" + seq, "rescore",
                    new byte[Entry.HASH_BYTES], Entry.NO_CPREV, body);
        }

        @Override
        public long[] contractorSeqs(String contractor) {
            return entries.values().stream().filter(e -> e.contractor().equals(contractor)).mapToLong(Entry::seq).toArray();
        }

        /** Why the bundles cannot score {@code contractor} as of {@code last}, or null when they can. */
        String missingCoverage(String contractor, long last) {
            if (contractor.equals(PLACEHOLDER_CONTRACTOR)) {
                return "_system has no reputation";
            }
            boolean record = queries.stream().anyMatch(q -> covers(q, contractor, last, null));
            boolean policies = queries.stream().anyMatch(q -> covers(q, PLACEHOLDER_CONTRACTOR, last, EntryKind.POLICY_PUBLISHED));
            if (record && policies) {
                return null;
            }
            return "the bundles lack " + (record ? "" : "contractor " + contractor + "'s whole record (export --contractor "
                    + contractor + " without --kinds or a seq range)") + (record || policies ? "" : " and ")
                    + (policies ? "" : "the policy entries (export --contractor _system without a seq range)")
                    + " up to seq " + last;
        }

        /** Whether the bundle of query {@code q} holds every entry of {@code who} (of {@code kind}) in [0, last]. */
        private static boolean covers(JsonNode q, String who, long last, EntryKind kind) {
            if (q.has("contractor") && !q.get("contractor").asText().equals(who)) {
                return false;
            }
            if (q.path("from_seq").asLong(0) > 0 || (q.has("to_seq") && q.get("to_seq").asLong() < last)) {
                return false;
            }
            JsonNode kinds = q.path("kinds");
            if (!kinds.isArray() || kinds.isEmpty()) {
                return true;
            }
            if (kind == null) {
                return false;
            }
            for (JsonNode k : kinds) {
                if (k.asText().equals(kind.wire())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The reputation route's JSON, field for field, always with its explanation. */
    static ObjectNode reputationJson(Reputation r) {
        return ReputationJson.of(r, true);
    }
}
