package dev.trackrecord.ledger.consensus;

import dev.trackrecord.ledger.stats.Beta;

import java.util.Arrays;

/**
 * The estimators: Dawid-Skene EM (full confusion matrices), one-coin Dawid-Skene, and
 * majority vote. The model and its formulas are in {@code docs/consensus.md}.
 *
 * <p>EM runs in log space on flat primitive arrays: per iteration one pass over the labels
 * in item order for the M-step counts and one for the E-step, O(labels × classes) each.
 * Gold items are clamped to their answer in the initial posterior and in every E-step.
 */
public final class Consensus {

    private Consensus() {
    }

    /** Estimates item labels and contractor accuracies for this batch. */
    public static ConsensusResult estimate(LabelBatch batch, ConsensusOptions options) {
        return switch (options.method()) {
            case MAJORITY_VOTE -> majorityVote(batch, options);
            case DAWID_SKENE, ONE_COIN -> new Em(batch, options).run();
        };
    }

    /** Dawid-Skene with default options and no history priors. */
    public static ConsensusResult dawidSkene(LabelBatch batch) {
        return estimate(batch, ConsensusOptions.dawidSkene());
    }

    private static ConsensusResult majorityVote(LabelBatch batch, ConsensusOptions options) {
        int k = batch.classes.length;
        double[] t = softMajority(batch);
        int m = batch.contractors.length;
        double[] agree = new double[m];
        for (int i = 0; i < batch.items.length; i++) {
            for (int x = batch.start[i]; x < batch.start[i + 1]; x++) {
                agree[batch.contractorOf[x]] += t[i * k + batch.classOf[x]];
            }
        }
        double[] acc = new double[m];
        double[] lo = new double[m];
        double[] hi = new double[m];
        for (int c = 0; c < m; c++) {
            int n = batch.labelsPerContractor[c];
            acc[c] = agree[c] / n;
            interval(acc[c], n, options.credibleMass(), lo, hi, c);
        }
        return new ConsensusResult(Method.MAJORITY_VOTE, batch, t, classShares(t, batch.items.length, k, 0),
                acc, lo, hi, 0, true, 0);
    }

    /** Vote shares per item (gold items one-hot): the majority-vote posterior and EM's start. */
    static double[] softMajority(LabelBatch batch) {
        int k = batch.classes.length;
        double[] t = new double[batch.items.length * k];
        for (int i = 0; i < batch.items.length; i++) {
            int from = batch.start[i];
            int to = batch.start[i + 1];
            if (batch.gold[i] >= 0) {
                t[i * k + batch.gold[i]] = 1;
                continue;
            }
            double w = 1.0 / (to - from);
            for (int x = from; x < to; x++) {
                t[i * k + batch.classOf[x]] += w;
            }
        }
        return t;
    }

    static double[] classShares(double[] t, int items, int k, double smoothing) {
        double[] rho = new double[k];
        for (int i = 0; i < items; i++) {
            for (int c = 0; c < k; c++) {
                rho[c] += t[i * k + c];
            }
        }
        double total = items + k * smoothing;
        for (int c = 0; c < k; c++) {
            rho[c] = (rho[c] + smoothing) / total;
        }
        return rho;
    }

    /**
     * The central credible interval of Beta(1 + a·n, 1 + (1 − a)·n): the posterior of an
     * accuracy under a uniform prior after n labels of which a·n were right. Its mode is a.
     */
    static void interval(double accuracy, double n, double mass, double[] lo, double[] hi, int c) {
        double a = 1 + accuracy * n;
        double b = 1 + (1 - accuracy) * n;
        double tail = (1 - mass) / 2;
        lo[c] = Beta.quantile(tail, a, b);
        hi[c] = Beta.quantile(1 - tail, a, b);
    }

    /** One run of EM; holds the working arrays. */
    private static final class Em {
        private final LabelBatch batch;
        private final ConsensusOptions options;
        private final boolean oneCoin;
        private final int n;
        private final int m;
        private final int k;
        private final int kk;
        private final double s;
        /** Posterior per item and class. */
        private final double[] t;
        /** log π[c][true][observed], flat: c*k*k + true*k + observed. */
        private final double[] logPi;
        private final double[] counts;
        private final double[] logRho;
        private double[] rho;
        private final double[] priorCorrect;
        private final double[] priorWrong;

        Em(LabelBatch batch, ConsensusOptions options) {
            this.batch = batch;
            this.options = options;
            this.oneCoin = options.method() == Method.ONE_COIN;
            this.n = batch.items.length;
            this.m = batch.contractors.length;
            this.k = batch.classes.length;
            this.kk = k * k;
            this.s = options.smoothing();
            this.t = softMajority(batch);
            this.logPi = new double[m * kk];
            this.counts = new double[oneCoin ? m : m * kk];
            this.logRho = new double[k];
            this.priorCorrect = new double[m];
            this.priorWrong = new double[m];
            for (int c = 0; c < m; c++) {
                Prior p = options.priors().get(batch.contractors[c]);
                if (p != null) {
                    priorCorrect[c] = p.alphaCorrect();
                    priorWrong[c] = p.alphaWrong();
                }
            }
        }

        ConsensusResult run() {
            double previous = Double.NaN;
            double ll = 0;
            int iterations = 0;
            boolean converged = false;
            while (iterations < options.maxIterations()) {
                mStep();
                ll = eStep();
                iterations++;
                if (iterations > 1 && Math.abs(ll - previous) <= options.tolerance() * Math.abs(ll)) {
                    converged = true;
                    break;
                }
                previous = ll;
            }
            // Parameters consistent with the final posteriors.
            mStep();
            double[] accuracy = new double[m];
            double[] lower = new double[m];
            double[] upper = new double[m];
            for (int c = 0; c < m; c++) {
                double a = 0;
                for (int j = 0; j < k; j++) {
                    a += rho[j] * Math.exp(logPi[c * kk + j * k + j]);
                }
                accuracy[c] = a;
                double effective = batch.labelsPerContractor[c] + priorCorrect[c] + priorWrong[c];
                interval(a, effective, options.credibleMass(), lower, upper, c);
            }
            return new ConsensusResult(options.method(), batch, t, rho.clone(), accuracy, lower, upper, iterations,
                    converged, ll);
        }

        private void mStep() {
            rho = classShares(t, n, k, s);
            for (int j = 0; j < k; j++) {
                logRho[j] = Math.log(rho[j]);
            }
            Arrays.fill(counts, 0);
            int[] start = batch.start;
            int[] contractorOf = batch.contractorOf;
            int[] classOf = batch.classOf;
            if (oneCoin) {
                for (int i = 0; i < n; i++) {
                    int row = i * k;
                    for (int x = start[i]; x < start[i + 1]; x++) {
                        counts[contractorOf[x]] += t[row + classOf[x]];
                    }
                }
                for (int c = 0; c < m; c++) {
                    double p = (counts[c] + s + priorCorrect[c])
                            / (batch.labelsPerContractor[c] + k * s + priorCorrect[c] + priorWrong[c]);
                    double logRight = Math.log(p);
                    double logWrong = k > 1 ? Math.log((1 - p) / (k - 1)) : 0;
                    int base = c * kk;
                    for (int j = 0; j < k; j++) {
                        for (int l = 0; l < k; l++) {
                            logPi[base + j * k + l] = j == l ? logRight : logWrong;
                        }
                    }
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                int row = i * k;
                for (int x = start[i]; x < start[i + 1]; x++) {
                    int cell = contractorOf[x] * kk + classOf[x];
                    for (int j = 0; j < k; j++) {
                        counts[cell + j * k] += t[row + j];
                    }
                }
            }
            for (int c = 0; c < m; c++) {
                for (int j = 0; j < k; j++) {
                    // The history prior is worth alphaCorrect + alphaWrong labels in all; row j gets
                    // the share rho_j of them, as many as class j would have had in that history.
                    double onDiagonal = s + rho[j] * priorCorrect[c];
                    double offDiagonal = s + (k > 1 ? rho[j] * priorWrong[c] / (k - 1) : 0);
                    int base = c * kk + j * k;
                    double total = onDiagonal + (k - 1) * offDiagonal;
                    for (int l = 0; l < k; l++) {
                        total += counts[base + l];
                    }
                    double logTotal = Math.log(total);
                    for (int l = 0; l < k; l++) {
                        logPi[base + l] = Math.log(counts[base + l] + (j == l ? onDiagonal : offDiagonal)) - logTotal;
                    }
                }
            }
        }

        /** Recomputes the posteriors; returns the log-likelihood of the labels (and of gold where clamped). */
        private double eStep() {
            int[] start = batch.start;
            int[] contractorOf = batch.contractorOf;
            int[] classOf = batch.classOf;
            int[] gold = batch.gold;
            double[] score = new double[k];
            double ll = 0;
            for (int i = 0; i < n; i++) {
                System.arraycopy(logRho, 0, score, 0, k);
                for (int x = start[i]; x < start[i + 1]; x++) {
                    int cell = contractorOf[x] * kk + classOf[x];
                    for (int j = 0; j < k; j++) {
                        score[j] += logPi[cell + j * k];
                    }
                }
                int row = i * k;
                int g = gold[i];
                if (g >= 0) {
                    ll += score[g];
                    continue; // t stays one-hot on the gold class
                }
                double max = score[0];
                for (int j = 1; j < k; j++) {
                    max = Math.max(max, score[j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    double e = Math.exp(score[j] - max);
                    t[row + j] = e;
                    sum += e;
                }
                for (int j = 0; j < k; j++) {
                    t[row + j] /= sum;
                }
                ll += max + Math.log(sum);
            }
            return ll;
        }
    }
}
