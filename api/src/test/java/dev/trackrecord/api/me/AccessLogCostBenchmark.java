package dev.trackrecord.api.me;

import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.api.http.Api;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.store.Ledger;
import dev.trackrecord.ledger.store.LedgerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What recording a read costs a lookup: the same in-process loop (a contractor's seqs and newest
 * entry from the ledger, then the read recorder) with {@link Api.ReadRecorder#NONE} and with
 * the {@link AccessLog}, alternating, in rounds of 50,000 lookups that stay below the queue's
 * capacity; the writer drains between rounds, outside the timed part.
 *
 * <pre>mvn -B -o -q -pl api test -Pslow -Dtest=AccessLogCostBenchmark</pre>
 * The figures go to stdout (target/surefire-reports/...-output.txt) and docs/contractor-view.md.
 */
@Tag("slow")
class AccessLogCostBenchmark {
    private static final int CONTRACTORS = 100;
    private static final int ROUND = 50_000;
    private static final int ROUNDS = 30;

    @Test
    void lookupWithAndWithoutTheAccessLog() throws Exception {
        Path dir = Files.createTempDirectory("access-log-bench");
        SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(dir.resolve("store"), "bench/log"));
             AccessLog log = AccessLog.open(dir.resolve("access-log"), Clock.systemUTC(), AccessLog.DEFAULT_CAPACITY)) {
            for (int batch = 0; batch < 10; batch++) {
                List<Submission> subs = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int n = batch * 1000 + i;
                    subs.add(validator.parse(("""
                            {"kind":"audit.result","contractor":"c-%d","event_id":"bench-%d","body":{
                            "occurred_at":"2026-03-15T10:00:00Z","audit_id":"a-%d","task_id":"t-%d",
                            "method":"gold","auditor":"qa","verdict":"pass","score_bp":9000,"error_tags":[],
                            "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                            """).formatted(n % CONTRACTORS, n, n, n).getBytes(StandardCharsets.UTF_8)));
                }
                ledger.append(subs, "bench").get();
            }
            Principal reader = new Principal("marketplace-router", Set.of(Role.MARKETPLACE), Optional.empty());
            String route = "GET /v1/contractors/{id}/reputation";
            long[] none = new long[ROUNDS];
            long[] logged = new long[ROUNDS];
            long sink = 0;
            for (int warm = 0; warm < 4; warm++) {
                sink += round(ledger, Api.ReadRecorder.NONE, reader, route);
                sink += round(ledger, log, reader, route);
                log.viewFor("nobody", 1, 10_000);
            }
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                sink += round(ledger, Api.ReadRecorder.NONE, reader, route);
                long t1 = System.nanoTime();
                sink += round(ledger, log, reader, route);
                long t2 = System.nanoTime();
                none[r] = t1 - t0;
                logged[r] = t2 - t1;
                log.viewFor("nobody", 1, 10_000); // let the writer drain, untimed
            }
            // The fastest round is the least disturbed by other load on the machine; the median is shown too.
            double base = min(none) / ROUND;
            double with = min(logged) / ROUND;
            System.out.printf("lookup without access log: %.0f ns/op fastest round, %.0f median (%d rounds of %d)%n",
                    base, median(none) / ROUND, ROUNDS, ROUND);
            System.out.printf("lookup with access log:    %.0f ns/op fastest round, %.0f median; recording adds %.0f ns/op"
                    + " (fastest), %.0f (median); dropped %d (sink %d)%n", with, median(logged) / ROUND, with - base,
                    (median(logged) - median(none)) / ROUND, log.droppedTotal(), sink);
        }
    }

    private static long round(Ledger ledger, Api.ReadRecorder recorder, Principal reader, String route) {
        long sink = 0;
        for (int i = 0; i < ROUND; i++) {
            String id = "c-" + (i % CONTRACTORS);
            long[] seqs = ledger.contractorSeqs(id);
            sink += ledger.entry(seqs[seqs.length - 1]).orElseThrow().length;
            recorder.read(reader, route, id);
        }
        return sink;
    }

    private static double min(long[] values) {
        return java.util.Arrays.stream(values).min().orElseThrow();
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
