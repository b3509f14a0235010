package dev.trackrecord.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.ledger.consensus.Label;
import dev.trackrecord.ledger.consensus.LabelBatch;
import dev.trackrecord.ledger.consensus.Method;
import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.json.CanonicalWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/audits/consensus}, checked against the rules of
 * {@code schemas/json/consensus-request.schema.json} and the ones a schema cannot state (each
 * item labelled by two or more contractors, no item/contractor pair twice, gold once per item).
 * The checks are written out here rather than run through the schema validator because a batch
 * may hold 200,000 labels and each violation should name the label it is about.
 *
 * @param labels sorted by item, then contractor (UTF-16 code units, as RFC 8785 sorts keys)
 * @param gold   item to gold class, sorted by item
 * @param classes the declared classes, sorted; empty when the request declares none
 */
record ConsensusRequest(String batchId, String skill, String taskRef, Method method, List<String> classes,
                        List<Label> labels, Map<String, String> gold) {

    /** Most labels in one batch. */
    static final int MAX_LABELS = 200_000;
    /** Longest batch_id: it is part of every event_id the batch appends, and those have at most 128 characters. */
    static final int MAX_BATCH_ID = 48;
    static final int MAX_ITEM = 256;
    static final int MAX_LABEL = 128;
    /** Violations listed in {@code errors}; a bad batch of 200,000 labels would otherwise answer megabytes. */
    private static final int MAX_VIOLATIONS = 100;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern CONTRACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final Set<String> MEMBERS = Set.of("batch_id", "skill", "task_ref", "method", "classes", "labels", "gold");
    private static final Comparator<Label> CANONICAL = (a, b) -> {
        int c = a.item().compareTo(b.item());
        return c != 0 ? c : a.contractor().compareTo(b.contractor());
    };

    /** A request that breaks a rule; {@code tooLarge} when the rule is the size limit. */
    static final class Invalid extends Exception {
        final List<Violation> violations;
        final boolean tooLarge;

        Invalid(List<Violation> violations, boolean tooLarge) {
            super(violations.get(0).toString());
            this.violations = List.copyOf(violations);
            this.tooLarge = tooLarge;
        }
    }

    /** Checks {@code body} and returns the request, or throws {@link Invalid} listing what is wrong. */
    static ConsensusRequest parse(JsonNode body) throws Invalid {
        List<Violation> v = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new Invalid(List.of(new Violation("$", "must be an object with batch_id, skill, task_ref and labels")), false);
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!MEMBERS.contains(name)) {
                v.add(new Violation("$." + name, "unknown member, not allowed"));
            }
        });
        String batchId = text(body, "batch_id", v, ID, MAX_BATCH_ID,
                "must be 1 to " + MAX_BATCH_ID + " of letters, digits and . _ : / -, starting with a letter or digit");
        String skill = text(body, "skill", v, CODE, 64,
                "must be a lowercase skill code: 1 to 64 of a-z, 0-9 and _ . -, starting with a letter or digit");
        String taskRef = text(body, "task_ref", v, ID, 128,
                "must be 1 to 128 of letters, digits and . _ : / -, starting with a letter or digit");
        Method method = Method.DAWID_SKENE;
        JsonNode m = body.get("method");
        if (m != null) {
            switch (m.isTextual() ? m.textValue() : "") {
                case "ds" -> method = Method.DAWID_SKENE;
                case "onecoin" -> method = Method.ONE_COIN;
                case "mv" -> method = Method.MAJORITY_VOTE;
                default -> v.add(new Violation("$.method", "must be ds, onecoin or mv"));
            }
        }
        TreeSet<String> classes = new TreeSet<>();
        JsonNode c = body.get("classes");
        if (c != null) {
            if (!c.isArray() || c.size() < 2 || c.size() > 1000) {
                v.add(new Violation("$.classes", "must be an array of 2 to 1000 distinct labels"));
            } else {
                for (int i = 0; i < c.size(); i++) {
                    String cls = string(c.get(i), MAX_LABEL);
                    if (cls == null) {
                        v.add(new Violation("$.classes[" + i + "]", "must be a non-blank string of at most " + MAX_LABEL + " characters (valid Unicode)"));
                    } else if (!classes.add(cls)) {
                        v.add(new Violation("$.classes[" + i + "]", "class '" + cls + "' is declared twice"));
                    }
                }
            }
        }
        JsonNode labelsNode = body.get("labels");
        if (labelsNode == null) {
            v.add(new Violation("$.labels", "required"));
            throw new Invalid(v, false);
        }
        if (!labelsNode.isArray()) {
            v.add(new Violation("$.labels", "must be an array of {\"item\",\"contractor\",\"label\"}"));
            throw new Invalid(v, false);
        }
        if (labelsNode.size() > MAX_LABELS) {
            throw new Invalid(List.of(new Violation("$.labels", "at most " + MAX_LABELS + " labels in one batch, held "
                    + labelsNode.size() + "; send larger sets as several batches")), true);
        }
        if (labelsNode.isEmpty()) {
            v.add(new Violation("$.labels", "the batch is empty: consensus needs labels from two or more contractors"));
            throw new Invalid(v, false);
        }
        List<Label> labels = new ArrayList<>(labelsNode.size());
        for (int i = 0; i < labelsNode.size() && v.size() < MAX_VIOLATIONS; i++) {
            JsonNode l = labelsNode.get(i);
            String at = "$.labels[" + i + "]";
            if (!l.isObject()) {
                v.add(new Violation(at, "must be an object {\"item\",\"contractor\",\"label\"}"));
                continue;
            }
            if (l.size() != 3 || !l.has("item") || !l.has("contractor") || !l.has("label")) {
                v.add(new Violation(at, "must have exactly the members item, contractor and label"));
                continue;
            }
            String item = string(l.get("item"), MAX_ITEM);
            String contractor = l.get("contractor").isTextual() ? l.get("contractor").textValue() : null;
            String label = string(l.get("label"), MAX_LABEL);
            if (item == null) {
                v.add(new Violation(at + ".item", "must be a non-blank string of at most " + MAX_ITEM + " characters (valid Unicode)"));
            }
            if (contractor == null || !CONTRACTOR.matcher(contractor).matches()) {
                v.add(new Violation(at + ".contractor", "must be a contractor id: a letter or digit, then up to 63 of "
                        + "letters, digits and . _ : -"));
                contractor = null;
            }
            if (label == null) {
                v.add(new Violation(at + ".label", "must be a non-blank string of at most " + MAX_LABEL + " characters (valid Unicode)"));
            }
            if (item != null && contractor != null && label != null) {
                labels.add(new Label(item, contractor, label));
            }
        }
        Map<String, String> gold = new TreeMap<>();
        Map<String, Integer> goldAt = new HashMap<>();
        JsonNode g = body.get("gold");
        if (g != null) {
            if (!g.isArray() || g.size() > MAX_LABELS) {
                v.add(new Violation("$.gold", "must be an array of at most " + MAX_LABELS + " {\"item\",\"gold\"}"));
            } else {
                for (int i = 0; i < g.size() && v.size() < MAX_VIOLATIONS; i++) {
                    JsonNode e = g.get(i);
                    String at = "$.gold[" + i + "]";
                    if (!e.isObject() || e.size() != 2 || !e.has("item") || !e.has("gold")) {
                        v.add(new Violation(at, "must be an object with exactly the members item and gold"));
                        continue;
                    }
                    String item = string(e.get("item"), MAX_ITEM);
                    String cls = string(e.get("gold"), MAX_LABEL);
                    if (item == null) {
                        v.add(new Violation(at + ".item", "must be a non-blank string of at most " + MAX_ITEM + " characters (valid Unicode)"));
                    } else if (cls == null) {
                        v.add(new Violation(at + ".gold", "must be a non-blank string of at most " + MAX_LABEL + " characters (valid Unicode)"));
                    } else if (goldAt.putIfAbsent(item, i) != null) {
                        v.add(new Violation(at + ".item", "item '" + item + "' has gold already at $.gold["
                                + goldAt.get(item) + "]; give each item's gold once"));
                    } else {
                        gold.put(item, cls);
                    }
                }
            }
        }
        if (!v.isEmpty()) {
            throw new Invalid(v, false);
        }
        labels.sort(CANONICAL);
        overlapRules(labels, gold, v);
        if (classes.isEmpty()) {
            Set<String> observed = new HashSet<>();
            labels.forEach(l -> observed.add(l.label()));
            gold.forEach((item, cls) -> {
                if (!observed.contains(cls) && v.size() < MAX_VIOLATIONS) {
                    v.add(new Violation("$.gold", "unknown class '" + cls + "' in the gold for item '" + item
                            + "': gold must be one of the labels given " + new TreeSet<>(observed)
                            + " or of the declared classes"));
                }
            });
        }
        if (!v.isEmpty()) {
            throw new Invalid(v, false);
        }
        return new ConsensusRequest(batchId, skill, taskRef, method, List.copyOf(classes), List.copyOf(labels),
                Collections.unmodifiableMap(gold));
    }

    /**
     * The rules across labels, on labels sorted by item then contractor: no pair twice, every item
     * labelled by two or more contractors, gold only for labelled items.
     */
    private static void overlapRules(List<Label> sorted, Map<String, String> gold, List<Violation> v) {
        Set<String> items = new HashSet<>();
        int run = 0;
        for (int x = 0; x < sorted.size() && v.size() < MAX_VIOLATIONS; x++) {
            Label l = sorted.get(x);
            boolean sameItem = x > 0 && sorted.get(x - 1).item().equals(l.item());
            if (sameItem && sorted.get(x - 1).contractor().equals(l.contractor())) {
                v.add(new Violation("$.labels", "duplicated item/contractor pair: contractor '" + l.contractor()
                        + "' labelled item '" + l.item() + "' more than once; each contractor may label an item once"));
            }
            run = sameItem ? run + 1 : 1;
            boolean lastOfItem = x + 1 == sorted.size() || !sorted.get(x + 1).item().equals(l.item());
            if (lastOfItem && run < 2) {
                v.add(new Violation("$.labels", "item '" + l.item() + "' has one label (from contractor '"
                        + l.contractor() + "'); every item needs labels from two or more distinct contractors"));
            }
            items.add(l.item());
        }
        for (String item : gold.keySet()) {
            if (!items.contains(item) && v.size() < MAX_VIOLATIONS) {
                v.add(new Violation("$.gold", "gold given for item '" + item + "', which has no labels"));
            }
        }
    }

    private static String text(JsonNode body, String name, List<Violation> v, Pattern pattern, int max, String rule) {
        JsonNode n = body.get(name);
        if (n == null) {
            v.add(new Violation("$." + name, "required"));
            return null;
        }
        if (!n.isTextual() || n.textValue().length() > max || !pattern.matcher(n.textValue()).matches()) {
            v.add(new Violation("$." + name, rule));
            return null;
        }
        return n.textValue();
    }

    /** A non-blank string of at most {@code max} characters without unpaired surrogates, or null. */
    private static String string(JsonNode n, int max) {
        if (n == null || !n.isTextual() || n.textValue().isBlank() || n.textValue().length() > max) {
            return null;
        }
        String t = n.textValue();
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < t.length() && Character.isLowSurrogate(t.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return null;
            }
        }
        return t;
    }

    /** The distinct contractors, in first-seen order of the sorted labels. */
    Set<String> contractors() {
        Set<String> seen = new LinkedHashSet<>();
        for (Label l : labels) {
            seen.add(l.contractor());
        }
        return seen;
    }

    /** The batch the estimator runs on. */
    LabelBatch batch() {
        LabelBatch.Builder b = LabelBatch.builder();
        if (!classes.isEmpty()) {
            b.classes(classes);
        }
        for (Label l : labels) {
            b.add(l.item(), l.contractor(), l.label());
        }
        gold.forEach(b::gold);
        return b.build();
    }

    /**
     * The RFC 8785 canonical bytes of the input: the request with the method's default filled in,
     * labels sorted by item then contractor, gold by item, classes sorted, so that the same batch
     * in any order has the same bytes.
     */
    byte[] canonicalBytes() {
        // Written directly rather than through a JsonNode tree: a batch may hold 200,000 labels.
        // Members in RFC 8785 §3.2.3 order (UTF-16 code units), all values strings.
        CanonicalWriter out = new CanonicalWriter(64 + labels.size() * 64);
        out.ascii("{\"batch_id\":").string(batchId);
        if (!classes.isEmpty()) {
            out.ascii(",\"classes\":[");
            for (int i = 0; i < classes.size(); i++) {
                out.ascii(i == 0 ? "" : ",").string(classes.get(i));
            }
            out.ascii("]");
        }
        if (!gold.isEmpty()) {
            out.ascii(",\"gold\":[");
            boolean first = true;
            for (Map.Entry<String, String> g : gold.entrySet()) {
                out.ascii(first ? "{\"gold\":" : ",{\"gold\":").string(g.getValue())
                        .ascii(",\"item\":").string(g.getKey()).ascii("}");
                first = false;
            }
            out.ascii("]");
        }
        out.ascii(",\"labels\":[");
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            out.ascii(i == 0 ? "{\"contractor\":" : ",{\"contractor\":").string(l.contractor())
                    .ascii(",\"item\":").string(l.item())
                    .ascii(",\"label\":").string(l.label()).ascii("}");
        }
        out.ascii("],\"method\":").string(method.code())
                .ascii(",\"skill\":").string(skill)
                .ascii(",\"task_ref\":").string(taskRef)
                .ascii("}");
        return out.toByteArray();
    }

    /** {@code evidence_sha256}: SHA-256 of {@link #canonicalBytes()}, lowercase hex. */
    String evidenceSha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
