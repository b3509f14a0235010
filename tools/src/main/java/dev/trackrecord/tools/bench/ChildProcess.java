package dev.trackrecord.tools.bench;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java main class run as its own process on this JVM's classpath, as {@code ./trackrecord serve}
 * runs the service: the servers under test run apart from the load generator, on the same cores.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    final int port;

    private ChildProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code mainClass} with {@code args}; {@code {port}} in an argument becomes a free port. */
    static ChildProcess start(Class<?> mainClass, Path log, String... args) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        for (String a : args) {
            cmd.add(a.replace("{port}", Integer.toString(port)));
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildProcess(p, log, port);
    }

    /** Waits until {@code path} answers 200 on the child's port, or throws with the end of its log. */
    ChildProcess awaitHttp(String path, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("exited with " + process.exitValue() + ": " + tail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url() + path).toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    c.getInputStream().readAllBytes();
                    return this;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IOException("did not answer " + path + " within " + timeoutMillis + " ms: " + tail());
    }

    long pid() {
        return process.pid();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String tail() {
        try {
            String s = Files.readString(log);
            return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
