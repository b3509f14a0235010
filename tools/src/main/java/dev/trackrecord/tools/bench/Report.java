package dev.trackrecord.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a run's {@link Results} as {@code docs/BENCHMARKS.md} (tables with TrackRecord /
 * PostgreSQL and TrackRecord / limit ratios, the machine and the command) and an SVG plot of the
 * side-by-side rows. The explanations are fixed text; those that depend on a result (why
 * PostgreSQL is ahead on a row) are emitted only when the result calls for them.
 */
public final class Report {
    /** A limit: its value in the row's unit, and what it is. */
    record Limit(Figure figure, String name) {
        static final Limit NONE = new Limit(Figure.notMeasured("no limit"), "");
    }

    /** A row measured beside PostgreSQL. */
    record Pair(String workload, String trKey, String trHow, String pgKey, String pgHow, String whyBehind) {
    }

    static final List<Pair> PAIRS = List.of(
            new Pair("durable append, batches of 1,000", "append.batch1000", "in process, 16 batches in flight",
                    "append.batch1000", "JDBC batches of 1,000, 16 connections",
                    "Each TrackRecord batch is encoded, hashed and added to the tree by one writer thread, then forced "
                            + "to disk; PostgreSQL spreads parsing over 16 backends and writes one WAL stream. Fix: "
                            + "encode and hash a batch on the caller's thread before it enters the writer queue."),
            new Pair("durable append, REST batches of 1,000", "rest.append.batch", "HTTP, 16 connections",
                    "append.batch1000", "JDBC batches of 1,000, 16 connections",
                    "Over HTTP each batch is also parsed from JSON, validated against the entry schema and "
                            + "answered with 1,000 receipts, on the same two cores as the load generator; the "
                            + "PostgreSQL client sends binary parameters and gets a row count. Fix: a streaming "
                            + "parser for POST /v1/entries that validates while reading, and a compact receipt form."),
            new Pair("durable append, single entries, 64 callers", "append.single", "in process",
                    "append.single", "single-row transactions, 64 connections",
                    "Both force their log once per group commit (TrackRecord the segment log, see the fsync rows "
                            + "of the limits); TrackRecord also hands each batch from the caller to the writer and "
                            + "the commit thread and back, which single entries pay per entry."),
            new Pair("durable append, single entries, 64 connections", "rest.append.single", "HTTP",
                    "append.single", "single-row transactions, 64 connections",
                    "The same commit cost as the in-process row, plus a JSON request and receipt per entry; "
                            + "the fix is the same (one sync per commit)."),
            new Pair("score lookup", "rest.score", "GET /v1/contractors/{id}/reputation, 64 connections",
                    "score", "stored score row by primary key, 64 connections",
                    "TrackRecord answers over HTTP: it checks the bearer token and role, records the read in the "
                            + "contractor's access log and sends the score document it keeps ready per contractor; "
                            + "PostgreSQL returns a stored row over its binary protocol with no authorization. The "
                            + "plain Helidon row bounds what any HTTP answer can reach here."),
            new Pair("entry by seq", "rest.entry", "GET /v1/entries/{seq}, 64 connections",
                    "entry", "canonical bytes by primary key, 64 connections",
                    "TrackRecord reads the entry's canonical bytes from its segment file and records the read in "
                            + "the contractor's access log, behind the token and role checks; PostgreSQL's row comes "
                            + "from its buffer cache with no authorization."),
            new Pair("contractor history page (20 entries)", "rest.history", "GET /v1/contractors/{id}/entries?limit=20, 64 connections",
                    "history", "latest 20 rows of a contractor by index, 64 connections",
                    "TrackRecord reads each entry's canonical bytes from the segment files and writes a JSON page "
                            + "behind the same token and role checks; PostgreSQL's rows come from its buffer cache. "
                            + "Fix: cache recently read segment pages in the heap."),
            new Pair("top 10 of a skill", "rest.top", "GET /v1/reputation/top?limit=10, 64 connections",
                    "top", "ORDER BY lower DESC LIMIT 10 on an index, 64 connections",
                    "TrackRecord records the read for each of the ten contractors shown and renders JSON; "
                            + "PostgreSQL reads ten index entries. Fix: cache the rendered answer per skill until "
                            + "a score in it changes."));

    private final Results r;

    public Report(Results results) {
        this.r = results;
    }

    Limit limitFor(String trKey) {
        Figure cpu = r.limit("cpu");
        Figure write = r.limit("write");
        Figure fsync = r.limit("fsync.inPlace");
        Figure plain = r.limit("plain");
        Limit disk = Limit.NONE;
        if (write.measured() && !r.sizes.isEmpty()) {
            LedgerBench.SizeFigures s = r.sizes.get(0);
            double perEntry = (double) s.bytesOnDisk() / s.size();
            disk = new Limit(Figure.of(write.value() * (1 << 20) / perEntry, "entries/s"),
                    String.format(Locale.ROOT, "disk: write bandwidth / %.0f bytes on disk per entry", perEntry));
        }
        Limit cpuLimit = cpu.measured() ? new Limit(cpu, "CPU: canonical JSON + SHA-256 per entry, one core") : Limit.NONE;
        Limit fsyncLimit = fsync.measured()
                ? new Limit(Figure.of(64 * fsync.value(), "entries/s"), "64 callers, each waiting for one fsync")
                : Limit.NONE;
        Limit http = plain.measured() ? new Limit(plain, "plain Helidon JSON endpoint") : Limit.NONE;
        Figure plainPost = r.limit("plain.post");
        Limit httpPost = plainPost.measured()
                ? new Limit(plainPost, "plain Helidon POST endpoint, sent the same requests") : Limit.NONE;
        return switch (trKey) {
            case "append.batch10", "append.batch100", "append.batch1000", "append.batch10000" -> lower(cpuLimit, disk);
            case "rest.append.batch" -> lower(lower(cpuLimit, disk), http.figure().measured()
                    ? new Limit(Figure.of(http.figure().value() * 1000, "entries/s"), "plain Helidon requests/s × 1,000")
                    : Limit.NONE);
            case "append.single" -> fsyncLimit;
            case "rest.append.single" -> lower(fsyncLimit, httpPost);
            case "rest.score", "rest.entry", "rest.history", "rest.proof", "rest.top" -> http;
            default -> Limit.NONE;
        };
    }

    private static Limit lower(Limit a, Limit b) {
        if (!a.figure().measured()) {
            return b;
        }
        if (!b.figure().measured()) {
            return a;
        }
        return a.figure().value() <= b.figure().value() ? a : b;
    }

    static String ratio(Figure a, Figure b) {
        if (!a.measured() || !b.measured() || b.value() <= 0) {
            return "—";
        }
        double q = a.value() / b.value();
        return String.format(Locale.ROOT, q >= 10 ? "%.0f×" : "%.2f×", q);
    }

    private static String cell(Figure f) {
        return (f.measured() ? f.text() : "not measured: " + f.notMeasured()).replace("|", "\\|");
    }

    private static String latencyCells(Figure f) {
        return f.hasLatency() ? Figure.millis(f.p50Ms()) + " | " + Figure.millis(f.p99Ms()) : " | ";
    }

    /** The Markdown document; {@code plotFile} is the SVG's name beside it. */
    public String markdown(String plotFile) {
        StringBuilder b = new StringBuilder();
        b.append("# Benchmarks\n\n");
        b.append("""
                This file is written by `./trackrecord bench`; do not edit it by hand. Every figure below was
                measured in one run of the command shown, on the machine shown, so that TrackRecord, the
                PostgreSQL baseline and the machine's limits are compared side by side under the same load.
                The machines this project runs on are shared with other builds: read the ratios, which were
                measured minutes apart, rather than the absolute figures, and compare the load averages.

                """);
        b.append("Command: `").append(r.command).append("`\n\n");
        b.append("Machine: ").append(r.machine).append("\n\n");
        b.append("Run: ").append(r.started).append(" to ").append(r.finished).append(", load average ")
                .append(r.loadBefore).append(" before and ").append(r.loadAfter).append(" after (shared machine).\n\n");
        b.append("Load generator: ").append(r.generator).append(". PostgreSQL: ").append(r.postgres)
                .append(r.postgresDisk.isEmpty() ? "" : ", data on " + r.postgresDisk).append(".\n\n");
        for (String note : r.notes) {
            b.append("Note: ").append(note).append(".\n\n");
        }

        b.append("## TrackRecord and PostgreSQL, side by side\n\n");
        b.append("""
                The baseline is what a team would build instead: an append-only PostgreSQL table holding each
                entry's canonical bytes (the same RFC 8785 envelope TrackRecord stores), its `prev` and its
                leaf hash, chained in the client (one lock assigns seq, prev and cprev and hashes the entry;
                the connection then inserts it), with a unique `event_id` like TrackRecord's idempotency index
                and an index on (contractor, seq). Scores are stored rows holding the JSON the service serves
                for each contractor, and a (skill, lower) index for the top-k. PostgreSQL runs with its default
                settings, so every commit is durable (`fsync=on`, `synchronous_commit=on`), and is driven over
                JDBC from the benchmark's process on loopback. Reads on both sides run on the same simulated
                marketplace (`trackrecord simulate`): %s contractors, %s entries. A ratio above 1 means
                TrackRecord is ahead.

                """.formatted(String.format("%,d", r.marketContractors), String.format("%,d", r.marketEntries)));
        b.append("| workload | TrackRecord | p50 | p99 | PostgreSQL | p50 | p99 | TrackRecord / PostgreSQL |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Pair> behind = new ArrayList<>();
        for (Pair p : PAIRS) {
            Figure tr = r.tr(p.trKey());
            Figure pg = r.pg(p.pgKey());
            b.append("| ").append(p.workload()).append(" (TrackRecord ").append(p.trHow()).append("; PostgreSQL ")
                    .append(p.pgHow()).append(") | ").append(cell(tr)).append(" | ").append(latencyCells(tr))
                    .append(" | ").append(cell(pg)).append(" | ").append(latencyCells(pg)).append(" | ")
                    .append(ratio(tr, pg)).append(" |\n");
            if (tr.measured() && pg.measured() && tr.value() < pg.value()) {
                behind.add(p);
            }
        }
        b.append("\n![TrackRecord and PostgreSQL side by side, each pair scaled to the larger of the two and the limit]("
                + plotFile + ")\n\n");
        if (behind.isEmpty() && r.pg("append.single").measured()) {
            b.append("TrackRecord is ahead of PostgreSQL on every row measured side by side.\n\n");
        } else if (!behind.isEmpty()) {
            b.append("Where PostgreSQL is ahead, why, and what would fix it:\n\n");
            for (Pair p : behind) {
                b.append("- **").append(p.workload()).append("** (").append(ratio(r.tr(p.trKey()), r.pg(p.pgKey())))
                        .append("): ").append(p.whyBehind()).append("\n");
            }
            b.append("\n");
        }

        b.append("## TrackRecord against the machine's limits\n\n");
        b.append("""
                Each figure beside the lowest limit that bounds it on this machine, measured in the same run
                (see the next table). A ratio near 1 means the machine, not TrackRecord, is what stops it.

                """);
        b.append("| workload | TrackRecord | p50 | p99 | limit | what bounds it | TrackRecord / limit |\n");
        b.append("|---|---:|---:|---:|---:|---|---:|\n");
        String[][] rows = {
                {"append.batch10", "durable append, in process, batches of 10, 16 in flight"},
                {"append.batch100", "durable append, in process, batches of 100, 16 in flight"},
                {"append.batch1000", "durable append, in process, batches of 1,000, 16 in flight"},
                {"append.batch10000", "durable append, in process, batches of 10,000, 16 in flight"},
                {"append.single", "durable append, in process, single entries, 64 concurrent callers"},
                {"rest.append.single", "durable append, REST, single entries, 64 connections"},
                {"rest.append.batch", "durable append, REST, batches of 1,000, 16 connections"},
                {"rest.score", "score lookup, REST, 64 connections"},
                {"rest.entry", "entry by seq, REST, 64 connections"},
                {"rest.history", "contractor history page of 20, REST, 64 connections"},
                {"rest.proof", "inclusion proof, REST, 64 connections"},
                {"rest.top", "top 10 of a skill, REST, 64 connections"},
        };
        for (String[] row : rows) {
            Figure tr = r.tr(row[0]);
            Limit l = limitFor(row[0]);
            b.append("| ").append(row[1]).append(" | ").append(cell(tr)).append(" | ").append(latencyCells(tr))
                    .append(" | ").append(l.figure().measured() ? l.figure().text() : "—").append(" | ")
                    .append(l.name()).append(" | ").append(ratio(tr, l.figure())).append(" |\n");
        }
        b.append("\n");

        b.append("## The limits\n\n");
        b.append("| limit | figure | p50 | p99 |\n|---|---:|---:|---:|\n");
        b.append(String.format(Locale.ROOT, "| canonical JSON, writing an entry's envelope (%.0f bytes), one core | %s | | |%n",
                r.entryBytes, cell(r.limit("encode"))));
        b.append("| canonical JSON, parsing a submission as sent over REST and writing it canonically, one core | ")
                .append(cell(r.limit("parse"))).append(" | | |\n");
        b.append("| SHA-256 leaf hash of an entry, one core | ").append(cell(r.limit("hash"))).append(" | | |\n");
        b.append("| canonical JSON + SHA-256 per entry, one core (the writer's CPU bound) | ").append(cell(r.limit("cpu")))
                .append(" | | |\n");
        b.append("| fsync rate of the data directory's disk (4 KiB appends, each forced) | ")
                .append(cell(r.limit("fsync"))).append(" | ").append(latencyCells(r.limit("fsync"))).append(" |\n");
        b.append("| fsync rate, 4 KiB each forced, overwriting zeros written ahead (as the segment log writes) | ")
                .append(cell(r.limit("fsync.inPlace"))).append(" | ").append(latencyCells(r.limit("fsync.inPlace")))
                .append(" |\n");
        b.append("| sequential write bandwidth (1 MiB blocks, forced every 8 MiB) | ").append(cell(r.limit("write")))
                .append(" | | |\n");
        b.append("| plain Helidon SE JSON endpoint (no auth check, no ledger; sent the same bearer token), 64 connections | ")
                .append(cell(r.limit("plain"))).append(" | ").append(latencyCells(r.limit("plain"))).append(" |\n");
        b.append("| plain Helidon SE POST endpoint (reads the body, answers a one-entry receipt; sent the same append requests"
                + " as the single-entry appends, right before them), 64 connections | ")
                .append(cell(r.limit("plain.post"))).append(" | ").append(latencyCells(r.limit("plain.post")))
                .append(" |\n\n");
        if (!r.lookupShares.isEmpty()) {
            List<Double> sorted = r.lookupShares.stream().sorted().toList();
            b.append(String.format(Locale.ROOT, """
                    The plain endpoint and the score lookup ran in %d alternating rounds of %d s, sent the same
                    requests but for the path (the reader's bearer token included); the rows above are the median
                    rounds. Score lookup / plain endpoint, per round: %s; median **%.0f%%**.

                    """, r.lookupShares.size(), r.restSeconds,
                    String.join(", ", r.lookupShares.stream().map(q -> String.format(Locale.ROOT, "%.0f%%", 100 * q)).toList()),
                    100 * sorted.get((sorted.size() - 1) / 2)));
        }

        Figure unscored = r.tr("append.unscored");
        Figure scored = r.tr("append.scored");
        b.append("## What keeping scores costs appends\n\n");
        b.append(String.format(Locale.ROOT, """
                One simulated marketplace appended in process (batches of 100, 16 in flight) to a fresh
                ledger, without and with the reputation index following it the way the service does
                (`ReputationFollower`); median of %d alternating rounds, after a pair that warms the JIT
                up and is not counted. The first quarter of the batches is the marketplace as it stands:
                appended and scored before timing starts, after which the index prepares the hour's skill
                rankings, as a service answering routing queries keeps them, so that every scored entry
                also moves its contractor in the rankings of the skills it changed. The rest is timed.
                Scoring runs beside the writer,
                so it costs appends the CPU it takes; appends are counted until the last is acknowledged,
                and how long scores took to catch up after that (applied and re-keyed; re-keying waits up
                to 20 ms while entries keep coming) is shown apart. Target: under 10%%.

                """, r.scoringRounds));
        b.append("| appends | figure |\n|---|---:|\n");
        b.append("| without scoring | ").append(cell(unscored)).append(" |\n");
        b.append("| with scoring | ").append(cell(scored)).append(" |\n");
        b.append("| cost of scoring (1 - with / without) | ").append(unscored.measured() && scored.measured()
                ? String.format(Locale.ROOT, "%.1f%%", 100 * (1 - scored.value() / unscored.value())) : "—")
                .append(" |\n");
        b.append("| scores caught up after the last acknowledgement | ").append(cell(r.tr("append.scoringLag")))
                .append(" |\n");
        if (!Double.isNaN(r.followerShare)) {
            b.append(String.format(Locale.ROOT, "| the follower thread's share of the process's CPU, with scoring | %.1f%% |%n",
                    100 * r.followerShare));
        }
        if (r.scoringAlone != null) {
            b.append(String.format(Locale.ROOT, "| scoring alone, one thread: CPU per entry | %.2f µs |%n",
                    r.scoringAlone.micros()));
            b.append(String.format(Locale.ROOT, "| scoring alone, one thread: bytes allocated per entry | %.0f |%n",
                    r.scoringAlone.bytes()));
        }
        b.append("\n");
        if (!r.scoringCosts.isEmpty()) {
            b.append("The cost in each round: ").append(String.join(", ", r.scoringCosts.stream()
                    .map(c -> String.format(Locale.ROOT, "%.0f%%", 100 * c)).toList()))
                    .append(". Each run is a second or less here, so one young collection moves a round a lot.\n\n");
        }
        if (!Double.isNaN(r.followerShare)) {
            b.append("""
                    The follower's share of the CPU (its thread's CPU time over the process's, from the JVM's
                    counters, from the first append of a scored run until scores caught up with the last) is
                    steadier than the throughput: it is what scoring would take from appends that kept both
                    cores busy. Where the cost above is smaller, scoring ran on CPU the appends left idle.
                    Scoring alone applies what the ledger handed over for the same batches (submissions and
                    contractor ordinals, appended one batch at a time) to a fresh index on one thread, with
                    upheld disputes read back from the log: the first quarter untimed, then the rankings
                    prepared, then the rest timed.

                    """);
        }
        appendCpu(b);

        reputation(b);

        for (LedgerBench.SizeFigures s : r.sizes) {
            b.append(String.format("## A log of %,d entries%n%n", s.size()));
            b.append("| figure | value | p50 | p99 | limit | TrackRecord / limit |\n|---|---:|---:|---:|---:|---:|\n");
            b.append(String.format("| build (batches of 10,000, 8 in flight) | %s | | | | |%n", cell(s.build())));
            b.append(String.format(Locale.ROOT, "| on disk | %,d MiB (%.0f bytes/entry) | | | | |%n", s.bytesOnDisk() >> 20,
                    (double) s.bytesOnDisk() / s.size()));
            if (s.export().measured()) {
                Figure write = r.limit("write");
                Figure exportLimit = write.measured() && s.bundleBytes() > 0
                        ? Figure.of(write.value() * (1 << 20) / ((double) s.bundleBytes() / s.size()), "entries/s")
                        : Figure.notMeasured("no bandwidth figure");
                b.append(String.format(Locale.ROOT, "| export of all of it as a bundle (%,d MiB) | %s | | | %s (write bandwidth / bundle bytes per entry) | %s |%n",
                        s.bundleBytes() >> 20, cell(s.export()), exportLimit.measured() ? exportLimit.text() : "—",
                        ratio(s.export(), exportLimit)));
                Figure hash = r.limit("hash");
                b.append(String.format("| offline verification of that bundle (`trackrecord verify`'s code) | %s | | | %s (SHA-256 of each entry, one core) | %s |%n",
                        cell(s.verify()), hash.measured() ? hash.text() : "—", ratio(s.verify(), hash)));
            }
            Figure reopen = s.reopen().getOrDefault("reopen", Figure.notMeasured("not run"));
            b.append(String.format("| reopen to serving (fresh JVM) | %s | | | | |%n", cell(reopen)));
            b.append(String.format("| heap held after reopen | %s | | | | |%n",
                    cell(s.reopen().getOrDefault("heapOpen", Figure.notMeasured("not run")))));
            Figure inc = s.reopen().getOrDefault("inclusion", Figure.notMeasured("not run"));
            Figure con = s.reopen().getOrDefault("consistency", Figure.notMeasured("not run"));
            b.append(String.format("| inclusion proofs, one thread, random leaves | %s | %s | | |%n", cell(inc), latencyCells(inc)));
            Figure entry = s.reopen().getOrDefault("entry", Figure.notMeasured("not run"));
            b.append(String.format("| entry by seq (its canonical bytes), one thread, random seqs | %s | %s | | |%n",
                    cell(entry), latencyCells(entry)));
            b.append(String.format("| consistency proofs, one thread, random size1 | %s | %s | | |%n", cell(con), latencyCells(con)));
            b.append(String.format("| heap held after the proof runs (tiles read back) | %s | | | | |%n%n",
                    cell(s.reopen().getOrDefault("heapTouched", Figure.notMeasured("not run")))));
        }

        b.append("""
                ## How to read these figures

                - **What is measured.** Entries are `audit.result` submissions (about 500 bytes enveloped)
                  over 50,000 contractors, each with its own `event_id`. "Durable" means acknowledged after the
                  batch's bytes in the segment log were forced to disk, one fsync a batch; EclipseStore records
                  where they are every half second, and a crash before that is read back on open
                  (`docs/storage.md`). The
                  in-process rows call the ledger directly; the REST rows start the real service
                  (`dev.trackrecord.api.Main`, as `./trackrecord serve` does) as its own process on a fresh
                  data directory and a free port, and drive it with wrk, a separate process on the same cores.
                  Each HTTP and PostgreSQL scenario runs after a warm-up of a quarter of its length (the
                  plain endpoint and the score lookup: half; REST single-entry appends: twice its length,
                  since the JIT was still compiling the append path after half). p50 and
                  p99 are per request: one entry, one read, or one whole batch for the batched rows.
                - **Small batches are bound by the commit, large ones by the writer.** Each batch costs one
                  fsync of the segment log, so batches of 10 and single entries are limited by how many syncs a
                  second the disk takes (the fsync row) and by the round trip to the writer, while batches of
                  1,000 and more spend
                  the writer thread's time encoding envelopes (RFC 8785), hashing leaves, extending the tree and
                  checking `event_id` idempotency; a profile at batches of 1,000 put about 17% of it in SHA-256,
                  19% in writing the envelopes and 9% in the `event_id` lookups.
                - **Single entries from 64 callers** are limited by the syncs: the limit row assumes one fsync per
                  acknowledged entry, each caller waiting for its own; group commit shares one sync among the
                  callers that arrive while the previous one runs.
                - **Reads over HTTP** pay for token and role checks, the contractor's access log and JSON; the
                  plain Helidon endpoint, measured by the same generator in the same run, is what HTTP alone
                  costs on these cores. TCP_NODELAY on the server's connections and remembering verified bearer
                  tokens until their `exp` took entry and proof reads from about 3k to tens of thousands a second.
                - **Reopen** is the time to serve reads from a fresh JVM; appends wait a little longer while the
                  writer builds the `event_id` index (about a second at 10M entries). **Heap** per entry right
                  after reopen leaves out that index; after the proof runs it includes every tree tile read back
                  (64 bytes an entry), the chunk columns (16), the `event_id` index (8-13) and the contractor's
                  seq list (8).
                - **Export and verify** run on the log of the first size: the bundle holds every entry with its
                  inclusion proof, and verification checks the checkpoint signature, every proof and every
                  `prev`/`cprev` link.
                - Sizes are options (`./trackrecord bench --help`); `--large` adds the 10M-entry log, and
                  `--quick` runs the whole pipeline at tiny sizes, which the default test run does so that the
                  benchmark cannot rot.

                ## Figures measured elsewhere in the project

                These were taken in other runs, while other builds loaded the machine; each document gives its
                command.

                | what | figure | where, and the load |
                |---|---|---|
                | Dawid-Skene on 1M labels, 100k items, 5,000 contractors, 2 classes | 0.3-1.0 s (9 iterations); with building the batch 0.5-1.7 s; 4 classes 1.1-2.2 s (target: under 10 s) | `docs/consensus.md`, load 7-13 |
                | `POST /v1/audits/consensus` with 200,000 labels | 2.1 s first time, 1.1-1.3 s resent | `docs/consensus.md`, load about 11 |
                | access-log recording on a score lookup, in process | +76 ns (741 to 818 ns, fastest of 30 rounds); +929 ns median | `docs/contractor-view.md`, quiet (load 1.4); +315 ns under load 7-10 |
                | Kafka ingest, one node | 3.6k-11.7k entries/s | `docs/operations.md`, load 7-13 |
                """);
        return b.toString();
    }

    /**
     * A row of the reputation table: its {@link Results#reputation} key, what it times and, when
     * the issue set one, the target: {@code stat} (mean or p99) under {@code targetMs}.
     */
    record RepRow(String key, String operation, String stat, double targetMs) {
        static RepRow untargeted(String key, String operation) {
            return new RepRow(key, operation, "", Double.NaN);
        }

        boolean hasTarget() {
            return !stat.isEmpty();
        }
    }

    static final List<RepRow> REPUTATION_ROWS = List.of(
            new RepRow("lookup", "lookup, warm (band cached for the hour)", "mean", 0.002),
            new RepRow("lookupJson", "lookup as the JSON document the route sends, warm", "mean", 0.002),
            RepRow.untargeted("lookup.first", "first lookup of the hour (band computed)"),
            new RepRow("batch", "batch of 1,000 lookups", "mean", 2),
            new RepRow("top10", "top-10 by lower bound", "p99", 2),
            new RepRow("top50", "top-50 by lower bound", "p99", 2),
            new RepRow("top10.credential", "top-10 by lower bound, credential filter (1 in 10 hold it)", "p99", 2),
            RepRow.untargeted("top50.score", "top-50 by score"),
            RepRow.untargeted("top10.minNEff", "top-10 by lower bound, `min_n_eff=3`"));

    static final List<String[]> REPUTATION_ONCE = List.of(
            new String[] {"replay", "replay of the whole log into a new index (`catchUp`)"},
            new String[] {"ranking", "first top-k of the hour: ranking of the skill built in line"},
            new String[] {"scoreOrder", "first top-k by score: the skill's order by score built in line"},
            new String[] {"prepare", "`prepareRankings` for the next hour, in chunks"},
            new String[] {"snapshot.write", "snapshot of the index, write"},
            new String[] {"snapshot.read", "snapshot of the index, read back"});

    /** Where the service's CPU went during the REST single-append run, scoring's share first. */
    private void appendCpu(StringBuilder b) {
        if (r.appendCpu.isEmpty()) {
            return;
        }
        double total = r.appendCpu.get(ThreadCpu.TOTAL);
        double scoring = r.appendCpu.getOrDefault(ThreadCpu.SCORING, 0.0);
        b.append(String.format(Locale.ROOT, """
                In the service, over REST: the CPU its threads used while it answered the REST single-entry
                appends measured above (64 connections, this run; each an audit naming one of the
                marketplace's skills in turn, whose rankings the service keeps since the top-k reads, so
                scoring re-keys the contractor there), read from Linux's per-thread counters
                (`/proc/PID/task`, 10 ms ticks) before and after that run, per acknowledged append. The
                service and the load generator kept both cores busy, so without scoring they would have
                served at most its share of the service's CPU more appends. Scoring took
                **%.1f%%** of the service's CPU (target: under 10%%). The garbage it leaves is collected by
                the collector's threads, counted apart.

                | threads | CPU per append | share of the service's CPU |
                |---|---:|---:|
                """, 100 * scoring / total));
        r.appendCpu.forEach((group, micros) -> {
            if (!group.equals(ThreadCpu.TOTAL)) {
                b.append(String.format(Locale.ROOT, "| %s | %.1f µs | %.1f%% |%n", group, micros, 100 * micros / total));
            }
        });
        b.append(String.format(Locale.ROOT, "| the whole service | %.1f µs | 100%% |%n%n", total));
    }

    private void reputation(StringBuilder b) {
        b.append("## Reputation, in process\n\n");
        b.append(String.format(Locale.ROOT, """
                The reputation index (`ReputationIndex`) as the service holds it, called directly on one
                thread: a real ledger holding %s contractors, all in skill `%s`, each with 1 to 3 task
                outcomes and a gold audit of each, one in ten holding a `%s` credential (%s entries,
                appended in batches of 1,000 at %s), replayed into a new index through
                `LedgerEntrySource`. The index's clock is fixed inside one hour, so after a contractor's
                first lookup of the hour their band is cached, as in the service until the hour turns; the
                first lookups are timed apart. Each operation is timed alone with `System.nanoTime` (which
                adds some 20-30 ns) after a warm-up of the same operation; p50 and p99 from HdrHistogram.
                Load average %s before this step and %s after.

                """, String.format("%,d", r.reputationContractors), ReputationBench.SKILL, ReputationBench.CREDENTIAL,
                String.format("%,d", r.reputationEntries), cell(r.rep("build")), r.reputationLoadBefore,
                r.reputationLoadAfter));
        b.append("| operation | mean | p50 | p99 | target | met |\n|---|---:|---:|---:|---|---|\n");
        for (RepRow row : REPUTATION_ROWS) {
            Figure f = r.rep(row.key());
            b.append("| ").append(row.operation()).append(" | ");
            if (f.hasLatency()) {
                b.append(duration(f.value())).append(" | ").append(duration(f.p50Ms())).append(" | ")
                        .append(duration(f.p99Ms()));
            } else {
                b.append(cell(f)).append(" | | ");
            }
            b.append(" | ").append(row.hasTarget() ? row.stat() + " < " + duration(row.targetMs()) : "—").append(" | ");
            if (!row.hasTarget()) {
                b.append("—");
            } else if (!f.hasLatency()) {
                b.append("not measured");
            } else {
                double v = row.stat().equals("p99") ? f.p99Ms() : f.value();
                b.append(v < row.targetMs() ? "yes" : "**no**");
            }
            b.append(" |\n");
        }
        b.append("\n| once | time |\n|---|---:|\n");
        for (String[] row : REPUTATION_ONCE) {
            Figure f = r.rep(row[0]);
            b.append("| ").append(row[1]).append(" | ").append(f.measured() ? duration(f.value()) : cell(f)).append(" |\n");
        }
        Figure bytes = r.rep("snapshot.bytes");
        if (bytes.measured()) {
            b.append("\nThe snapshot held ").append(bytes.text()).append(".\n");
        }
        b.append("\n");
    }

    /** A duration given in ms, in the unit that suits it: {@code 870 ns}, {@code 1.30 µs}, {@code 1.30 ms}, {@code 1.6 s}. */
    static String duration(double ms) {
        double ns = ms * 1e6;
        if (ns < 1_000) {
            return String.format(Locale.ROOT, "%.0f ns", ns);
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, ns < 10_000 ? "%.2f µs" : "%.1f µs", ns / 1e3);
        }
        if (ms < 1_000) {
            return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", ms / 1e3);
    }

    /** The side-by-side rows as paired bars, each pair scaled to the larger of the two and the limit. */
    public String svg() {
        int rowH = 56;
        int left = 330;
        int width = 900;
        int barMax = width - left - 150;
        int height = 70 + PAIRS.size() * rowH + 30;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height, width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">TrackRecord and PostgreSQL, same run, same machine</text>\n");
        s.append("<rect x=\"10\" y=\"34\" width=\"12\" height=\"12\" fill=\"#2b6cb0\"/><text x=\"27\" y=\"45\">TrackRecord</text>\n");
        s.append("<rect x=\"120\" y=\"34\" width=\"12\" height=\"12\" fill=\"#a0aec0\"/><text x=\"137\" y=\"45\">PostgreSQL</text>\n");
        s.append("<line x1=\"240\" y1=\"40\" x2=\"256\" y2=\"40\" stroke=\"#c53030\" stroke-width=\"2\" stroke-dasharray=\"3,2\"/><text x=\"261\" y=\"45\">machine limit</text>\n");
        int y = 70;
        for (Pair p : PAIRS) {
            Figure tr = r.tr(p.trKey());
            Figure pg = r.pg(p.pgKey());
            Figure lim = limitFor(p.trKey()).figure();
            double max = 0;
            for (Figure f : List.of(tr, pg, lim)) {
                if (f.measured()) {
                    max = Math.max(max, f.value());
                }
            }
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 14, escape(p.workload())));
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#4a5568\">TrackRecord / PostgreSQL %s</text>%n",
                    y + 32, escape(ratio(tr, pg))));
            bar(s, left, y + 2, barMax, max, tr, "#2b6cb0");
            bar(s, left, y + 24, barMax, max, pg, "#a0aec0");
            if (lim.measured() && max > 0) {
                int x = left + (int) Math.round(barMax * lim.value() / max);
                s.append(String.format(Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c53030\" stroke-width=\"2\" stroke-dasharray=\"3,2\"/>%n",
                        x, y, x, y + 44));
            }
            y += rowH;
        }
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#4a5568\">%s</text>%n", y + 10,
                escape("Machine: " + r.machine)));
        s.append("</svg>\n");
        return s.toString();
    }

    private static void bar(StringBuilder s, int left, int y, int barMax, double max, Figure f, String colour) {
        if (!f.measured() || max <= 0) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#718096\">not measured</text>%n", left, y + 14));
            return;
        }
        int w = Math.max(1, (int) Math.round(barMax * f.value() / max));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>%n", left, y, w, colour));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left + w + 6, y + 14, escape(f.text())));
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
