package dev.trackrecord.tools.bench;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.merkle.Rfc9162;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;

/**
 * The PostgreSQL baseline: what a team would build instead of TrackRecord. An append-only table
 * holding each entry's canonical bytes (the same RFC 8785 envelope TrackRecord stores), its
 * {@code prev} and its leaf hash, chained in the client: one lock in the client assigns seq,
 * prev and cprev and hashes the entry, then the connection inserts it. {@code event_id} is
 * unique, as TrackRecord's idempotency index makes it. Scores are stored rows holding the JSON
 * the service serves. Every setting is PostgreSQL's default (durable commits).
 */
final class PostgresBench {
    private static final String SCHEMA = """
            DROP TABLE IF EXISTS entries, scores, skill_scores;
            CREATE TABLE entries (seq bigint PRIMARY KEY, contractor text NOT NULL, event_id text NOT NULL UNIQUE,
                cprev bigint NOT NULL, prev bytea NOT NULL, hash bytea NOT NULL, canonical bytea NOT NULL);
            CREATE INDEX entries_by_contractor ON entries (contractor, seq);
            CREATE TABLE scores (contractor text PRIMARY KEY, body bytea NOT NULL);
            CREATE TABLE skill_scores (skill text NOT NULL, contractor text NOT NULL, lower double precision NOT NULL,
                score double precision NOT NULL, PRIMARY KEY (skill, contractor));
            CREATE INDEX skill_scores_by_lower ON skill_scores (skill, lower DESC);
            """;
    private static final String INSERT =
            "INSERT INTO entries (seq, contractor, event_id, cprev, prev, hash, canonical) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private final String url;

    PostgresBench(String url) {
        this.url = url;
    }

    Connection connect() throws SQLException {
        // reWriteBatchedInserts: pgjdbc sends a batch as multi-row INSERTs, the usual tuning for batches.
        return DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true");
    }

    void createSchema() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
    }

    String serverVersion() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1);
        }
    }

    /** The client-side chain: seq, prev and cprev assigned under one lock, as a single writer would. */
    static final class Chain {
        private long next;
        private byte[] prev = new byte[Entry.HASH_BYTES];
        private final Map<String, Long> lastByContractor = new HashMap<>();

        synchronized List<Row> take(List<Submission> subs) {
            List<Row> rows = new ArrayList<>(subs.size());
            Instant ts = Instant.ofEpochMilli(System.currentTimeMillis());
            for (Submission s : subs) {
                long seq = next++;
                Long cprev = lastByContractor.put(s.contractor(), seq);
                byte[] canonical = s.toEntry(seq, ts, "bench", prev, cprev == null ? Entry.NO_CPREV : cprev).canonicalBytes();
                byte[] hash = Rfc9162.leafHash(canonical);
                rows.add(new Row(seq, s.contractor(), s.eventId(), cprev == null ? -1 : cprev, prev, hash, canonical));
                prev = hash;
            }
            return rows;
        }
    }

    record Row(long seq, String contractor, String eventId, long cprev, byte[] prev, byte[] hash, byte[] canonical) {
        void bind(PreparedStatement ps) throws SQLException {
            ps.setLong(1, seq);
            ps.setString(2, contractor);
            ps.setString(3, eventId);
            ps.setLong(4, cprev);
            ps.setBytes(5, prev);
            ps.setBytes(6, hash);
            ps.setBytes(7, canonical);
        }
    }

    void truncateEntries() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE entries");
        }
    }

    /** {@code total} entries in JDBC batches of {@code batch}, one transaction each, from {@code connections}. */
    Figure appendBatches(LongFunction<Submission> source, long total, int batch, int connections) throws Exception {
        Chain chain = new Chain();
        AtomicLong nextBatch = new AtomicLong();
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Connection c = connect();
            c.setAutoCommit(false);
            conns.add(c);
        }
        Histogram latency = new Histogram(3);
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (Connection c : conns) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    long b;
                    while ((b = nextBatch.getAndIncrement()) * batch < total) {
                        long s = System.nanoTime();
                        List<Submission> subs = new ArrayList<>(batch);
                        for (long n = b * batch; n < Math.min(total, (b + 1) * batch); n++) {
                            subs.add(source.apply(n));
                        }
                        for (Row r : chain.take(subs)) {
                            r.bind(ps);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                        c.commit();
                        synchronized (latency) {
                            latency.recordValue((System.nanoTime() - s) / 1000);
                        }
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double rate = total / ((System.nanoTime() - t0) / 1e9);
        for (Connection c : conns) {
            c.close();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return Figure.of(rate, "entries/s", latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0);
    }

    /** Single-row transactions (autocommit) from {@code connections} for {@code seconds}. */
    Figure appendSingles(LongFunction<Submission> source, long firstN, int connections, double seconds) throws Exception {
        Chain chain = new Chain();
        AtomicLong next = new AtomicLong(firstN);
        return concurrently(connections, seconds, c -> {
            PreparedStatement ps = c.prepareStatement(INSERT);
            return () -> {
                Row r = chain.take(List.of(source.apply(next.getAndIncrement()))).get(0);
                r.bind(ps);
                ps.executeUpdate();
            };
        }, "entries/s");
    }

    /** Copies entries (seq order, already chained by TrackRecord) into the table, untimed. */
    void load(List<Row> rows) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            c.setAutoCommit(false);
            int n = 0;
            for (Row r : rows) {
                r.bind(ps);
                ps.addBatch();
                if (++n % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    void loadScores(Map<String, byte[]> bodies, List<Object[]> skillRows) throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO scores (contractor, body) VALUES (?, ?)");
             PreparedStatement sk = c.prepareStatement(
                     "INSERT INTO skill_scores (skill, contractor, lower, score) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setBytes(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
            for (Object[] r : skillRows) {
                sk.setString(1, (String) r[0]);
                sk.setString(2, (String) r[1]);
                sk.setDouble(3, (Double) r[2]);
                sk.setDouble(4, (Double) r[3]);
                sk.addBatch();
            }
            sk.executeBatch();
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE");
            }
            c.commit();
        }
    }

    /** A contractor's latest 20 entries (their canonical bytes), random contractors 1..contractors. */
    Figure history(String idFormat, int contractors, int connections, double seconds) throws Exception {
        return reads(connections, seconds,
                "SELECT seq, canonical FROM entries WHERE contractor = ? ORDER BY seq DESC LIMIT 20", idFormat, contractors);
    }

    /** One entry's canonical bytes by its seq (the primary key), random seqs 0..size-1. */
    Figure entry(long size, int connections, double seconds) throws Exception {
        return concurrently(connections, seconds, c -> {
            PreparedStatement ps = c.prepareStatement("SELECT canonical FROM entries WHERE seq = ?");
            SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
            return () -> {
                ps.setLong(1, random.nextLong(size));
                drain(ps);
            };
        }, "requests/s");
    }

    /** The stored score row of a random contractor. */
    Figure scoreRow(String idFormat, int contractors, int connections, double seconds) throws Exception {
        return reads(connections, seconds, "SELECT body FROM scores WHERE contractor = ?", idFormat, contractors);
    }

    /** Top 10 of a random skill by lower bound. */
    Figure top(List<String> skills, int connections, double seconds) throws Exception {
        return concurrently(connections, seconds, c -> {
            PreparedStatement ps = c.prepareStatement(
                    "SELECT contractor, lower, score FROM skill_scores WHERE skill = ? ORDER BY lower DESC LIMIT 10");
            SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
            return () -> {
                ps.setString(1, skills.get(random.nextInt(skills.size())));
                drain(ps);
            };
        }, "requests/s");
    }

    private Figure reads(int connections, double seconds, String sql, String idFormat, int contractors) throws Exception {
        return concurrently(connections, seconds, c -> {
            PreparedStatement ps = c.prepareStatement(sql);
            SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
            return () -> {
                ps.setString(1, String.format(idFormat, 1 + random.nextInt(contractors)));
                drain(ps);
            };
        }, "requests/s");
    }

    private static void drain(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= cols; i++) {
                    rs.getBytes(i);
                }
            }
        }
    }

    interface Op {
        void run() throws SQLException;
    }

    interface OpFactory {
        Op create(Connection c) throws SQLException;
    }

    /** Runs each connection's op in a loop on its own thread for {@code seconds}; rate and latency. */
    private Figure concurrently(int connections, double seconds, OpFactory factory, String unit) throws Exception {
        List<Connection> conns = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Connection c = connect();
            c.setAutoCommit(true);
            conns.add(c);
        }
        Histogram latency = new Histogram(3);
        AtomicLong done = new AtomicLong();
        List<Exception> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (Connection c : conns) {
            threads.add(Thread.ofPlatform().start(() -> {
                Histogram mine = new Histogram(3);
                try {
                    Op op = factory.create(c);
                    long s;
                    while ((s = System.nanoTime()) < end) {
                        op.run();
                        mine.recordValue((System.nanoTime() - s) / 1000);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
                synchronized (latency) {
                    latency.add(mine);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double rate = done.get() / ((System.nanoTime() - t0) / 1e9);
        for (Connection c : conns) {
            c.close();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return Figure.of(rate, unit, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0);
    }
}
