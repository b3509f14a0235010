package dev.trackrecord.api.me;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.store.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a contractor's {@code /v1/me/access-log} costs as the log grows: 40 day files of 25,000
 * reads each (1,000,000 lines); one contractor has 5% of each day's reads, the others are spread
 * over 1,000 contractors. Times {@link AccessLog#viewFor} (limit 1000) for the busy contractor,
 * whose newest file is enough, and for a rarely read one with the default 31 days and with 7.
 *
 * <pre>mvn -B -o -q -pl schemas,ledger,api test -Pslow -Dtest=AccessLogReadBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * The figures go to stdout (target/surefire-reports/...-output.txt) and docs/contractor-view.md.
 */
@Tag("slow")
class AccessLogReadBenchmark {
    private static final int DAYS = 40;
    private static final int PER_DAY = 25_000;
    private static final int CALLS = 5;

    @Test
    void viewFor_busyAndRareContractor() throws Exception {
        Path dir = Files.createTempDirectory("access-log-read-bench");
        SettableClock clock = new SettableClock();
        Principal reader = new Principal("routing-service", Set.of(Role.MARKETPLACE), Optional.empty());
        LocalDate first = LocalDate.parse("2026-01-01");
        try (AccessLog log = AccessLog.open(dir.resolve("access-log"), clock, AccessLog.DEFAULT_CAPACITY)) {
            for (int d = 0; d < DAYS; d++) {
                clock.set(Instant.parse(first.plusDays(d) + "T12:00:00Z").toEpochMilli());
                for (int i = 0; i < PER_DAY; i++) {
                    log.read(reader, "GET /v1/contractors/{id}/reputation", i % 20 == 0 ? "busy" : "c-" + (i % 1000));
                }
                log.viewFor("busy", 1, 1, 60_000);
            }
            assertThat(log.droppedTotal()).isZero();
            long bytes;
            try (Stream<Path> files = Files.list(dir.resolve("access-log"))) {
                bytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
            System.out.printf("access log: %d day files, %d lines, %d bytes (%.0f bytes a line)%n", DAYS,
                    (long) DAYS * PER_DAY, bytes, bytes / (double) DAYS / PER_DAY);
            time(log, "busy contractor, days 31", "busy", 31);
            time(log, "rare contractor, days 31", "c-7", 31);
            time(log, "rare contractor, days 7 ", "c-7", 7);
        }
    }

    private static void time(AccessLog log, String what, String contractor, int days) throws Exception {
        long[] millis = new long[CALLS];
        AccessLog.View view = null;
        for (int i = 0; i < CALLS; i++) {
            long start = System.nanoTime();
            view = log.viewFor(contractor, 1000, days, 2000);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        assertThat(view.problem()).isEmpty();
        Arrays.sort(millis);
        long lines = view.length() - view.checkedFrom();
        System.out.printf("%s: %d files, %d lines verified, %d records; %d ms median of %d (fastest %d), %.0f lines/s%n",
                what, view.daysRead().size(), lines, view.records().size(), millis[CALLS / 2], CALLS, millis[0],
                lines * 1000.0 / Math.max(1, millis[CALLS / 2]));
    }
}
