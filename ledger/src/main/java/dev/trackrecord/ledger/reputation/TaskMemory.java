package dev.trackrecord.ledger.reputation;

import java.util.Arrays;
import java.util.List;

/**
 * A contractor's most recent tasks by id, at most {@code capacity}, in the order they were first
 * put, each with its value weight and skills, for the audits that follow it. Adding a task when
 * full forgets the oldest; replacing one keeps its place. What a {@code LinkedHashMap} bounded by
 * {@code removeEldestEntry} does, kept in parallel arrays (a ring in put order, and an
 * open-addressing index by id with linear probing) so that a put allocates nothing once the
 * arrays have grown: it runs for every task outcome the index applies.
 *
 * <p>A task is named by its slot, valid until the next {@link #add}. Not thread-safe.
 */
final class TaskMemory {
    private static final String[] NO_IDS = {};
    private static final double[] NO_WEIGHTS = {};
    private static final Object[] NO_SKILLS = {};
    private static final int[] NO_INDEX = {};

    private final int capacity;
    private String[] ids = NO_IDS;
    private double[] weights = NO_WEIGHTS;
    private Object[] skills = NO_SKILLS;
    /** The slot of the oldest task; the others follow it round the ring. */
    private int head;
    private int size;
    /** Slot + 1 of the task whose id hashes there or after, 0 where empty; twice the ring's length. */
    private int[] index = NO_INDEX;

    /** Requires capacity >= 1. */
    TaskMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    int size() {
        return size;
    }

    boolean full() {
        return size == capacity;
    }

    /** The slot of the task with id {@code taskId}, or -1 if none. */
    int find(String taskId) {
        if (size == 0) {
            return -1;
        }
        return index[position(taskId)] - 1;
    }

    /** The slot of the {@code i}-th oldest task. Requires 0 <= i < size(). */
    int slotAt(int i) {
        return (head + i) % ids.length;
    }

    /** The slot of the oldest task, which the next {@link #add} forgets when {@link #full}. Requires size() > 0. */
    int oldest() {
        return head;
    }

    String id(int slot) {
        return ids[slot];
    }

    double weight(int slot) {
        return weights[slot];
    }

    @SuppressWarnings("unchecked")
    List<String> skills(int slot) {
        return (List<String>) skills[slot];
    }

    /** Gives the task in {@code slot} a new weight and skills; it keeps its place. */
    void replace(int slot, double weight, List<String> taskSkills) {
        weights[slot] = weight;
        skills[slot] = taskSkills;
    }

    /**
     * Adds a task after the others, forgetting the oldest first when {@link #full}. Requires that
     * no task has id {@code taskId} ({@link #find}).
     */
    void add(String taskId, double weight, List<String> taskSkills) {
        if (size == capacity) {
            removeAt(position(ids[head]));
            ids[head] = null;
            skills[head] = null;
            head = (head + 1) % ids.length;
            size--;
        } else if (size == ids.length) {
            grow(Math.max(4, 2 * ids.length));
        }
        int slot = (head + size) % ids.length;
        ids[slot] = taskId;
        weights[slot] = weight;
        skills[slot] = taskSkills;
        size++;
        index[position(taskId)] = slot + 1;
    }

    /** Makes room for {@code tasks} tasks at most the capacity, so that adding that many grows the arrays once. */
    void reserve(int tasks) {
        if (tasks > ids.length && ids.length < capacity) {
            grow(tasks);
        }
    }

    private void grow(int minLength) {
        int length = Math.min(capacity, minLength);
        String[] newIds = new String[length];
        double[] newWeights = new double[length];
        Object[] newSkills = new Object[length];
        for (int i = 0; i < size; i++) {
            int slot = slotAt(i);
            newIds[i] = ids[slot];
            newWeights[i] = weights[slot];
            newSkills[i] = skills[slot];
        }
        ids = newIds;
        weights = newWeights;
        skills = newSkills;
        head = 0;
        index = new int[Integer.highestOneBit(Math.max(1, length - 1)) << 2];
        for (int slot = 0; slot < size; slot++) {
            index[position(ids[slot])] = slot + 1;
        }
    }

    /** The index position holding {@code taskId}, or the empty one where it would go. */
    private int position(String taskId) {
        int mask = index.length - 1;
        for (int i = home(taskId, mask); ; i = (i + 1) & mask) {
            int e = index[i];
            if (e == 0 || ids[e - 1].equals(taskId)) {
                return i;
            }
        }
    }

    /**
     * Where {@code taskId} hashes in an index of {@code mask + 1} positions: the top bits of its
     * hash times 2^32 / φ (Fibonacci hashing), since ids that differ in their last characters
     * have nearby hashes, which linear probing would pile up in one long run.
     */
    private static int home(String taskId, int mask) {
        return taskId.hashCode() * 0x9E3779B9 >>> Integer.numberOfLeadingZeros(mask);
    }

    /** Empties index position {@code p}, moving back the entries after it that probed past it. */
    private void removeAt(int p) {
        int mask = index.length - 1;
        int gap = p;
        for (int i = (p + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
            // The entry at i may fill the gap unless its home lies after the gap, up to i.
            if (((i - home(ids[index[i] - 1], mask)) & mask) >= ((i - gap) & mask)) {
                index[gap] = index[i];
                gap = i;
            }
        }
        index[gap] = 0;
    }

    @Override
    public String toString() {
        String[] inOrder = new String[size];
        for (int i = 0; i < size; i++) {
            inOrder[i] = ids[slotAt(i)];
        }
        return "TaskMemory" + Arrays.toString(inOrder);
    }
}
