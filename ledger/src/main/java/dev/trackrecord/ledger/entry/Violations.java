package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.InvalidJsonException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Collects violations, one per path with its rules joined, in the order first found. Not thread-safe. */
final class Violations {
    private final Map<String, Set<String>> rules = new LinkedHashMap<>();

    void add(String path, String rule) {
        rules.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(rule);
    }

    boolean has(String path) {
        return rules.containsKey(path);
    }

    /** Whether a violation was found at {@code path} or inside it. */
    boolean hasAtOrUnder(String path) {
        for (String p : rules.keySet()) {
            if (p.startsWith(path)
                    && (p.length() == path.length() || p.charAt(path.length()) == '.' || p.charAt(path.length()) == '[')) {
                return true;
            }
        }
        return false;
    }

    Set<String> paths() {
        return Set.copyOf(rules.keySet());
    }

    int size() {
        return rules.size();
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    List<Violation> list() {
        List<Violation> list = new ArrayList<>(rules.size());
        rules.forEach((path, rule) -> list.add(new Violation(path, String.join("; ", rule))));
        return list;
    }

    EntryRejectedException rejection() {
        return new EntryRejectedException(list());
    }

    /**
     * Adds every value in the document {@code root} that canonical JSON refuses (floating-point
     * numbers, integers beyond ±(2^53 - 1), unpaired surrogates), not only the first as
     * {@link CanonicalJson#check} does.
     */
    void addCanonicalJsonViolations(JsonNode root) {
        try {
            CanonicalJson.check(root, "$");
            return;
        } catch (InvalidJsonException e) {
            // Walk the values to find every one, not only the first.
        }
        int before = rules.size();
        addValueViolations(root, "$");
        if (rules.size() == before) {
            // The walk checks values; member names are left to CanonicalJson itself.
            try {
                CanonicalJson.check(root, "$");
            } catch (InvalidJsonException e) {
                add(e.path(), e.rule());
            }
        }
    }

    private void addValueViolations(JsonNode node, String path) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    addValueViolations(field.getValue(), CanonicalJson.childPath(path, field.getKey()));
                }
            }
            case ARRAY -> {
                for (int i = 0; i < node.size(); i++) {
                    addValueViolations(node.get(i), path + "[" + i + "]");
                }
            }
            default -> {
                try {
                    CanonicalJson.check(node, path);
                } catch (InvalidJsonException e) {
                    add(e.path(), e.rule());
                }
            }
        }
    }
}
