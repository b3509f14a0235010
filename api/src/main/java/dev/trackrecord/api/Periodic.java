package dev.trackrecord.api;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Housekeeping that runs on its own daemon thread: at once, then again each interval after a run ends. */
public final class Periodic {
    /** One run of the work; a failure is logged and the work tried again at the next run. */
    public interface Job {
        void run() throws Exception;
    }

    private Periodic() {
    }

    /**
     * Starts running {@code job} on a daemon thread named {@code thread}; a run that throws is
     * logged to {@code log} as a warning, {@code failure} followed by the exception.
     *
     * @return closing it stops the runs
     */
    public static AutoCloseable every(Duration interval, String thread, Logger log, String failure, Job job) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name(thread).daemon(true).unstarted(r));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (Exception e) {
                log.log(Level.WARNING, failure, e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return scheduler::shutdownNow;
    }
}
