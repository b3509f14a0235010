package dev.trackrecord.ledger.simulation;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the simulator drew and the log does not show: each contractor's type and true quality per
 * skill, with how many of their tasks and audits in that skill made it into the log.
 */
public record Truth(List<Contractor> contractors) {

    public Truth {
        contractors = List.copyOf(contractors);
    }

    public enum Type {
        REGULAR, NEWCOMER, SPAMMER;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param suspended whether the log suspends them (routing must not return them)
     * @param skills    per skill, in skill order
     */
    public record Contractor(String id, Type type, boolean suspended, Map<String, Skill> skills) {
        public Contractor {
            skills = Collections.unmodifiableMap(new TreeMap<>(skills));
        }

        static final class Builder {
            private final String id;
            private final Type type;
            private final Map<String, Double> quality;
            private final Map<String, int[]> counts = new TreeMap<>();
            private boolean suspended;

            Builder(String id, Type type, Map<String, Double> quality) {
                this.id = id;
                this.type = type;
                this.quality = quality;
                quality.keySet().forEach(s -> counts.put(s, new int[3]));
            }

            void count(String skill, String what) {
                switch (what) {
                    case "suspended" -> suspended = true;
                    case "task" -> counts.get(skill)[0]++;
                    case "audit" -> counts.get(skill)[1]++;
                    case "upheld" -> counts.get(skill)[2]++;
                    default -> {
                        // Rejected disputes change nothing.
                    }
                }
            }

            Contractor build() {
                Map<String, Skill> skills = new TreeMap<>();
                quality.forEach((s, q) -> {
                    int[] c = counts.get(s);
                    skills.put(s, new Skill(q, c[0], c[1] - c[2]));
                });
                return new Contractor(id, type, suspended, skills);
            }
        }
    }

    /**
     * @param quality the true quality, the mean audit score of their work in the skill
     * @param tasks   task outcomes in the log
     * @param audits  audits in the log that no upheld dispute voided
     */
    public record Skill(double quality, int tasks, int audits) {
    }

    /** The truth as JSON: {@code {"contractors":[{"contractor","type","suspended","skills":{..}}]}}. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"contractors\":[");
        for (int i = 0; i < contractors.size(); i++) {
            Contractor c = contractors.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("{\"contractor\":\"").append(c.id()).append("\",\"type\":\"")
                    .append(c.type().wire()).append("\",\"suspended\":").append(c.suspended()).append(",\"skills\":{");
            int j = 0;
            for (var e : c.skills().entrySet()) {
                Skill s = e.getValue();
                b.append(j++ == 0 ? "" : ",").append('"').append(e.getKey()).append("\":{\"quality\":")
                        .append(s.quality()).append(",\"tasks\":").append(s.tasks()).append(",\"audits\":")
                        .append(s.audits()).append('}');
            }
            b.append("}}");
        }
        return b.append("\n]}\n").toString();
    }

    /** The truth as CSV, one row per contractor and skill. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("contractor,type,suspended,skill,quality,tasks,audits\n");
        for (Contractor c : contractors) {
            c.skills().forEach((skill, s) -> b.append(c.id()).append(',').append(c.type().wire()).append(',')
                    .append(c.suspended()).append(',').append(skill).append(',').append(s.quality()).append(',')
                    .append(s.tasks()).append(',').append(s.audits()).append('\n'));
        }
        return b.toString();
    }

    /** The contractors by id. */
    public Map<String, Contractor> byId() {
        Map<String, Contractor> m = new TreeMap<>();
        contractors.forEach(c -> m.put(c.id(), c));
        return m;
    }
}
