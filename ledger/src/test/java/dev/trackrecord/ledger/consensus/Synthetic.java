package dev.trackrecord.ledger.consensus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Synthetic crowds: each contractor answers right with their accuracy and otherwise picks
 * a wrong class uniformly; each item is labelled by {@code perItem} distinct contractors.
 */
record Synthetic(List<Label> labels, Map<String, String> truth, double[] accuracy) {

    static Synthetic generate(int items, double[] accuracy, int perItem, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int m = accuracy.length;
        List<Label> labels = new ArrayList<>(items * perItem);
        Map<String, String> truth = new LinkedHashMap<>();
        int[] chosen = new int[perItem];
        for (int i = 0; i < items; i++) {
            String item = "i" + i;
            int t = random.nextInt(classes);
            truth.put(item, Integer.toString(t));
            for (int x = 0; x < perItem; x++) {
                int c;
                boolean fresh;
                do {
                    c = random.nextInt(m);
                    fresh = true;
                    for (int y = 0; y < x; y++) {
                        fresh &= chosen[y] != c;
                    }
                } while (!fresh);
                chosen[x] = c;
                int answer = t;
                if (random.nextDouble() >= accuracy[c]) {
                    answer = (t + 1 + random.nextInt(classes - 1)) % classes;
                }
                labels.add(new Label(item, "w" + c, Integer.toString(answer)));
            }
        }
        return new Synthetic(labels, truth, accuracy);
    }

    /** Accuracies drawn uniformly from [lo, hi]. */
    static double[] accuracies(int contractors, double lo, double hi, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] a = new double[contractors];
        for (int c = 0; c < contractors; c++) {
            a[c] = lo + (hi - lo) * random.nextDouble();
        }
        return a;
    }
}
