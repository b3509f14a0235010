package dev.trackrecord.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of our own for the baseline: a fresh cluster (initdb) in a temporary
 * directory, listening on 127.0.0.1 at a free port with trust authentication, every other setting
 * at its default (so {@code fsync=on} and {@code synchronous_commit=on}); stopped and deleted by
 * {@link #close}. It never touches a server already running on the machine. When PostgreSQL is
 * not installed and this process runs as root, installs Debian's {@code postgresql} package.
 * As root, the server runs as the {@code postgres} user (PostgreSQL refuses to run as root).
 */
final class LocalPostgres implements AutoCloseable {
    static final String USER = "bench";

    private final Path bin;
    private final Path dir;
    private final boolean asPostgresUser;
    final int port;

    private LocalPostgres(Path bin, Path dir, boolean asPostgresUser, int port) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgresUser = asPostgresUser;
        this.port = port;
    }

    static LocalPostgres start(List<String> log) throws IOException {
        Optional<Path> bin = findBin();
        boolean root = Tools.isRoot();
        if (bin.isEmpty() && root) {
            log.add("installing postgresql with apt-get");
            Tools.aptInstall("postgresql");
            bin = findBin();
        }
        if (bin.isEmpty()) {
            throw new IOException("PostgreSQL is not installed (apt-get install postgresql, as root), and no --pg-url given");
        }
        // As root, the data directory must belong to the postgres user and sit where it can reach it.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "trackrecord-bench-pg");
        if (root) {
            Tools.run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        int port = ChildProcess.freePort();
        LocalPostgres pg = new LocalPostgres(bin.get(), dir, root, port);
        try {
            pg.run("initdb", "-D", dir.resolve("data").toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
                    "--no-sync");
            pg.run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
                    "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir, "start");
            return pg;
        } catch (IOException e) {
            pg.close();
            throw e;
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER;
    }

    /** The data directory, for the disk it is on. */
    Path dataDir() {
        return dir.resolve("data");
    }

    private String run(String program, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(program).toString());
        cmd.addAll(List.of(args));
        return Tools.run(cmd);
    }

    /** The newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/N/bin, or pg_ctl on the PATH. */
    static Optional<Path> findBin() {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
                if (newest.isPresent()) {
                    return newest;
                }
            } catch (IOException ignored) {
                // Fall back to the PATH.
            }
        }
        return Tools.onPath("pg_ctl").map(p -> p.toAbsolutePath().getParent())
                .filter(b -> Files.isExecutable(b.resolve("initdb")));
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
            }
        } catch (IOException ignored) {
            // Best effort; the directory goes below either way.
        }
        try {
            LedgerBench.deleteTree(dir);
        } catch (IOException ignored) {
            // A leftover temporary directory is harmless.
        }
    }
}
