package dev.trackrecord.ledger.consensus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dawid-Skene written the obvious way, with maps and probabilities instead of logs, for
 * small batches only: the reference that {@link Consensus} is checked against.
 */
final class ReferenceDawidSkene {

    private ReferenceDawidSkene() {
    }

    /** Posteriors per item, class order as in {@code classes}, after exactly {@code iterations} M+E steps. */
    static Map<String, double[]> posteriors(List<Label> labels, Map<String, String> gold, List<String> classes,
                                            Map<String, Prior> priors, double s, int iterations) {
        int k = classes.size();
        Map<String, List<Label>> byItem = new HashMap<>();
        for (Label l : labels) {
            byItem.computeIfAbsent(l.item(), x -> new ArrayList<>()).add(l);
        }
        Map<String, double[]> t = new HashMap<>();
        byItem.forEach((item, ls) -> {
            double[] p = new double[k];
            if (gold.containsKey(item)) {
                p[classes.indexOf(gold.get(item))] = 1;
            } else {
                for (Label l : ls) {
                    p[classes.indexOf(l.label())] += 1.0 / ls.size();
                }
            }
            t.put(item, p);
        });
        for (int it = 0; it < iterations; it++) {
            double[] rho = new double[k];
            for (double[] p : t.values()) {
                for (int j = 0; j < k; j++) {
                    rho[j] += p[j];
                }
            }
            for (int j = 0; j < k; j++) {
                rho[j] = (rho[j] + s) / (t.size() + k * s);
            }
            Map<String, double[][]> pi = new HashMap<>();
            for (Label l : labels) {
                double[][] m = pi.computeIfAbsent(l.contractor(), x -> new double[k][k]);
                double[] p = t.get(l.item());
                for (int j = 0; j < k; j++) {
                    m[j][classes.indexOf(l.label())] += p[j];
                }
            }
            pi.forEach((c, m) -> {
                Prior prior = priors.getOrDefault(c, new Prior(0, 0));
                for (int j = 0; j < k; j++) {
                    double total = 0;
                    for (int l = 0; l < k; l++) {
                        m[j][l] += s + rho[j] * (j == l ? prior.alphaCorrect() : prior.alphaWrong() / (k - 1));
                        total += m[j][l];
                    }
                    for (int l = 0; l < k; l++) {
                        m[j][l] /= total;
                    }
                }
            });
            byItem.forEach((item, ls) -> {
                if (gold.containsKey(item)) {
                    return;
                }
                double[] p = rho.clone();
                for (Label l : ls) {
                    double[][] m = pi.get(l.contractor());
                    for (int j = 0; j < k; j++) {
                        p[j] *= m[j][classes.indexOf(l.label())];
                    }
                }
                double sum = 0;
                for (double v : p) {
                    sum += v;
                }
                for (int j = 0; j < k; j++) {
                    p[j] /= sum;
                }
                t.put(item, p);
            });
        }
        return t;
    }
}
