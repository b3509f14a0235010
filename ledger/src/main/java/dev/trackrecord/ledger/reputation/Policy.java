package dev.trackrecord.ledger.reputation;

import dev.trackrecord.ledger.entry.AuditResult;
import dev.trackrecord.ledger.entry.PolicyPublished;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A scoring policy: the parameters of the reputation model, read from a {@code policy.published}
 * entry. A parameter the entry does not set takes its default; parameters this version does not
 * know are ignored. All parameters are integers, as everything in an entry is (basis points for
 * fractions). docs/reputation.md explains each.
 *
 * @param id                  the policy id every score names
 * @param seq                 the seq of the entry that published it, or -1 for the built-in default
 * @param halfLifeDays        half-life of the exponential time decay on {@code occurred_at}
 * @param priorAlphaBp        quality prior alpha, basis points of one pseudo-observation
 * @param priorBetaBp         quality prior beta
 * @param deliveryPriorAlphaBp delivery (task acceptance, lateness) prior alpha
 * @param deliveryPriorBetaBp  delivery prior beta
 * @param qualityWeightBp     share of quality in the blended score; delivery gets the rest
 * @param valueUnitMinor      task value, in minor units, that earns weight 1
 * @param valueWeightCapMinor task value above which the weight stops growing
 * @param valueWeightFloorBp  least weight of a task, even one of value 0
 * @param lateCreditBp        success credited for work accepted but late
 * @param methodGoldBp        weight of a gold audit
 * @param methodReviewBp      weight of a review audit
 * @param methodConsensusBp   weight of a consensus (Dawid-Skene) estimate
 * @param methodModelBp       weight of a model's audit
 * @param bandBp              probability mass inside [lower, upper]
 */
public record Policy(String id, long seq, long halfLifeDays, long priorAlphaBp, long priorBetaBp,
                     long deliveryPriorAlphaBp, long deliveryPriorBetaBp, long qualityWeightBp,
                     long valueUnitMinor, long valueWeightCapMinor, long valueWeightFloorBp, long lateCreditBp,
                     long methodGoldBp, long methodReviewBp, long methodConsensusBp, long methodModelBp,
                     long bandBp) {

    /** The id of the built-in policy a new log publishes as its first entry. */
    public static final String DEFAULT_ID = "trackrecord.default.1";

    /** The defaults, as a parameter map in name order. */
    public static final Map<String, Long> DEFAULT_PARAMS;

    static {
        Map<String, Long> p = new TreeMap<>();
        p.put("half_life_days", 180L);
        p.put("prior_alpha_bp", 20_000L);
        p.put("prior_beta_bp", 10_000L);
        p.put("delivery_prior_alpha_bp", 30_000L);
        p.put("delivery_prior_beta_bp", 10_000L);
        p.put("quality_weight_bp", 7_000L);
        p.put("value_unit_minor", 1_000L);
        p.put("value_weight_cap_minor", 100_000L);
        p.put("value_weight_floor_bp", 500L);
        p.put("late_credit_bp", 5_000L);
        p.put("method_gold_bp", 10_000L);
        p.put("method_review_bp", 10_000L);
        p.put("method_consensus_bp", 7_500L);
        p.put("method_model_bp", 5_000L);
        p.put("band_bp", 9_000L);
        DEFAULT_PARAMS = java.util.Collections.unmodifiableMap(p);
    }

    /** The built-in default, used for a log that has no policy entry yet. */
    public static final Policy DEFAULT = from(-1, DEFAULT_ID, Map.of());

    public Policy {
        Objects.requireNonNull(id, "id");
        requirePositive("half_life_days", halfLifeDays);
        requirePositive("prior_alpha_bp", priorAlphaBp);
        requirePositive("prior_beta_bp", priorBetaBp);
        requirePositive("delivery_prior_alpha_bp", deliveryPriorAlphaBp);
        requirePositive("delivery_prior_beta_bp", deliveryPriorBetaBp);
        requireBp("quality_weight_bp", qualityWeightBp);
        requirePositive("value_unit_minor", valueUnitMinor);
        requirePositive("value_weight_cap_minor", valueWeightCapMinor);
        requireBp("value_weight_floor_bp", valueWeightFloorBp);
        requireBp("late_credit_bp", lateCreditBp);
        requireBp("method_gold_bp", methodGoldBp);
        requireBp("method_review_bp", methodReviewBp);
        requireBp("method_consensus_bp", methodConsensusBp);
        requireBp("method_model_bp", methodModelBp);
        if (bandBp < 1 || bandBp > 9_999) {
            throw new IllegalArgumentException("band_bp must be from 1 to 9999, was " + bandBp);
        }
    }

    /** The policy a {@code policy.published} entry at {@code seq} publishes. */
    public static Policy from(long seq, PolicyPublished body) {
        return from(seq, body.policyId(), body.params());
    }

    /**
     * The policy called {@code id} with {@code params} over the defaults.
     *
     * @throws IllegalArgumentException if a parameter is out of its range; the message names it
     */
    public static Policy from(long seq, String id, Map<String, Long> params) {
        Map<String, Long> p = new TreeMap<>(DEFAULT_PARAMS);
        p.putAll(params);
        return new Policy(id, seq, p.get("half_life_days"), p.get("prior_alpha_bp"), p.get("prior_beta_bp"),
                p.get("delivery_prior_alpha_bp"), p.get("delivery_prior_beta_bp"), p.get("quality_weight_bp"),
                p.get("value_unit_minor"), p.get("value_weight_cap_minor"), p.get("value_weight_floor_bp"),
                p.get("late_credit_bp"), p.get("method_gold_bp"), p.get("method_review_bp"),
                p.get("method_consensus_bp"), p.get("method_model_bp"), p.get("band_bp"));
    }

    /**
     * The submission (ledger append JSON) of the default policy, which the service appends as
     * seq 0 of a new log. Its {@code occurred_at} is fixed, so a resend is an idempotent duplicate.
     */
    public static String defaultPolicyEntry() {
        StringBuilder params = new StringBuilder();
        for (var e : DEFAULT_PARAMS.entrySet()) {
            params.append(params.isEmpty() ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
        }
        return "{\"kind\":\"policy.published\",\"contractor\":\"_system\",\"event_id\":\"policy-" + DEFAULT_ID + "\","
                + "\"body\":{\"occurred_at\":\"2026-01-01T00:00:00Z\",\"policy_id\":\"" + DEFAULT_ID + "\","
                + "\"params\":{" + params + "}}}";
    }

    /** Half-life in milliseconds. */
    double halfLifeMillis() {
        return halfLifeDays * 86_400_000.0;
    }

    /**
     * The weight of a task of {@code valueMinor}: log2(1 + value/unit), the value capped at
     * {@code valueWeightCapMinor}, at least the floor. Doubling a task's value adds a constant, so
     * a hundred trivial tasks weigh less than one substantial task and one huge task cannot
     * dominate either.
     */
    double valueWeight(long valueMinor) {
        double v = Math.min(Math.max(valueMinor, 0), valueWeightCapMinor);
        double w = Math.log1p(v / valueUnitMinor) / Math.log(2);
        return Math.max(w, valueWeightFloorBp / 10_000.0);
    }

    double methodWeight(AuditResult.Method method) {
        long bp = switch (method) {
            case GOLD -> methodGoldBp;
            case REVIEW -> methodReviewBp;
            case CONSENSUS -> methodConsensusBp;
            case MODEL -> methodModelBp;
        };
        return bp / 10_000.0;
    }

    private static void requirePositive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    private static void requireBp(String name, long value) {
        if (value < 0 || value > 10_000) {
            throw new IllegalArgumentException(name + " must be from 0 to 10000 basis points, was " + value);
        }
    }
}
