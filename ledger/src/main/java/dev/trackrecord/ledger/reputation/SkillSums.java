package dev.trackrecord.ledger.reputation;

import java.util.Arrays;
import java.util.List;

/**
 * One contractor's sums per skill ({@link ContractorState#QA} to {@link ContractorState#DB}), in
 * skill order. A contractor works in a handful of skills, and every scored entry looks up each of
 * its skills here: a short sorted array scanned for an equal code finds it with fewer and closer
 * memory reads than a tree. Skills are only ever added.
 *
 * <p>Not thread-safe, like the state that holds it.
 */
final class SkillSums {
    private static final String[] NO_CODES = {};
    private static final double[][] NO_SUMS = {};
    /** Beyond this many skills, a lookup searches by halves instead of scanning. */
    private static final int SCAN = 8;

    private static final boolean[] NONE_CHANGED = {};

    private String[] codes = NO_CODES;
    private double[][] sums = NO_SUMS;
    /** Whether each skill's sums changed since {@link #clearChanged}: what re-ranking has to redo. */
    private boolean[] changed = NONE_CHANGED;
    private int size;

    int size() {
        return size;
    }

    /** The {@code i}th skill in order. */
    String code(int i) {
        return codes[i];
    }

    /** The sums of the {@code i}th skill in order. */
    double[] sums(int i) {
        return sums[i];
    }

    /** The skills in order. */
    List<String> codes() {
        return Arrays.asList(Arrays.copyOf(codes, size));
    }

    boolean contains(String skill) {
        return indexOf(skill) >= 0;
    }

    /** The sums of {@code skill}, or null when it has none. */
    double[] get(String skill) {
        int i = indexOf(skill);
        return i >= 0 ? sums[i] : null;
    }

    /** The sums of {@code skill} for the caller to change, added as zeros when it has none; marked changed. */
    double[] getOrAdd(String skill) {
        int i = indexOf(skill);
        if (i >= 0) {
            changed[i] = true;
            return sums[i];
        }
        double[] added = new double[4];
        insert(skill, added);
        return added;
    }

    /** Gives {@code skill} these sums, which the caller hands over; marked changed. */
    void put(String skill, double[] skillSums) {
        int i = indexOf(skill);
        if (i >= 0) {
            sums[i] = skillSums;
            changed[i] = true;
        } else {
            insert(skill, skillSums);
        }
    }

    /** Whether the {@code i}th skill's sums changed (or it was added) since {@link #clearChanged}. */
    boolean changed(int i) {
        return changed[i];
    }

    /** Marks every skill's sums changed, as when they are all scaled. */
    void markAllChanged() {
        Arrays.fill(changed, 0, size, true);
    }

    void clearChanged() {
        Arrays.fill(changed, 0, size, false);
    }

    /** Marks the {@code i}th skill's sums as re-ranked. */
    void clearChanged(int i) {
        changed[i] = false;
    }

    /** Whether any skill's sums changed since they were last marked re-ranked. */
    boolean anyChanged() {
        for (int i = 0; i < size; i++) {
            if (changed[i]) {
                return true;
            }
        }
        return false;
    }

    /** The position of {@code skill} in order, or -1 when it has no sums. */
    int indexOf(String skill) {
        if (size <= SCAN) {
            for (int i = 0; i < size; i++) {
                if (codes[i].equals(skill)) {
                    return i;
                }
            }
            return -1;
        }
        int i = Arrays.binarySearch(codes, 0, size, skill);
        return i >= 0 ? i : -1;
    }

    private void insert(String skill, double[] skillSums) {
        int at = -Arrays.binarySearch(codes, 0, size, skill) - 1;
        if (size == codes.length) {
            int capacity = Math.max(4, 2 * size);
            codes = Arrays.copyOf(codes, capacity);
            sums = Arrays.copyOf(sums, capacity);
            changed = Arrays.copyOf(changed, capacity);
        }
        System.arraycopy(codes, at, codes, at + 1, size - at);
        System.arraycopy(sums, at, sums, at + 1, size - at);
        System.arraycopy(changed, at, changed, at + 1, size - at);
        codes[at] = skill;
        sums[at] = skillSums;
        changed[at] = true;
        size++;
    }
}
