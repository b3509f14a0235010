package dev.trackrecord.api.me;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.api.auth.Principal;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.store.SettableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
    private static final Principal COMPLIANCE = new Principal("qa-team", Set.of(Role.COMPLIANCE), Optional.empty());

    private static final String TODAY = "2026-11-29";

    @TempDir
    Path dir;
    private final SettableClock clock = new SettableClock();

    @BeforeEach
    void setClock() {
        clock.set(Instant.parse(TODAY + "T10:00:00Z").toEpochMilli());
    }

    private Path log() {
        return dir.resolve("access-log");
    }

    private Path dayFile(String day) {
        return log().resolve(day + ".jsonl");
    }

    @Test
    void view_listsOnlyThatContractorsReads_newestFirst_andTheChainVerifies() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
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
        try (AccessLog log = AccessLog.open(log(), clock, 100_000)) {
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
        try (var in = Files.newInputStream(dayFile(TODAY))) {
            AccessChain.Segment segment = AccessChain.Segment.verify(in, r -> true, 0);
            assertThat(segment.problem()).isEmpty();
            assertThat(segment.endN()).isEqualTo(20_000);
        }
    }

    @Test
    void reopen_continuesTheChain() throws Exception {
        Path file = dayFile(TODAY);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            log.viewFor("c-1", 10, 2000);
        }
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.records()).hasSize(2);
        }
    }

    @Test
    void changedMiddleLine_breaksTheChainAtTheNextLine() throws Exception {
        Path file = dayFile(TODAY);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            for (int i = 0; i < 3; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("c-1", 10, 2000);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(0, lines.get(0).replace("qa-team", "nobody!"));
            Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("line 2 of " + TODAY + ".jsonl:").contains("changed"));
            assertThat(view.records()).hasSize(1);
        }
    }

    @Test
    void deletedLine_breaksTheChain() throws Exception {
        Path file = dayFile(TODAY);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            for (int i = 0; i < 3; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("c-1", 10, 2000);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.remove(1);
            Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(log.viewFor("c-1", 10, 2000).problem())
                    .hasValueSatisfying(p -> assertThat(p).startsWith("line 2 of " + TODAY + ".jsonl:").contains("removed or inserted"));
        }
    }

    @Test
    void lineCutShortByACrash_isCutOffOnOpen_andTheChainGoesOnFromTheLineBefore() throws Exception {
        Path file = dayFile(TODAY);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            log.read(COMPLIANCE, "r", "c-1");
            log.viewFor("c-1", 10, 2000);
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, "{\"contractor\":\"c-1\",\"kind\":\"re".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
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
        Path file = dayFile(TODAY);
        Files.createDirectories(log());
        Files.write(file, "{\"contractor\":\"c-1\"".getBytes(StandardCharsets.UTF_8));
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            log.read(COMPLIANCE, "r", "c-1");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(1);
        }
    }

    @Test
    void cutTail_isCaughtByTheRunningServiceHead() throws Exception {
        Path file = dayFile(TODAY);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
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
        try (AccessLog log = AccessLog.open(log(), clock, 1)) {
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

    // ---------------------------------------------------------------- day files

    /** Writes {@code perDay} reads of c-1 on each of {@code days}, in order, and waits until they are written. */
    private void readOn(AccessLog log, int perDay, String... days) throws Exception {
        for (String day : days) {
            clock.set(Instant.parse(day + "T10:00:00Z").toEpochMilli());
            for (int i = 0; i < perDay; i++) {
                log.read(COMPLIANCE, "r", "c-1");
            }
            log.viewFor("nobody", 1, 1, 2000);
        }
    }

    private static String sha256Hex(String line) {
        return java.util.HexFormat.of().formatHex(AccessLog.sha256(line.getBytes(StandardCharsets.UTF_8)));
    }

    private List<String> lines(String day) throws Exception {
        return Files.readAllLines(dayFile(day));
    }

    @Test
    void dayChange_writesANewFile_whoseFirstLineChainsToTheLastLineOfTheDayBefore() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-28", "2026-11-29");
            assertThat(DayFiles.list(log())).containsExactly("2026-11-28", "2026-11-29");
            String lastOfDayBefore = lines("2026-11-28").getLast();
            String first = lines("2026-11-29").getFirst();
            assertThat(first).contains("\"n\":2,").contains("\"prev\":\"" + sha256Hex(lastOfDayBefore) + "\"");

            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(4);
            assertThat(view.daysRead()).containsExactly("2026-11-29", "2026-11-28");
            assertThat(view.startsAfter()).isEmpty();
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(3L, 2L, 1L, 0L);
        }
    }

    @Test
    void readQueuedBeforeMidnight_butWrittenAfterTheNextDaysFileBegan_goesIntoTheNewFile() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2026-11-28");
            clock.set(Instant.parse("2026-11-29T00:00:00Z").toEpochMilli());
            log.read(COMPLIANCE, "after midnight", "c-1");
            clock.set(Instant.parse("2026-11-28T23:59:59.999Z").toEpochMilli());
            log.read(COMPLIANCE, "before midnight", "c-1");

            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(lines("2026-11-28")).hasSize(1);
            assertThat(lines("2026-11-29")).hasSize(2).last().asString().contains("before midnight");
        }
    }

    @Test
    void reopen_onALaterDay_goesOnFromTheNewestFile() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-27");
        }
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2026-11-29");
            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.length()).isEqualTo(3);
            assertThat(DayFiles.list(log())).containsExactly("2026-11-27", "2026-11-29");
        }
    }

    @Test
    void changedLineInAnOlderDayFile_isReportedAtItsFileAndLine() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-27", "2026-11-28", "2026-11-29");
            List<String> older = new ArrayList<>(lines("2026-11-27"));
            older.set(0, older.get(0).replace("qa-team", "nobody!"));
            Files.write(dayFile("2026-11-27"), (String.join("\n", older) + "\n").getBytes(StandardCharsets.UTF_8));

            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).hasValueSatisfying(p ->
                    assertThat(p).startsWith("line 2 of 2026-11-27.jsonl:").contains("changed"));
            // The newer days verified and are listed, and of the broken file the lines before the break.
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(5L, 4L, 3L, 2L, 0L);
        }
    }

    @Test
    void changedLastLineOfAnOlderDayFile_isCaughtByTheNextFilesFirstLine() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-28", "2026-11-29");
            List<String> older = new ArrayList<>(lines("2026-11-28"));
            older.set(1, older.get(1).replace("qa-team", "nobody!"));
            Files.write(dayFile("2026-11-28"), (String.join("\n", older) + "\n").getBytes(StandardCharsets.UTF_8));

            assertThat(log.viewFor("c-1", 100, 2000).problem()).hasValueSatisfying(p ->
                    assertThat(p).startsWith("line 1 of 2026-11-29.jsonl:").contains("2026-11-28.jsonl"));
        }
    }

    @Test
    void deletedMiddleDayFile_isABreakInTheChain() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-27", "2026-11-28", "2026-11-29");
            Files.delete(dayFile("2026-11-28"));

            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).hasValueSatisfying(p -> assertThat(p)
                    .startsWith("line 1 of 2026-11-29.jsonl: n 4 and prev")
                    .contains("last line of 2026-11-27.jsonl (n 1,").contains("was removed"));
            // Verified to the head: the newest file only.
            assertThat(view.checkedFrom()).isEqualTo(4);
            assertThat(view.checkedFromDay()).contains("2026-11-29");
            assertThat(view.startsAfter()).isEmpty();
        }
    }

    @Test
    void deletedNewestDayFile_isCaughtByTheRunningServiceHead() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-28", "2026-11-29");
            Files.delete(dayFile("2026-11-29"));
            assertThat(log.viewFor("c-1", 100, 2000).problem())
                    .hasValueSatisfying(p -> assertThat(p).contains("cut off or the last one changed"));
        }
    }

    @Test
    void retention_deletesWholeOldDayFiles_neverTheNewest_andReadingStartsAfterTheDeletedOnes() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100, java.time.Period.ofDays(2))) {
            readOn(log, 2, "2026-11-20", "2026-11-24", "2026-11-25", "2026-11-26");
            String lastDeleted = lines("2026-11-24").getLast();
            clock.set(Instant.parse("2026-11-27T00:00:00Z").toEpochMilli());

            // A day's records are all older than two days once the day after next is over.
            assertThat(log.prune()).containsExactly("2026-11-20", "2026-11-24");
            assertThat(DayFiles.list(log())).containsExactly("2026-11-25", "2026-11-26");

            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.startsAfter()).contains(new AccessLog.Anchor(4, sha256Hex(lastDeleted)));
            assertThat(view.checkedFrom()).isEqualTo(4);
            assertThat(view.checkedFromDay()).contains("2026-11-25");
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(7L, 6L, 5L, 4L);

            clock.set(Instant.parse("2026-12-31T00:00:00Z").toEpochMilli());
            assertThat(log.prune()).containsExactly("2026-11-25");
            assertThat(DayFiles.list(log())).containsExactly("2026-11-26");
            readOn(log, 1, "2026-12-31");
            assertThat(log.viewFor("c-1", 100, 2000).problem()).isEmpty();
        }
    }

    @Test
    void noRetention_deletesNothing() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2020-01-01", "2026-11-29");
            assertThat(log.prune()).isEmpty();
            assertThat(DayFiles.list(log())).hasSize(2);
        }
    }

    @Test
    void lineCutShortInTheNewestDayFile_isCutOffOnOpen_andTheChainGoesOn() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2026-11-28", "2026-11-29");
        }
        byte[] whole = Files.readAllBytes(dayFile("2026-11-29"));
        Files.write(dayFile("2026-11-29"), "{\"contractor\":\"c-1\",\"kind\":\"re".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            assertThat(Files.readAllBytes(dayFile("2026-11-29"))).isEqualTo(whole);
            readOn(log, 1, "2026-11-30");
            AccessLog.View view = log.viewFor("c-1", 10, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(2L, 1L, 0L);
        }
    }

    @Test
    void singleFileLogFromBefore_isMovedInAsItsLastDaysFile_andTheChainGoesOnFromIt() throws Exception {
        // The single file held the same lines the day files now hold, one after the other.
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 2, "2026-11-27", "2026-11-28");
        }
        Path single = dir.resolve("access-log.jsonl");
        Files.write(single, Files.readAllBytes(dayFile("2026-11-27")));
        Files.write(single, Files.readAllBytes(dayFile("2026-11-28")), java.nio.file.StandardOpenOption.APPEND);
        byte[] before = Files.readAllBytes(single);
        Files.write(single, "{\"contr".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
        Files.delete(dayFile("2026-11-27"));
        Files.delete(dayFile("2026-11-28"));

        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            assertThat(single).doesNotExist();
            assertThat(DayFiles.list(log())).containsExactly("2026-11-28");
            assertThat(Files.readAllBytes(dayFile("2026-11-28"))).isEqualTo(before);
            readOn(log, 1, "2026-11-29");
            AccessLog.View view = log.viewFor("c-1", 100, 2000);
            assertThat(view.problem()).isEmpty();
            assertThat(view.startsAfter()).isEmpty();
            assertThat(view.records()).extracting(AccessLog.Record::n).containsExactly(4L, 3L, 2L, 1L, 0L);
        }
    }

    @Test
    void singleFileLogFromBefore_besideDayFiles_isRefused() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2026-11-29");
        }
        Files.copy(dayFile("2026-11-29"), dir.resolve("access-log.jsonl"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AccessLog.open(log(), clock, 100))
                .hasMessageContaining("move one of them aside");
    }

    @Test
    void reading_stopsAtTheFileThatCompletesTheLimit_andOlderFilesAreNotRead() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 3, "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29");
            // A broken line in the oldest file is not seen by a read that stops before it.
            Files.writeString(dayFile("2026-11-26"), "not a line of the log\n");

            AccessLog.View three = log.viewFor("c-1", 3, 2000);
            assertThat(three.daysRead()).containsExactly("2026-11-29");
            assertThat(three.problem()).isEmpty();
            assertThat(three.checkedFrom()).isEqualTo(9);
            assertThat(three.checkedFromDay()).contains("2026-11-29");
            assertThat(three.records()).extracting(AccessLog.Record::n).containsExactly(11L, 10L, 9L);

            AccessLog.View four = log.viewFor("c-1", 4, 2000);
            assertThat(four.daysRead()).containsExactly("2026-11-29", "2026-11-28");
            assertThat(four.records()).extracting(AccessLog.Record::n).containsExactly(11L, 10L, 9L, 8L);

            assertThat(log.viewFor("c-1", 100, 2000).problem())
                    .hasValueSatisfying(p -> assertThat(p).startsWith("line 1 of 2026-11-26.jsonl: not JSON"));
        }
    }

    @Test
    void reading_stopsBeforeFilesOlderThanTheDaysAsked_butAlwaysReadsTheNewest() throws Exception {
        try (AccessLog log = AccessLog.open(log(), clock, 100)) {
            readOn(log, 1, "2026-11-20", "2026-11-27", "2026-11-28");
            clock.set(Instant.parse("2026-11-29T12:00:00Z").toEpochMilli());

            assertThat(log.viewFor("c-1", 100, 2, 2000).daysRead()).containsExactly("2026-11-28");
            assertThat(log.viewFor("c-1", 100, 3, 2000).daysRead()).containsExactly("2026-11-28", "2026-11-27");
            AccessLog.View one = log.viewFor("c-1", 100, 1, 2000);
            assertThat(one.daysRead()).containsExactly("2026-11-28");
            assertThat(one.problem()).isEmpty();
            assertThat(one.records()).extracting(AccessLog.Record::n).containsExactly(2L);
        }
    }
}
