package dev.trackrecord.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real service in its own JVM, as {@code trackrecord serve} runs it, for crash and fault tests. */
public final class ServerProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on http://localhost:(\\d+)");
    private static final int MAX_LOG_CHARS = 1 << 20;

    final Process process;
    final int port;
    private final StringBuilder log;

    private ServerProcess(Process process, int port, StringBuilder log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * How to start the service: over {@code data} on {@code port} (0: a free one) with a heap of
     * {@code heap}, {@code env} added to the environment and {@code options} after the data and port.
     */
    public record Launch(Path data, int port, String heap, Map<String, String> env, List<String> options) {
        public static Launch of(Path data, String... options) {
            return new Launch(data, 0, "256m", Map.of(), List.of(options));
        }

        public Launch onPort(int p) {
            return new Launch(data, p, heap, env, options);
        }

        public Launch withHeap(String h) {
            return new Launch(data, port, h, env, options);
        }

        public Launch withEnv(Map<String, String> e) {
            return new Launch(data, port, heap, e, options);
        }

        /** The command, as {@code trackrecord serve} would run it, with this JVM's class path. */
        public ProcessBuilder command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--add-exports");
            cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
            if (Runtime.version().feature() >= 24) {
                cmd.add("--sun-misc-unsafe-memory-access=allow");
            }
            cmd.add("-Xmx" + heap);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.addAll(List.of("--data", data.toString(), "--port", Integer.toString(port)));
            cmd.addAll(options);
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            builder.environment().putAll(env);
            return builder;
        }
    }

    /**
     * Starts the service over {@code data} on a free port; fails if it does not listen within
     * 180 s (a start on the shared test machine has taken 56 s).
     */
    static ServerProcess start(Path data, String... options) throws IOException, InterruptedException {
        return start(Launch.of(data, options));
    }

    /** Starts the service as {@code launch} says; fails if it does not listen within 180 s. */
    static ServerProcess start(Launch launch) throws IOException, InterruptedException {
        Process process = launch.command().start();
        StringBuilder log = new StringBuilder();
        BlockingQueue<Integer> ports = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (log) {
                        // A long run (the soak) must not fill the heap with its own log.
                        if (log.length() < MAX_LOG_CHARS) {
                            log.append(line).append('\n');
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        ports.add(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ports.add(-1);
        });
        Integer port = ports.poll(180, TimeUnit.SECONDS);
        if (port == null || port < 0) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("server did not start within 180 s (" + (process.isAlive() ? "still running"
                    : "exit " + process.exitValue()) + "):\n" + output(log));
        }
        return new ServerProcess(process, port, log);
    }

    /** Runs the service over {@code data} expecting it to refuse to start; returns its exit code and output. */
    static Map.Entry<Integer, String> startExpectingFailure(Path data, String... options)
            throws IOException, InterruptedException {
        return startExpectingFailure(Launch.of(data, options));
    }

    /** Runs the service as {@code launch} says, expecting it to refuse to start; its exit code and output. */
    static Map.Entry<Integer, String> startExpectingFailure(Launch launch) throws IOException, InterruptedException {
        Process process = launch.command().start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server neither served nor exited:\n" + out);
        }
        return Map.entry(process.exitValue(), out);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    String output() {
        return output(log);
    }

    private static String output(StringBuilder log) {
        synchronized (log) {
            return log.toString();
        }
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("server did not die on SIGKILL");
        }
    }

    /** SIGTERM, as an operator stops it; the ledger closes and seals its directory. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server did not stop on SIGTERM within 30 s:\n" + output());
        }
    }
}
