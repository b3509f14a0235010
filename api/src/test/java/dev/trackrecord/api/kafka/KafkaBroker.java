package dev.trackrecord.api.kafka;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node KRaft broker (broker and controller in one process) in a child JVM, on free
 * loopback ports, started from the {@code kafka_2.13} jars on the test classpath. Register it as
 * a static {@code @RegisterExtension} field to share one broker in a test class; {@link #stop()}
 * and {@link #start()} restart it on the same ports and log directory.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private Path dir;
    private int port;
    private int controllerPort;
    private volatile Process process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("trackrecord-kafka");
        port = freePort();
        controllerPort = freePort();
        Files.writeString(dir.resolve("server.properties"), serverProperties());
        Files.writeString(dir.resolve("logging.properties"), """
                handlers=java.util.logging.ConsoleHandler
                .level=WARNING
                java.util.logging.ConsoleHandler.level=WARNING
                """);
        run("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", dir.resolve("server.properties").toString());
        // If the test JVM dies without afterAll, do not leave a broker behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }, "kafka-broker-cleanup"));
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        deleteTree(dir);
    }

    /** Deletes {@code dir} and everything under it; nothing when it is null. */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@code 127.0.0.1:port} of the broker's listener. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker (again) and waits until it answers. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = command("kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
                .start();
        awaitReady();
    }

    /** Stops the broker with a controlled shutdown (SIGTERM) and waits for it to exit. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    /** Kills the broker without a shutdown (SIGKILL), as a crash would. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor();
        process = null;
    }

    private void awaitReady() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + ":\n"
                            + log());
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka broker was not ready after " + READY_TIMEOUT + ":\n"
                            + log());
                }
                Thread.sleep(100);
            }
        }
    }

    private String log() throws IOException {
        Path log = dir.resolve("broker.log");
        return Files.exists(log) ? Files.readString(log) : "(no output)";
    }

    private void run(String mainClass, String... args) throws IOException, InterruptedException {
        Process p = command(mainClass, args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " failed:\n" + Files.readString(dir.resolve("format.log")));
        }
    }

    private ProcessBuilder command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.util.logging.config.file=" + dir.resolve("logging.properties"),
                "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    /** The test classpath (surefire's manifest jar hides it from java.class.path). */
    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (!cp.contains("kafka_2.13")) {
            throw new IllegalStateException("org.apache.kafka:kafka_2.13 is not on the test classpath");
        }
        return cp.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator);
    }

    private String serverProperties() {
        String logDir = dir.resolve("logs").toString().replace('\\', '/');
        return """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                default.replication.factor=1
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                log.cleaner.backoff.ms=1000
                """.formatted(port, controllerPort, logDir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
