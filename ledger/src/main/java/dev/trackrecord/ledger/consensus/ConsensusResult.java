package dev.trackrecord.ledger.consensus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an estimator found: the aggregated label of every item with its posterior, and every
 * contractor's estimated accuracy with its credible interval.
 */
public final class ConsensusResult {

    private final Method method;
    private final LabelBatch batch;
    /** Posterior per item and class, item-major. */
    private final double[] posterior;
    private final double[] classPriors;
    private final double[] accuracy;
    private final double[] lower;
    private final double[] upper;
    private final int iterations;
    private final boolean converged;
    private final double logLikelihood;

    ConsensusResult(Method method, LabelBatch batch, double[] posterior, double[] classPriors, double[] accuracy,
                    double[] lower, double[] upper, int iterations, boolean converged, double logLikelihood) {
        this.method = method;
        this.batch = batch;
        this.posterior = posterior;
        this.classPriors = classPriors;
        this.accuracy = accuracy;
        this.lower = lower;
        this.upper = upper;
        this.iterations = iterations;
        this.converged = converged;
        this.logLikelihood = logLikelihood;
    }

    public Method method() {
        return method;
    }

    public List<String> classes() {
        return batch.classes();
    }

    /** The estimated share of each class, in class order. */
    public List<Double> classPriors() {
        List<Double> out = new ArrayList<>(classPriors.length);
        for (double p : classPriors) {
            out.add(p);
        }
        return out;
    }

    /** EM iterations run; 0 for majority vote. */
    public int iterations() {
        return iterations;
    }

    /** Whether EM stopped on the tolerance rather than the iteration cap; true for majority vote. */
    public boolean converged() {
        return converged;
    }

    /** The final log-likelihood of the labels under the model; 0 for majority vote. */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** One estimate per item, in order of the item's first label. */
    public List<ItemEstimate> items() {
        int k = batch.classes.length;
        List<ItemEstimate> out = new ArrayList<>(batch.items.length);
        for (int i = 0; i < batch.items.length; i++) {
            int best = argmax(i, k);
            out.add(new ItemEstimate(batch.items[i], batch.classes[best], posterior[i * k + best],
                    batch.start[i + 1] - batch.start[i], batch.gold[i] >= 0));
        }
        return out;
    }

    /** The posterior over the classes for one item, by index in {@link #items()}. */
    public double[] posterior(int itemIndex) {
        int k = batch.classes.length;
        double[] out = new double[k];
        System.arraycopy(posterior, itemIndex * k, out, 0, k);
        return out;
    }

    /** One estimate per contractor, in order of the contractor's first label. */
    public List<ContractorEstimate> contractors() {
        List<ContractorEstimate> out = new ArrayList<>(batch.contractors.length);
        for (int c = 0; c < batch.contractors.length; c++) {
            out.add(new ContractorEstimate(batch.contractors[c], accuracy[c], lower[c], upper[c],
                    batch.labelsPerContractor[c]));
        }
        return out;
    }

    /**
     * The share of items whose aggregated label equals the truth, over the items in
     * {@code truth} that are in the batch and were not clamped to gold. An item whose top
     * posterior is shared by {@code m} classes, the true one among them, counts {@code 1/m}
     * (the expected value of a random tie-break), so majority-vote ties are not credited to
     * whichever class sorts first.
     */
    public Agreement agreementWith(Map<String, String> truth) {
        int k = batch.classes.length;
        Map<String, Integer> classIndex = new HashMap<>();
        for (int c = 0; c < k; c++) {
            classIndex.put(batch.classes[c], c);
        }
        double correct = 0;
        int n = 0;
        for (int i = 0; i < batch.items.length; i++) {
            String t = truth.get(batch.items[i]);
            if (t == null || batch.gold[i] >= 0) {
                continue;
            }
            n++;
            Integer tc = classIndex.get(t);
            if (tc == null) {
                continue;
            }
            double top = posterior[i * k + argmax(i, k)];
            int ties = 0;
            for (int c = 0; c < k; c++) {
                if (top - posterior[i * k + c] <= 1e-12) {
                    ties++;
                }
            }
            if (top - posterior[i * k + tc] <= 1e-12) {
                correct += 1.0 / ties;
            }
        }
        return new Agreement(n == 0 ? Double.NaN : correct / n, n);
    }

    /** Accuracy against ground truth over {@code items} items. */
    public record Agreement(double accuracy, int items) {
    }

    private int argmax(int i, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (posterior[i * k + c] > posterior[i * k + best]) {
                best = c;
            }
        }
        return best;
    }
}
