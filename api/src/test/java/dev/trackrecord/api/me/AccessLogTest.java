package dev.trackrecord.api.me;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
    private static final Principal COMPLIANCE = new Principal("qa-team", Set.of(Role.COMPLIANCE), Optional.empty());

    @TempDir
    Path dir;

    @Test
    void view_listsOnlyThatContractorsReads_newestFirst_andTheChainVerifies() throws Exception {
        try (AccessLog log = AccessLog.open(dir.resolve("access.jsonl"), Clock.systemUTC(), 100)) {
            log.read(COMPLIANCE, "GET /v1/contractors/{id}/entries", "c-1");
            log.read(COMPLIANCE, "GET /v1/entries/{seq}", "c-2");
            log.read(COMPLIANCE, "GET /v1/entries/{seq}", "c-1");
            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(3);
            assertThat(view.records()).extracting(AccessLog.Record::route)
                    .containsExactly("GET /v1/entries/{seq}", "GET /v1/contractors/{id}/entries");
            assertThat(view.records()).extracting(AccessLog.Record::principal).containsOnly("qa-team");
        }
    }

    @Test
    void principalsThatNeedEscaping_andManyBatches_keepTheChainVerifying() throws Exception {
        List<String> subjects = List.of("plain-subject", "quote\"d", "back\\slash", "tab\there", "caf\u00e9 \u2603",
                "\u0001ctl", "emoji \uD83D\uDE00");
        try (AccessLog log = AccessLog.open(dir.resolve("access.jsonl"), Clock.systemUTC(), 100_000)) {
            for (int i = 0; i < 20_000; i++) {
                String subject = subjects.get(i % subjects.size());
                log.read(new Principal(subject, Set.of(Role.COMPLIANCE), Optional.empty()), "GET /r", "c-" + (i % 3));
            }
            AccessLog.View view = log.viewFor("c-1", 100_000, 10_000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(20_000);
            assertThat(view.records()).hasSize(6_667);
            assertThat(view.records()).extracting(AccessLog.Record::principal).containsAll(subjects);
        }
        // Every line is the canonical form Jackson writes of it, and the next line's prev is its SHA-256.
        AccessLog.Chain chain = AccessLog.Chain.read(dir.resolve("access.jsonl"));
        assertThat(chain.problem()).isEmpty();
        assertThat(chain.length()).isEqualTo(20_000);
    }

    @Test
    void reopen_continuesTheChain() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            log.viewFor("c-1", 10, 2000);
        }
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.records()).hasSize(2);
        }
    }

    @Test
    void changedMiddleLine_breaksTheChainAtTheNextLine() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            for (int i = 0; i < 3; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("c-1", 10, 2000);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(0, lines.get(0).replace("qa-team", "nobody!"));
            Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("line 2:").contains("changed"));
            assertThat(view.records()).hasSize(1);
        }
    }

    @Test
    void deletedLine_breaksTheChain() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            for (int i = 0; i < 3; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("c-1", 10, 2000);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.remove(1);
            Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(log.viewFor("c-1", 10, 2000).problem())
                    .hasValueSatisfying(p -> assertThat(p).startsWith("line 2:").contains("removed or inserted"));
        }
    }

    @Test
    void lineCutShortByACrash_isCutOffOnOpen_andTheChainGoesOnFromTheLineBefore() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            log.read(COMPLIANCE, "r", "c-1");
            log.viewFor("c-1", 10, 2000);
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, "{\"contractor\":\"c-1\",\"kind\":\"re".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            assertThat(Files.readAllBytes(file)).isEqualTo(whole);
            log.read(COMPLIANCE, "r", "c-1");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(3);
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(2L, 1L, 0L);
        }
    }

    @Test
    void onlyALineCutShort_leavesAnEmptyLog() throws Exception {
        Path file = dir.resolve("access.jsonl");
        Files.write(file, "{\"contractor\":\"c-1\"".getBytes(StandardCharsets.UTF_8));
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(1);
        }
    }

    @Test
    void cutTail_isCaughtByTheRunningServiceHead() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, Clock.systemUTC(), 100)) {
            for (int i = 0; i < 3; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("c-1", 10, 2000);
            List<String> lines = Files.readAllLines(file);
            Files.write(file, (String.join("\n", lines.subList(0, 2)) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(log.viewFor("c-1", 10, 2000).problem())
                    .hasValueSatisfying(p -> assertThat(p).contains("cut off or the last one changed"));
        }
    }

    @Test
    void overflow_dropsAndRecordsTheCount() throws Exception {
        try (AccessLog log = AccessLog.open(dir.resolve("access.jsonl"), Clock.systemUTC(), 1)) {
            for (int i = 0; i < 20_000; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            assertThat(log.droppedTotal()).isPositive();
            AccessLog.View view = null;
            long recordedDrops = 0;
            for (int attempt = 0; attempt < 50 && recordedDrops < log.droppedTotal(); attempt++) {
                Thread.sleep(100);
                view = log.viewFor("someone-else", 100_000, 2000);
                recordedDrops = view.records().stream().mapToLong(AccessLog.Record::dropped).sum();
            }
            assertThat(view.problem()).isEmpty();
            assertThat(recordedDrops).isEqualTo(log.droppedTotal());
            assertThat(view.records()).allSatisfy(r -> assertThat(r.kind()).isEqualTo("dropped"));
        }
    }
}
