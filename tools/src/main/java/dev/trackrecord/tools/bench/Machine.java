package dev.trackrecord.tools.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Describes the machine a benchmark ran on, for the tables it prints. */
final class Machine {
    private Machine() {
    }

    static String describe(Path dataDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        String cpu = cpuModel();
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String disk = disk(dataDir);
        long maxHeapMb = Runtime.getRuntime().maxMemory() >> 20;
        return cores + " cores, " + cpu + ", " + jdk + ", max heap " + maxHeapMb + " MiB, data on " + disk;
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux; the model stays unknown.
        }
        return System.getProperty("os.arch");
    }

    static String disk(Path dir) {
        try {
            Path p = dir.toAbsolutePath();
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            FileStore store = Files.getFileStore(p);
            return store.name() + " (" + store.type() + ")";
        } catch (IOException | RuntimeException e) {
            return "unknown disk";
        }
    }
}
