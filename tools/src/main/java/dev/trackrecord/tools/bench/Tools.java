package dev.trackrecord.tools.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finding and installing the external programs the benchmark drives (wrk, PostgreSQL). */
final class Tools {
    private Tools() {
    }

    static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static boolean isRoot() {
        try {
            return run(List.of("id", "-u")).strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code apt-get install -y PACKAGE}, after {@code apt-get update} when the first try fails. */
    static void aptInstall(String pkg) throws IOException {
        try {
            run(List.of("apt-get", "install", "-y", "-q", pkg));
        } catch (IOException first) {
            run(List.of("apt-get", "update", "-q"));
            run(List.of("apt-get", "install", "-y", "-q", pkg));
        }
    }

    /** Runs a command to completion; its output, or an IOException with it when the exit is not 0. */
    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                        + (out.length() > 800 ? out.substring(out.length() - 800) : out).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        return out;
    }
}
