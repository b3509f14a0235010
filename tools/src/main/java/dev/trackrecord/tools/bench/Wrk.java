package dev.trackrecord.tools.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP load generator: {@code wrk} (2 threads) with the Lua scripts in this package, as a
 * separate process on the same cores as the server it drives. Installs wrk with apt-get when it
 * is missing and this process runs as root.
 */
final class Wrk {
    private final Path wrk;
    private final Path scripts;

    private Wrk(Path wrk, Path scripts) {
        this.wrk = wrk;
        this.scripts = scripts;
    }

    /** wrk ready to run, or why not. */
    static Wrk find(Path scratch, List<String> log) throws IOException, InterruptedException {
        Optional<Path> found = Tools.onPath("wrk");
        if (found.isEmpty() && Tools.isRoot()) {
            log.add("installing wrk with apt-get");
            Tools.aptInstall("wrk");
            found = Tools.onPath("wrk");
        }
        if (found.isEmpty()) {
            throw new IOException("wrk is not installed (apt-get install wrk, as root)");
        }
        Path dir = Files.createDirectories(scratch.resolve("wrk"));
        for (String name : List.of("append.lua", "batch.lua", "read.lua")) {
            try (InputStream in = Wrk.class.getResourceAsStream(name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        return new Wrk(found.get(), dir);
    }

    /**
     * Runs {@code script} against {@code url} for {@code seconds} with {@code connections}; each
     * request counts {@code perRequest} items (entries in a batch). Non-2xx answers and socket
     * errors are left out of the rate and make the figure say how many there were.
     */
    Figure run(String url, String script, int connections, int seconds, int perRequest, String unit,
               Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(wrk.toString(), "-t2", "-c" + connections, "-d" + seconds + "s",
                "--timeout", "30s", "-s", scripts.resolve(script).toString(), url).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return Figure.notMeasured("wrk did not finish");
        }
        String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
        if (result == null) {
            return Figure.notMeasured("wrk failed: " + out.strip().replace('\n', ' '));
        }
        String[] f = result.split(" ");
        long requests = Long.parseLong(f[1]);
        double secs = Long.parseLong(f[2]) / 1e6;
        long socketErrors = Long.parseLong(f[5]);
        long statusErrors = Long.parseLong(f[6]);
        if (requests == 0) {
            return Figure.notMeasured("no request completed in " + seconds + " s");
        }
        double rate = (requests - statusErrors) * (double) perRequest / secs;
        String u = unit;
        if (socketErrors + statusErrors > 0) {
            u += " (" + statusErrors + " non-2xx, " + socketErrors + " socket errors)";
        }
        return Figure.of(rate, u, Double.parseDouble(f[3]), Double.parseDouble(f[4]));
    }

    /** Describes the generator for the doc. */
    String describe() {
        return "wrk (" + wrk + "), 2 threads";
    }
}
