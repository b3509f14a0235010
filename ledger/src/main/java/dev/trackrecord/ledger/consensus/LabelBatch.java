package dev.trackrecord.ledger.consensus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated batch of labels, interned to int ids and grouped by item (CSR layout): the
 * labels of item {@code i} are {@code start[i] .. start[i+1]-1}, each with its contractor
 * and class index. Items and contractors are numbered in order of first appearance;
 * classes are sorted (numerically when every class is a number).
 *
 * <p>A batch is valid when it has at least one label, some item has labels from two or
 * more contractors, no contractor labels an item twice, ids are not blank, and every label
 * and gold answer is one of the classes (the declared ones, if declared).
 */
public final class LabelBatch {

    final String[] items;
    final String[] contractors;
    final String[] classes;
    final int[] start;
    final int[] contractorOf;
    final int[] classOf;
    /** Gold class per item, or -1. */
    final int[] gold;
    final int[] labelsPerContractor;
    final int goldCount;

    private LabelBatch(String[] items, String[] contractors, String[] classes, int[] start, int[] contractorOf,
                       int[] classOf, int[] gold) {
        this.items = items;
        this.contractors = contractors;
        this.classes = classes;
        this.start = start;
        this.contractorOf = contractorOf;
        this.classOf = classOf;
        this.gold = gold;
        this.labelsPerContractor = new int[contractors.length];
        for (int c : contractorOf) {
            labelsPerContractor[c]++;
        }
        int g = 0;
        for (int x : gold) {
            if (x >= 0) {
                g++;
            }
        }
        this.goldCount = g;
    }

    /** A batch of these labels, with gold answers (item to class) for some items. */
    public static LabelBatch of(Collection<Label> labels, Map<String, String> gold) {
        Builder b = builder();
        for (Label l : labels) {
            b.add(l.item(), l.contractor(), l.label());
        }
        gold.forEach(b::gold);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int itemCount() {
        return items.length;
    }

    public int contractorCount() {
        return contractors.length;
    }

    public int labelCount() {
        return contractorOf.length;
    }

    public int goldCount() {
        return goldCount;
    }

    /** The classes, in index order. */
    public List<String> classes() {
        return List.of(classes);
    }

    public List<String> items() {
        return List.of(items);
    }

    public List<String> contractors() {
        return List.of(contractors);
    }

    /** Collects labels and gold answers; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Integer> itemIds = new HashMap<>();
        private final Map<String, Integer> contractorIds = new HashMap<>();
        private final Map<String, Integer> labelIds = new LinkedHashMap<>();
        private final List<String> itemNames = new ArrayList<>();
        private final List<String> contractorNames = new ArrayList<>();
        private final List<String> labelNames = new ArrayList<>();
        private final Map<String, String> gold = new LinkedHashMap<>();
        private List<String> declaredClasses;
        private int[] li = new int[1024];
        private int[] lc = new int[1024];
        private int[] ll = new int[1024];
        private int n;

        private Builder() {
        }

        /** Declares the classes; labels and gold outside them are then rejected. */
        public Builder classes(Collection<String> classes) {
            List<String> copy = List.copyOf(classes);
            if (copy.isEmpty()) {
                throw new InvalidBatchException("declared classes must not be empty");
            }
            if (copy.stream().distinct().count() != copy.size()) {
                throw new InvalidBatchException("declared classes must be distinct: " + copy);
            }
            this.declaredClasses = copy;
            return this;
        }

        public Builder add(String item, String contractor, String label) {
            requireId(item, "item");
            requireId(contractor, "contractor");
            requireId(label, "label");
            if (n == li.length) {
                li = Arrays.copyOf(li, n * 2);
                lc = Arrays.copyOf(lc, n * 2);
                ll = Arrays.copyOf(ll, n * 2);
            }
            li[n] = intern(itemIds, itemNames, item);
            lc[n] = intern(contractorIds, contractorNames, contractor);
            ll[n] = intern(labelIds, labelNames, label);
            n++;
            return this;
        }

        /** The true class of this item; the estimators clamp the item to it. */
        public Builder gold(String item, String label) {
            requireId(item, "gold item");
            requireId(label, "gold label");
            String before = gold.putIfAbsent(item, label);
            if (before != null && !before.equals(label)) {
                throw new InvalidBatchException(
                        "conflicting gold for item '" + item + "': '" + before + "' and '" + label + "'");
            }
            return this;
        }

        public LabelBatch build() {
            if (n == 0) {
                throw new InvalidBatchException("the batch is empty: consensus needs labels from two or more contractors");
            }
            String[] classes = classNames();
            Map<String, Integer> classIndex = new HashMap<>();
            for (int k = 0; k < classes.length; k++) {
                classIndex.put(classes[k], k);
            }
            int[] labelToClass = new int[labelNames.size()];
            for (int x = 0; x < labelNames.size(); x++) {
                Integer k = classIndex.get(labelNames.get(x));
                if (k == null) {
                    int at = firstLabelWith(x);
                    throw new InvalidBatchException("unknown class '" + labelNames.get(x) + "' in the label of contractor '"
                            + contractorNames.get(lc[at]) + "' for item '" + itemNames.get(li[at])
                            + "': the classes are " + Arrays.toString(classes));
                }
                labelToClass[x] = k;
            }
            int items = itemNames.size();
            int[] goldOf = new int[items];
            Arrays.fill(goldOf, -1);
            for (Map.Entry<String, String> g : gold.entrySet()) {
                Integer i = itemIds.get(g.getKey());
                if (i == null) {
                    throw new InvalidBatchException("gold given for item '" + g.getKey() + "', which has no labels");
                }
                Integer k = classIndex.get(g.getValue());
                if (k == null) {
                    throw new InvalidBatchException("unknown class '" + g.getValue() + "' in the gold for item '"
                            + g.getKey() + "': the classes are " + Arrays.toString(classes));
                }
                goldOf[i] = k;
            }
            // Counting sort by item, keeping arrival order within an item.
            int[] start = new int[items + 1];
            for (int x = 0; x < n; x++) {
                start[li[x] + 1]++;
            }
            for (int i = 0; i < items; i++) {
                start[i + 1] += start[i];
            }
            int[] fill = Arrays.copyOf(start, items);
            int[] contractorOf = new int[n];
            int[] classOf = new int[n];
            for (int x = 0; x < n; x++) {
                int at = fill[li[x]]++;
                contractorOf[at] = lc[x];
                classOf[at] = labelToClass[ll[x]];
            }
            boolean overlap = false;
            int[] scratch = new int[16];
            for (int i = 0; i < items; i++) {
                int len = start[i + 1] - start[i];
                if (len < 2) {
                    continue;
                }
                overlap = true;
                if (scratch.length < len) {
                    scratch = new int[len * 2];
                }
                System.arraycopy(contractorOf, start[i], scratch, 0, len);
                Arrays.sort(scratch, 0, len);
                for (int x = 1; x < len; x++) {
                    if (scratch[x] == scratch[x - 1]) {
                        throw new InvalidBatchException("duplicate label: contractor '" + contractorNames.get(scratch[x])
                                + "' labelled item '" + itemNames.get(i) + "' more than once; each contractor may label an item once");
                    }
                }
            }
            if (!overlap) {
                throw new InvalidBatchException("no item has labels from two or more contractors (" + items
                        + " items, one label each): consensus needs overlapping labels");
            }
            return new LabelBatch(itemNames.toArray(String[]::new), contractorNames.toArray(String[]::new), classes,
                    start, contractorOf, classOf, goldOf);
        }

        private String[] classNames() {
            if (declaredClasses != null) {
                return declaredClasses.toArray(String[]::new);
            }
            List<String> all = new ArrayList<>(labelNames);
            for (String g : gold.values()) {
                if (!all.contains(g)) {
                    // A gold class no contractor used is still a class; estimators give it a smoothed row.
                    all.add(g);
                }
            }
            boolean numeric = all.stream().allMatch(Builder::isNumber);
            all.sort(numeric ? Comparator.comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder())
                    : Comparator.naturalOrder());
            return all.toArray(String[]::new);
        }

        private int firstLabelWith(int labelId) {
            for (int x = 0; x < n; x++) {
                if (ll[x] == labelId) {
                    return x;
                }
            }
            throw new IllegalStateException();
        }

        private static boolean isNumber(String s) {
            try {
                Double.parseDouble(s);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private static int intern(Map<String, Integer> ids, List<String> names, String name) {
            Integer id = ids.get(name);
            if (id == null) {
                id = names.size();
                ids.put(name, id);
                names.add(name);
            }
            return id;
        }

        private static void requireId(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isBlank()) {
                throw new InvalidBatchException(what + " must not be blank");
            }
        }
    }
}
