package dev.trackrecord.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The CPU a process's threads have used, by what they do, read from Linux's
 * {@code /proc/PID/task/TID/stat}: taken before and after a load run, it shows where the service
 * spent its CPU on the requests of that run. Thread names are the service's own (ledger-writer,
 * reputation-follower, ...), cut to 15 characters by the kernel.
 */
final class ThreadCpu {
    /** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on the machines this runs on. */
    private static final double MICROS_PER_TICK = 10_000;

    /** Ticks by group at one moment. */
    record Snapshot(Map<String, Long> ticks) {
        /**
         * Microseconds of CPU per operation by group, from this snapshot to {@code later}, largest
         * first, with {@code total} for the whole process.
         */
        Map<String, Double> microsPer(Snapshot later, long operations) {
            Map<String, Long> used = new TreeMap<>();
            later.ticks.forEach((group, t) -> used.merge(group, t - ticks.getOrDefault(group, 0L), Long::sum));
            Map<String, Double> out = new LinkedHashMap<>();
            used.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> out.put(e.getKey(), e.getValue() * MICROS_PER_TICK / operations));
            out.put(TOTAL, used.values().stream().mapToLong(Long::longValue).sum() * MICROS_PER_TICK / operations);
            return out;
        }
    }

    static final String TOTAL = "total";
    static final String SCORING = "scoring (reputation-follower)";

    private ThreadCpu() {
    }

    /** Whether this machine can be read ({@code /proc} exists). */
    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** The CPU ticks of each group of {@code pid}'s live threads. */
    static Snapshot of(long pid) throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException exited) {
                    continue;
                }
                // pid (comm) state ppid ... utime stime: the name may hold spaces and parentheses.
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String[] rest = stat.substring(close + 2).split(" ");
                long used = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
                ticks.merge(group(stat.substring(open + 1, close)), used, Long::sum);
            }
        }
        return new Snapshot(ticks);
    }

    /** What a thread of the service does, from its name. */
    static String group(String name) {
        if (name.startsWith("ForkJoinPool")) {
            return "HTTP requests (virtual threads' carriers)";
        }
        if (name.startsWith("reputation-foll")) {
            return SCORING;
        }
        if (name.startsWith("ledger-writer")) {
            return "ledger writer";
        }
        if (name.startsWith("ledger-committe")) {
            return "ledger committer (fsync)";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT compilers";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "garbage collector";
        }
        if (name.startsWith("access-log")) {
            return "access log writer";
        }
        if (name.contains("Poller")) {
            return "socket pollers";
        }
        return "other";
    }
}
