package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code task.outcome}: how one task the contractor worked on ended.
 *
 * @param skills     the skills the task exercised, 1 to 16 codes
 * @param durationS  time spent, in seconds
 * @param late       whether the work came after its due time
 * @param dueAt      the due time, when the marketplace knows one
 * @param valueMinor the task's value in minor units of {@code currency}; scoring weighs by it
 */
public record TaskOutcome(Instant occurredAt, String taskId, String projectId, List<String> skills, Outcome outcome,
                          long durationS, boolean late, Optional<Instant> dueAt, long valueMinor, String currency)
        implements EntryBody {

    public TaskOutcome {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(projectId, "projectId");
        skills = List.copyOf(skills);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(currency, "currency");
    }

    @Override
    public EntryKind kind() {
        return EntryKind.TASK_OUTCOME;
    }

    public enum Outcome {
        ACCEPTED, REJECTED, ABANDONED, EXPIRED;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        public static Optional<Outcome> fromWire(String wire) {
            return Wire.lookup(values(), Outcome::wire, wire);
        }
    }
}
