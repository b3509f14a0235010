package dev.trackrecord.tools.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one benchmark run measured, for {@link Report}. Row keys are in {@link Report}. */
public final class Results {
    String command = "";
    String machine = "";
    String started = "";
    String finished = "";
    String loadBefore = "";
    String loadAfter = "";
    String generator = "";
    String postgres = "";
    String dataDisk = "";
    String postgresDisk = "";
    final Map<String, Figure> trackrecord = new LinkedHashMap<>();
    final Map<String, Figure> postgresFigures = new LinkedHashMap<>();
    final Map<String, Figure> limits = new LinkedHashMap<>();
    /** The reputation index in process ({@link ReputationBench}), by row key. */
    final Map<String, Figure> reputation = new LinkedHashMap<>();
    int reputationContractors;
    long reputationEntries;
    String reputationLoadBefore = "";
    String reputationLoadAfter = "";
    final List<LedgerBench.SizeFigures> sizes = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    int scoringRounds;
    /** 1 - with / without scoring, per round. */
    List<Double> scoringCosts = List.of();
    /** The follower thread's share of the process's CPU in the scored rounds (median); NaN when not measured. */
    double followerShare = Double.NaN;
    /** Scoring alone on one thread, per entry; null when not measured. */
    ScoringCost.Alone scoringAlone;
    /**
     * Microseconds of the service's CPU per REST single-entry append, by thread group
     * ({@link ThreadCpu}), with the process's total under {@link ThreadCpu#TOTAL}; empty when not read.
     */
    Map<String, Double> appendCpu = Map.of();
    /** Score lookup / plain endpoint throughput, per alternating round. */
    List<Double> lookupShares = List.of();
    double entryBytes;
    int restSeconds;
    int marketContractors;
    long marketEntries;
    long appendEntries;

    Figure tr(String key) {
        return trackrecord.getOrDefault(key, Figure.notMeasured("not run"));
    }

    Figure pg(String key) {
        return postgresFigures.getOrDefault(key, Figure.notMeasured("not run"));
    }

    Figure rep(String key) {
        return reputation.getOrDefault(key, Figure.notMeasured("not run"));
    }

    Figure limit(String key) {
        return limits.getOrDefault(key, Figure.notMeasured("not run"));
    }
}
