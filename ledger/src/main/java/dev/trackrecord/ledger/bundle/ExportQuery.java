package dev.trackrecord.ledger.bundle;

import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.json.CanonicalWriter;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which entries an export bundle holds: those of one contractor (or all), with {@code seq} in
 * {@code [fromSeq, toSeq]} (both inclusive), of the given kinds (empty means every kind), at or
 * below the checkpoint the bundle is made against. {@code sinceSize} asks for a consistency
 * proof from the checkpoint issued at that earlier tree size.
 */
public record ExportQuery(Optional<String> contractor, OptionalLong fromSeq, OptionalLong toSeq,
                          Set<EntryKind> kinds, OptionalLong sinceSize) {

    // The contractor pattern of schemas/json/defs.schema.json.
    private static final Pattern CONTRACTOR = Pattern.compile("^(?:[A-Za-z0-9][A-Za-z0-9._:-]{0,63}|_system)$");

    /**
     * @throws InvalidQueryException naming the parameter that breaks a rule
     */
    public ExportQuery {
        contractor.ifPresent(c -> {
            if (!CONTRACTOR.matcher(c).matches()) {
                throw new InvalidQueryException("contractor", "must match " + CONTRACTOR.pattern());
            }
        });
        fromSeq.ifPresent(v -> requireNonNegative("from_seq", v));
        toSeq.ifPresent(v -> requireNonNegative("to_seq", v));
        if (fromSeq.isPresent() && toSeq.isPresent() && toSeq.getAsLong() < fromSeq.getAsLong()) {
            throw new InvalidQueryException("to_seq", "must not be less than from_seq (" + fromSeq.getAsLong()
                    + "), was " + toSeq.getAsLong());
        }
        if (sinceSize.isPresent() && sinceSize.getAsLong() < 1) {
            throw new InvalidQueryException("since_size", "must be at least 1, was " + sinceSize.getAsLong());
        }
        kinds = kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    /** Every entry up to the checkpoint, no consistency proof. */
    public static ExportQuery all() {
        return new ExportQuery(Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of(),
                OptionalLong.empty());
    }

    /**
     * Builds a query from request parameters as text (null or blank when absent), as the HTTP
     * route and the command line receive them. {@code kinds} is comma-separated wire names.
     *
     * @throws InvalidQueryException naming the parameter that is malformed or breaks a rule
     */
    public static ExportQuery parse(String contractor, String fromSeq, String toSeq, String kinds, String sinceSize) {
        return new ExportQuery(
                blank(contractor) ? Optional.empty() : Optional.of(contractor.strip()),
                number("from_seq", fromSeq), number("to_seq", toSeq), kindSet(kinds), number("since_size", sinceSize));
    }

    public ExportQuery withContractor(String id) {
        return new ExportQuery(Optional.of(id), fromSeq, toSeq, kinds, sinceSize);
    }

    public ExportQuery withSeqRange(long from, long to) {
        return new ExportQuery(contractor, OptionalLong.of(from), OptionalLong.of(to), kinds, sinceSize);
    }

    public ExportQuery withKinds(Set<EntryKind> k) {
        return new ExportQuery(contractor, fromSeq, toSeq, k, sinceSize);
    }

    public ExportQuery withSinceSize(long size) {
        return new ExportQuery(contractor, fromSeq, toSeq, kinds, OptionalLong.of(size));
    }

    /** Whether an entry falls inside this query's contractor, seq range and kinds. */
    boolean matches(Entry e) {
        return contractor.map(c -> c.equals(e.contractor())).orElse(true)
                && e.seq() >= fromSeq.orElse(0) && e.seq() <= toSeq.orElse(Long.MAX_VALUE)
                && (kinds.isEmpty() || kinds.contains(e.kind()));
    }

    /** The query as canonical JSON with only the parameters given, as manifest.json records it. */
    void writeJson(CanonicalWriter out) {
        out.ascii("{");
        String sep = "";
        if (contractor.isPresent()) {
            out.ascii("\"contractor\":").string(contractor.get());
            sep = ",";
        }
        if (fromSeq.isPresent()) {
            out.ascii(sep + "\"from_seq\":").number(fromSeq.getAsLong());
            sep = ",";
        }
        if (!kinds.isEmpty()) {
            out.ascii(sep + "\"kinds\":[");
            String[] names = kinds.stream().map(EntryKind::wire).sorted().toArray(String[]::new);
            for (int i = 0; i < names.length; i++) {
                out.ascii(i == 0 ? "" : ",").string(names[i]);
            }
            out.ascii("]");
            sep = ",";
        }
        if (sinceSize.isPresent()) {
            out.ascii(sep + "\"since_size\":").number(sinceSize.getAsLong());
            sep = ",";
        }
        if (toSeq.isPresent()) {
            out.ascii(sep + "\"to_seq\":").number(toSeq.getAsLong());
        }
        out.ascii("}");
    }

    private static void requireNonNegative(String name, long v) {
        if (v < 0) {
            throw new InvalidQueryException(name, "must not be negative, was " + v);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static OptionalLong number(String name, String text) {
        if (blank(text)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            throw new InvalidQueryException(name, "must be a whole number, was \"" + text + "\"");
        }
    }

    private static Set<EntryKind> kindSet(String text) {
        if (blank(text)) {
            return Set.of();
        }
        Set<EntryKind> set = EnumSet.noneOf(EntryKind.class);
        for (String name : text.split(",")) {
            String n = name.strip();
            set.add(EntryKind.fromWire(n).orElseThrow(() -> new InvalidQueryException("kinds",
                    "unknown kind \"" + n + "\"; known: " + Arrays.stream(EntryKind.values()).map(EntryKind::wire)
                            .collect(Collectors.joining(", ")))));
        }
        return set;
    }
}
