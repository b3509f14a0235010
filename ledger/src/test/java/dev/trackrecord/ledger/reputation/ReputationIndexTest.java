package dev.trackrecord.ledger.reputation;

import static dev.trackrecord.ledger.reputation.TestLog.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trackrecord.ledger.entry.ContractorStatus;
import dev.trackrecord.ledger.entry.Entry;
import dev.trackrecord.ledger.entry.EntryKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReputationIndexTest {
    private static final Duration HALF_LIFE = Duration.ofDays(Policy.DEFAULT.halfLifeDays());
    private static final double PRIOR_MEAN = 0.7 * 2 / 3 + 0.3 * 0.75;

    private TestLog log;

    @BeforeEach
    void newLog() {
        log = new TestLog();
        log.defaultPolicy();
    }

    private ReputationIndex index() {
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        index.catchUp();
        return index;
    }

    private Reputation lookup(ReputationIndex index, String id) {
        return index.lookup(id).orElseThrow();
    }

    private void passes(String contractor, int n, int scoreBp, String skill) {
        for (int i = 0; i < n; i++) {
            log.audit(contractor, NOW.minusSeconds(3600L * (i + 1)), "gold", scoreBp, "t-" + contractor + i, skill);
        }
    }

    @Test
    void lookup_contractorWithoutEvidence_scoresThePriorWithAWideBand() {
        log.credential("c-new", "cr-1", "med", NOW.minus(Duration.ofDays(1)), null);
        Reputation r = lookup(index(), "c-new");
        assertThat(r.overall().score()).isCloseTo(PRIOR_MEAN, within(1e-12));
        assertThat(r.overall().nEff()).isZero();
        assertThat(r.overall().lower()).isLessThan(0.55);
        assertThat(r.overall().upper()).isGreaterThan(0.8);
        assertThat(r.policyId()).isEqualTo(Policy.DEFAULT_ID);
        assertThat(r.skills()).isEmpty();
    }

    @Test
    void lookup_unknownContractor_isEmpty() {
        assertThat(index().lookup("c-nobody")).isEmpty();
        assertThat(index().lookupJson("c-nobody")).isEmpty();
    }

    @Test
    void lookup_followsTheLogSize_whenOnlyAnotherContractorsEntryCame() {
        passes("c-a", 2, 9_000, "ner");
        ReputationIndex index = index();
        Reputation first = lookup(index, "c-a");
        assertThat(lookup(index, "c-a")).isEqualTo(first);

        passes("c-b", 1, 1_000, "ner");
        index.catchUp();
        Reputation later = lookup(index, "c-a");
        assertThat(later.asOfSeq()).isEqualTo(first.asOfSeq() + 1);
        assertThat(later.overall()).isEqualTo(first.overall());

        passes("c-a", 1, 0, "ner");
        index.catchUp();
        assertThat(lookup(index, "c-a").overall().score()).isLessThan(first.overall().score());
    }

    @Test
    void lookupJson_isTheLookupsDocumentAfterEveryKindOfChange() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        passes("c-a", 3, 9_000, "ner");
        passes("c-b", 2, 4_000, "pos");
        ReputationIndex index = index();
        assertThat(new String(index.lookupJson("c-a").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(json.writeValueAsString(ReputationJson.of(lookup(index, "c-a"), true)));
        byte[] before = index.lookupJson("c-a").orElseThrow();

        // Another contractor's entry moves only as_of.seq of c-a's document.
        passes("c-b", 1, 10_000, "pos");
        index.catchUp();
        var moved = json.readTree(index.lookupJson("c-a").orElseThrow());
        assertThat(json.writeValueAsString(moved))
                .isEqualTo(json.writeValueAsString(ReputationJson.of(lookup(index, "c-a"), true)));
        assertThat(moved.path("as_of").path("seq").asLong())
                .isEqualTo(json.readTree(before).path("as_of").path("seq").asLong() + 1);
        assertThat(moved.path("overall")).isEqualTo(json.readTree(before).path("overall"));

        // Their own entry changes the score too.
        passes("c-a", 1, 0, "ner");
        index.catchUp();
        var changed = json.readTree(index.lookupJson("c-a").orElseThrow());
        assertThat(json.writeValueAsString(changed))
                .isEqualTo(json.writeValueAsString(ReputationJson.of(lookup(index, "c-a"), true)));
        assertThat(changed.path("overall").path("score").asDouble())
                .isLessThan(json.readTree(before).path("overall").path("score").asDouble());
    }

    @Test
    void decay_halvesAnObservationsWeightEveryHalfLife() {
        log.audit("c-now", NOW, "gold", 0, "t-1");
        log.audit("c-one", NOW.minus(HALF_LIFE), "gold", 0, "t-1");
        log.audit("c-two", NOW.minus(HALF_LIFE).minus(HALF_LIFE), "gold", 0, "t-1");
        ReputationIndex index = index();
        assertThat(lookup(index, "c-now").overall().nEff()).isCloseTo(1, within(1e-12));
        assertThat(lookup(index, "c-one").overall().nEff()).isCloseTo(0.5, within(1e-12));
        assertThat(lookup(index, "c-two").overall().nEff()).isCloseTo(0.25, within(1e-12));
        // An old failure hurts less: the score returns towards the prior.
        assertThat(lookup(index, "c-two").overall().score()).isGreaterThan(lookup(index, "c-now").overall().score());
    }

    @Test
    void prior_fewObservationsStayNearItAndKeepAWideBand() {
        passes("c-one", 1, 10_000, "ner");
        passes("c-many", 60, 10_000, "ner");
        ReputationIndex index = index();
        Score one = lookup(index, "c-one").skills().get("ner");
        Score many = lookup(index, "c-many").skills().get("ner");
        assertThat(one.score()).isGreaterThan(PRIOR_MEAN).isLessThan(many.score());
        assertThat(one.upper() - one.lower()).isGreaterThan(many.upper() - many.lower());
        assertThat(one.lower()).isLessThan(many.lower());
    }

    @Test
    void prior_comesFromThePolicy() {
        log.policy("pessimist", "\"prior_alpha_bp\":10000,\"prior_beta_bp\":90000");
        log.credential("c-new", "cr-1", "med", NOW.minus(Duration.ofDays(1)), null);
        Reputation r = lookup(index(), "c-new");
        assertThat(r.policyId()).isEqualTo("pessimist");
        assertThat(r.overall().score()).isCloseTo(0.7 * 0.1 + 0.3 * 0.75, within(1e-12));
    }

    @Test
    void valueWeighting_manyTrivialTasksWeighLessThanOneHardTask() {
        for (int i = 0; i < 100; i++) {
            log.task("c-trivial", NOW, "t-" + i, "accepted", false, 10, "ner");
        }
        log.task("c-hard", NOW, "t-hard", "accepted", false, 100_000, "ner");
        for (int i = 0; i < 100; i++) {
            log.task("c-mixed", NOW, "t-" + i, "accepted", false, 10, "ner");
        }
        log.task("c-mixed", NOW, "t-hard", "abandoned", false, 100_000, "ner");
        ReputationIndex index = index();
        assertThat(lookup(index, "c-trivial").overall().nEff()).isLessThan(lookup(index, "c-hard").overall().nEff());
        // One abandoned hard task outweighs a hundred trivial successes.
        assertThat(lookup(index, "c-mixed").overall().score()).isLessThan(PRIOR_MEAN);
    }

    @Test
    void valueWeighting_anAuditWeighsAsMuchAsItsTask() {
        log.task("c-a", NOW, "t-big", "accepted", false, 100_000, "ner");
        log.audit("c-a", NOW, "gold", 0, "t-big");
        log.task("c-b", NOW, "t-small", "accepted", false, 100, "ner");
        log.audit("c-b", NOW, "gold", 0, "t-small");
        ReputationIndex index = index();
        // the audit inherits the task's skills and value weight
        assertThat(lookup(index, "c-a").skills().get("ner").score())
                .isLessThan(lookup(index, "c-b").skills().get("ner").score());
    }

    @Test
    void audit_ofATaskLongForgotten_countsOnlyOverallWithWeightOne() {
        for (int i = 0; i <= ContractorState.REMEMBERED_TASKS; i++) {
            log.task("c-busy", NOW, "t-" + i, "accepted", false, 100_000, "s-" + i);
        }
        log.audit("c-busy", NOW, "gold", 0, "t-0");
        log.audit("c-busy", NOW, "gold", 0, "t-" + ContractorState.REMEMBERED_TASKS);
        Reputation r = lookup(index(), "c-busy");
        assertThat(r.skills().get("s-0").nEff()).isCloseTo(Policy.DEFAULT.valueWeight(100_000), within(1e-9));
        String last = "s-" + ContractorState.REMEMBERED_TASKS;
        assertThat(r.skills().get(last).nEff()).isCloseTo(2 * Policy.DEFAULT.valueWeight(100_000), within(1e-9));
    }

    @Test
    void lateness_earnsPartialCredit() {
        log.task("c-ontime", NOW, "t-1", "accepted", false, 5_000, "ner");
        log.task("c-late", NOW, "t-1", "accepted", true, 5_000, "ner");
        log.task("c-expired", NOW, "t-1", "expired", false, 5_000, "ner");
        ReputationIndex index = index();
        double onTime = lookup(index, "c-ontime").overall().score();
        double late = lookup(index, "c-late").overall().score();
        double expired = lookup(index, "c-expired").overall().score();
        assertThat(late).isLessThan(onTime).isGreaterThan(expired);
    }

    @Test
    void dispute_upheld_voidsItsTargetAndRejected_keepsIt() {
        passes("c-d", 5, 10_000, "ner");
        long fail = log.audit("c-d", NOW.minusSeconds(60), "gold", 0, "t-fail", "ner");
        passes("c-ref", 5, 10_000, "ner");
        passes("c-kept", 5, 10_000, "ner");
        long keptFail = log.audit("c-kept", NOW.minusSeconds(60), "gold", 0, "t-fail", "ner");
        ReputationIndex index = index();
        double before = lookup(index, "c-d").overall().score();

        long resolved = log.dispute("c-d", fail, "upheld");
        log.dispute("c-kept", keptFail, "rejected");
        index.catchUp();

        Reputation d = lookup(index, "c-d");
        assertThat(d.overall().score()).isGreaterThan(before)
                .isCloseTo(lookup(index, "c-ref").overall().score(), within(1e-12));
        assertThat(d.skills().get("ner")).isEqualTo(lookup(index, "c-ref").skills().get("ner"));
        assertThat(lookup(index, "c-kept").overall().score()).isCloseTo(before, within(1e-12));
        assertThat(index.explain("c-d").orElseThrow().explanation())
                .anySatisfy(e -> {
                    assertThat(e.seq()).isEqualTo(fail);
                    assertThat(e.voidedBy()).isEqualTo(resolved);
                    assertThat(e.effect()).isZero();
                });
        // Before the resolution, the failure still counted.
        assertThat(index.asOfSeq("c-d", resolved - 1, false).orElseThrow().overall().score())
                .isLessThan(d.overall().score());
    }

    @Test
    void suspension_flagsAndExcludesFromTopUntilReactivated() {
        passes("c-star", 40, 10_000, "ner");
        passes("c-ok", 40, 8_000, "ner");
        ReputationIndex index = index();
        assertThat(names(index.top(TopQuery.of("ner", 10)))).containsExactly("c-star", "c-ok");

        log.status("c-star", "suspended");
        index.catchUp();
        assertThat(names(index.top(TopQuery.of("ner", 10)))).containsExactly("c-ok");
        Reputation star = lookup(index, "c-star");
        assertThat(star.status()).isEqualTo(ContractorStatus.Status.SUSPENDED);
        assertThat(star.routable()).isFalse();

        log.status("c-star", "active");
        index.catchUp();
        assertThat(names(index.top(TopQuery.of("ner", 10)))).containsExactly("c-star", "c-ok");

        log.status("c-star", "offboarded");
        index.catchUp();
        assertThat(names(index.top(TopQuery.of("ner", 10)))).containsExactly("c-ok");
    }

    @Test
    void credentials_countOnlyWhileValidAndNotRevoked() {
        passes("c-cred", 10, 9_000, "ner");
        Instant past = NOW.minus(Duration.ofDays(30));
        log.ts = NOW.minus(Duration.ofDays(5));
        log.credential("c-cred", "cr-valid", "med", past, NOW.plus(Duration.ofDays(30)));
        log.credential("c-cred", "cr-open", "open", past, null);
        log.credential("c-cred", "cr-expired", "legal", past, NOW.minus(Duration.ofDays(1)));
        log.credential("c-cred", "cr-future", "fin", NOW.plus(Duration.ofDays(1)), null);
        log.credential("c-cred", "cr-revoked", "tax", past, null);
        long revoked = log.revoke("c-cred", "cr-revoked", NOW.minus(Duration.ofDays(2)));
        ReputationIndex index = index();
        assertThat(lookup(index, "c-cred").credentials()).extracting(Reputation.Credential::credentialId)
                .containsExactly("cr-valid", "cr-open");
        assertThat(names(index.top(withCredential("med")))).containsExactly("c-cred");
        assertThat(index.top(withCredential("legal"))).isEmpty();
        assertThat(index.top(withCredential("fin"))).isEmpty();
        assertThat(index.top(withCredential("tax"))).isEmpty();
        // Five days ago, before the revocation and the expiry, four were valid.
        assertThat(index.asOfSeq("c-cred", revoked - 1, false).orElseThrow().credentials())
                .extracting(Reputation.Credential::credentialId)
                .containsExactly("cr-valid", "cr-open", "cr-expired", "cr-revoked");
    }

    private static TopQuery withCredential(String type) {
        return new TopQuery("ner", 10, 0, 0, Optional.of(type), TopQuery.RankBy.LOWER);
    }

    @Test
    void policyChange_appliesFromItsSeqAndScoresNameTheirPolicy() {
        passes("c-p", 10, 9_000, "ner");
        long beforePolicy = log.size() - 1;
        long policySeq = log.policy("slow-decay", "\"half_life_days\":3650,\"prior_alpha_bp\":10000,\"prior_beta_bp\":10000");
        ReputationIndex index = index();
        Reputation now = lookup(index, "c-p");
        Reputation then = index.asOfSeq("c-p", beforePolicy, false).orElseThrow();
        assertThat(now.policyId()).isEqualTo("slow-decay");
        assertThat(then.policyId()).isEqualTo(Policy.DEFAULT_ID);
        assertThat(index.asOfSeq("c-p", policySeq, false).orElseThrow().policyId()).isEqualTo("slow-decay");
        assertThat(now.overall().score()).isNotCloseTo(then.overall().score(), within(1e-6));
        assertThat(index.policy().halfLifeDays()).isEqualTo(3650);
    }

    @Test
    void policy_withAnOutOfRangeParameter_isIgnored() {
        log.policy("broken", "\"band_bp\":0");
        assertThat(index().policy().id()).isEqualTo(Policy.DEFAULT_ID);
        assertThatThrownBy(() -> Policy.from(1, "x", java.util.Map.of("late_credit_bp", 20_000L)))
                .hasMessageContaining("late_credit_bp");
    }

    @Test
    void asOf_seqAndTime_giveWhatRoutingSawThen() {
        log.ts = NOW.minus(Duration.ofDays(20));
        passes("c-h", 10, 10_000, "ner");
        long lastGood = log.size() - 1;
        Instant goodTimes = log.ts.plusSeconds(60);
        log.ts = NOW.minus(Duration.ofDays(10));
        for (int i = 0; i < 10; i++) {
            log.audit("c-h", NOW.minus(Duration.ofDays(10)), "review", 0, "t-bad" + i, "ner");
        }
        ReputationIndex index = index();
        double today = lookup(index, "c-h").overall().score();
        Reputation bySeq = index.asOfSeq("c-h", lastGood, false).orElseThrow();
        Reputation byTime = index.asOfTime("c-h", goodTimes, false).orElseThrow();
        assertThat(bySeq.overall().score()).isGreaterThan(today + 0.1);
        assertThat(byTime.overall().score()).isGreaterThan(today + 0.1);
        assertThat(bySeq.asOfSeq()).isEqualTo(lastGood);
        assertThat(byTime.asOfSeq()).isEqualTo(lastGood);
        assertThat(byTime.evaluatedAt()).isEqualTo(goodTimes);
        assertThat(index.asOfTime("c-h", Instant.parse("2020-01-01T00:00:00Z"), false)).isEmpty();
        assertThatThrownBy(() -> index.asOfSeq("c-h", log.size(), false)).hasMessageContaining("as_of_seq");
    }

    @Test
    void explanation_listsTheEntriesThatMovedTheScoreMost_largestFirst() {
        log.task("c-e", NOW, "t-hard", "accepted", false, 100_000, "ner");
        long hardFail = log.audit("c-e", NOW, "gold", 0, "t-hard");
        for (int i = 0; i < 12; i++) {
            log.task("c-e", NOW, "t-" + i, "accepted", false, 50, "ner");
            log.audit("c-e", NOW, "model", 10_000, "t-" + i);
        }
        List<Reputation.Effect> effects = index().explain("c-e").orElseThrow().explanation();
        assertThat(effects).hasSize(ReputationIndex.EXPLANATION_LIMIT);
        assertThat(effects.get(0).seq()).isEqualTo(hardFail);
        assertThat(effects.get(0).effect()).isNegative();
        assertThat(effects.get(0).kind()).isEqualTo(EntryKind.AUDIT_RESULT);
        for (int i = 1; i < effects.size(); i++) {
            assertThat(Math.abs(effects.get(i).effect())).isLessThanOrEqualTo(Math.abs(effects.get(i - 1).effect()));
        }
    }

    @Test
    void top_ranksByLowerBoundByDefault_andByScoreWhenAsked() {
        for (int i = 0; i < 200; i++) {
            log.task("c-steady", NOW, "t-" + i, "accepted", false, 1_000, "x");
            log.audit("c-steady", NOW, "gold", 8_000, "t-" + i);
        }
        for (int i = 0; i < 8; i++) {
            log.task("c-fresh", NOW, "t-" + i, "accepted", false, 1_000, "x");
            log.audit("c-fresh", NOW, "gold", 10_000, "t-" + i);
        }
        log.task("c-poor", NOW, "t-1", "rejected", false, 1_000, "x");
        ReputationIndex index = index();
        assertThat(names(index.top(TopQuery.of("x", 10)))).containsExactly("c-steady", "c-fresh", "c-poor");
        assertThat(names(index.top(new TopQuery("x", 10, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE))))
                .containsExactly("c-fresh", "c-steady", "c-poor");
        assertThat(names(index.top(TopQuery.of("x", 1)))).containsExactly("c-steady");

        double freshLower = lookup(index, "c-fresh").skills().get("x").lower();
        assertThat(names(index.top(new TopQuery("x", 10, freshLower, 0, Optional.empty(), TopQuery.RankBy.SCORE))))
                .containsExactly("c-fresh", "c-steady");
        assertThat(names(index.top(new TopQuery("x", 10, 0, 100, Optional.empty(), TopQuery.RankBy.LOWER))))
                .containsExactly("c-steady");
        assertThat(index.top(TopQuery.of("nope", 10))).isEmpty();
        List<TopQuery.Ranked> top = index.top(TopQuery.of("x", 10));
        assertThat(top.get(0).score()).isEqualTo(lookup(index, "c-steady").skills().get("x"));
    }

    @Test
    void top_followsAppendsAfterTheFirstQuery() {
        passes("c-1", 5, 7_000, "x");
        ReputationIndex index = index();
        assertThat(names(index.top(TopQuery.of("x", 10)))).containsExactly("c-1");
        passes("c-2", 30, 10_000, "x");
        index.catchUp();
        assertThat(names(index.top(TopQuery.of("x", 10)))).containsExactly("c-2", "c-1");
    }

    @Test
    void top_keptThroughTheHour_movesOnlyWhatEachEntryChanged_andEqualsAFreshIndex() {
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        randomEntries(new SplittableRandom(21), 600, index);
        index.catchUp();
        List<String> skills = List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6");
        for (String skill : skills) {
            index.top(TopQuery.of(skill, 100)); // the hour's rankings, kept from here on
        }
        // Tasks in two skills, audits, suspensions and reactivations, disputes, credentials.
        for (int round = 0; round < 8; round++) {
            randomEntries(new SplittableRandom(100 + round), 150, index);
            index.catchUp();
            ReputationIndex fresh = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
            fresh.catchUp();
            for (String skill : skills) {
                for (TopQuery.RankBy by : TopQuery.RankBy.values()) {
                    TopQuery q = new TopQuery(skill, 100, 0, 0, Optional.empty(), by);
                    assertThat(index.top(q)).as(skill + " by " + by + " after round " + round).isEqualTo(fresh.top(q));
                }
            }
        }
    }

    @Test
    void top_keptAcrossARebaseOfTheSums_equalsAFreshIndex() {
        // With a half-life of a day, entries 430 days apart rescale every skill's sums (rebase).
        log.policy("short.1", "\"half_life_days\":1");
        for (int i = 0; i < 5; i++) {
            log.task("c-" + i, NOW.minus(Duration.ofDays(431)).plusSeconds(3600L * i), "t-" + i,
                    i % 2 == 0 ? "accepted" : "rejected", false, 10_000, "a", "b");
        }
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        index.catchUp();
        index.top(TopQuery.of("a", 10));
        index.top(TopQuery.of("b", 10));
        for (int i = 0; i < 5; i++) {
            // Only skill a gets an entry, but b's sums were rescaled too.
            log.task("c-" + i, NOW.minus(Duration.ofDays(1)).plusSeconds(60L * i), "u-" + i, "accepted", false,
                    10_000, "a");
        }
        index.catchUp();

        ReputationIndex fresh = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        fresh.catchUp();
        assertThat(index.top(TopQuery.of("b", 10))).isNotEmpty().isEqualTo(fresh.top(TopQuery.of("b", 10)));
        assertThat(index.top(TopQuery.of("a", 10))).isEqualTo(fresh.top(TopQuery.of("a", 10)));
    }

    @Test
    void top_afterTheHourTurns_ranksByTheDecayedScores() {
        // c-old was excellent long ago; by now decay has moved them most of the way back to the prior.
        for (int i = 0; i < 40; i++) {
            log.audit("c-old", NOW.minus(Duration.ofDays(1200)), "gold", 10_000, "t-" + i, "x");
        }
        Instant[] now = {NOW.minus(Duration.ofDays(1190))};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        ReputationIndex index = new ReputationIndex(log, clock);
        index.catchUp();
        double then = index.top(TopQuery.of("x", 10)).get(0).score().score();
        now[0] = NOW;
        passes("c-new", 6, 9_000, "x");
        index.catchUp();
        index.prepareRankings(index.evaluationTime());
        List<TopQuery.Ranked> top = index.top(TopQuery.of("x", 10));
        assertThat(names(top)).containsExactly("c-new", "c-old");
        assertThat(top.get(1).score().score()).isLessThan(then);
        assertThat(lookup(index, "c-old").evaluatedAt()).isEqualTo(NOW);
        assertThat(top.get(1).score()).isEqualTo(lookup(index, "c-old").skills().get("x"));
    }

    @Test
    void prepareRankings_aheadOfTheHour_takesOverWhenItComesWithUpdatesMadeMeanwhile() {
        Instant hour = NOW.minus(Duration.ofHours(5));
        Instant[] now = {hour.plusSeconds(3000)};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        ReputationIndex index = new ReputationIndex(log, clock);
        randomEntries(new SplittableRandom(11), 1_500, index);
        index.catchUp();
        index.top(TopQuery.of("s0", 100));
        index.prepareRankings(index.nextEvaluationTime());
        randomEntries(new SplittableRandom(12), 500, index);
        index.catchUp();
        now[0] = hour.plusSeconds(3600);
        List<TopQuery.Ranked> prepared = index.top(TopQuery.of("s0", 100));

        ReputationIndex fresh = new ReputationIndex(log, clock);
        fresh.catchUp();
        assertThat(prepared).isNotEmpty().isEqualTo(fresh.top(TopQuery.of("s0", 100)));
        assertThat(index.top(new TopQuery("s5", 100, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE)))
                .isEqualTo(fresh.top(new TopQuery("s5", 100, 0, 0, Optional.empty(), TopQuery.RankBy.SCORE)));
    }

    @Test
    void incrementalState_equalsARebuildFromTheLog() {
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        index.catchUp();
        randomEntries(new SplittableRandom(42), 3_000, index);
        index.catchUp();
        for (int i = 0; i < 25; i++) {
            Reputation incremental = lookup(index, "c-" + i);
            Reputation rebuilt = index.explain("c-" + i).orElseThrow();
            assertThat(incremental.overall().score()).isCloseTo(rebuilt.overall().score(), within(1e-9));
            assertThat(incremental.overall().nEff()).isCloseTo(rebuilt.overall().nEff(), within(1e-9));
            assertThat(incremental.skills().keySet()).isEqualTo(rebuilt.skills().keySet());
            incremental.skills().forEach((skill, s) ->
                    assertThat(s.lower()).isCloseTo(rebuilt.skills().get(skill).lower(), within(1e-9)));
            assertThat(incremental.overall().lower()).isBetween(0.0, incremental.overall().score());
            assertThat(incremental.overall().upper()).isBetween(incremental.overall().score(), 1.0);
        }
        // the rankings agree with a sort of the lookups
        for (String skill : List.of("s0", "s5")) {
            List<TopQuery.Ranked> top = index.top(TopQuery.of(skill, 100));
            for (int i = 1; i < top.size(); i++) {
                assertThat(top.get(i).score().lower()).isLessThanOrEqualTo(top.get(i - 1).score().lower());
            }
            for (TopQuery.Ranked r : top) {
                assertThat(lookup(index, r.contractor()).routable()).isTrue();
                assertThat(lookup(index, r.contractor()).skills().get(skill)).isEqualTo(r.score());
            }
        }
    }

    /** Appends n random entries about c-0 to c-24, catching {@code index} up now and then. */
    private void randomEntries(SplittableRandom random, int n, ReputationIndex index) {
        String[] outcomes = {"accepted", "rejected", "abandoned", "expired"};
        String[] methods = {"gold", "review", "consensus", "model"};
        for (int i = 0; i < n; i++) {
            String c = "c-" + random.nextInt(25);
            Instant at = NOW.minus(Duration.ofHours(random.nextInt(24 * 800)));
            int kind = random.nextInt(11);
            if (kind < 4) {
                log.task(c, at, "t-" + random.nextInt(300), outcomes[random.nextInt(4)], random.nextBoolean(),
                        random.nextLong(1_000_000), "s" + random.nextInt(4), "s" + (4 + random.nextInt(3)));
            } else if (kind < 8) {
                log.audit(c, at, methods[random.nextInt(4)], random.nextInt(10_001), "t-" + random.nextInt(300));
            } else if (kind == 8 && log.contractorSeqs(c).length > 0) {
                long[] mine = log.contractorSeqs(c);
                log.dispute(c, mine[random.nextInt(mine.length)], random.nextBoolean() ? "upheld" : "rejected");
            } else if (kind == 9) {
                log.status(c, random.nextInt(4) == 0 ? "suspended" : "active");
            } else if (kind == 10) {
                String id = "cr-" + random.nextInt(5);
                if (random.nextBoolean()) {
                    Instant from = NOW.minus(Duration.ofDays(random.nextInt(100)));
                    log.credential(c, id, "type-" + random.nextInt(2), from,
                            random.nextBoolean() ? null : from.plus(Duration.ofDays(1 + random.nextInt(150))));
                } else {
                    log.revoke(c, id, NOW.minus(Duration.ofDays(random.nextInt(100))));
                }
            }
            if (random.nextInt(50) == 0) {
                index.catchUp();
            }
        }
    }

    @Test
    void snapshot_restoresTheSameScoresAndFollowsTheLogFromThere() throws Exception {
        ReputationIndex original = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        randomEntries(new SplittableRandom(3), 1_500, original);
        log.policy("mid.1", "\"half_life_days\":60");
        randomEntries(new SplittableRandom(4), 500, original);
        original.catchUp();
        var bytes = new java.io.ByteArrayOutputStream();
        original.writeSnapshot(bytes);
        long snapshotSize = log.size();

        randomEntries(new SplittableRandom(5), 1_000, original);
        original.catchUp();
        ReputationIndex restored = ReputationIndex.fromSnapshot(new java.io.ByteArrayInputStream(bytes.toByteArray()),
                log, Clock.fixed(NOW, ZoneOffset.UTC)).orElseThrow();
        assertThat(restored.restoredFrom()).isEqualTo(snapshotSize);
        restored.catchUp();
        assertThat(restored.policy()).isEqualTo(original.policy());
        for (int i = 0; i < 25; i++) {
            assertThat(lookup(restored, "c-" + i)).isEqualTo(lookup(original, "c-" + i));
        }
        for (String skill : List.of("s0", "s4")) {
            assertThat(restored.top(TopQuery.of(skill, 25))).isEqualTo(original.top(TopQuery.of(skill, 25)));
        }

        TestLog other = new TestLog();
        other.defaultPolicy();
        assertThat(ReputationIndex.fromSnapshot(new java.io.ByteArrayInputStream(bytes.toByteArray()), other,
                Clock.fixed(NOW, ZoneOffset.UTC))).isEmpty();
    }

    @Test
    void apply_outOfOrder_isRefused() {
        passes("c-1", 2, 7_000, "x");
        ReputationIndex index = new ReputationIndex(log, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> index.apply(1, log.entry(1))).hasMessageContaining("expected seq 0");
    }

    @Test
    void defaultPolicyEntry_isAValidSubmissionOfTheDefaults() {
        TestLog fresh = new TestLog();
        fresh.defaultPolicy();
        ReputationIndex index = new ReputationIndex(fresh, Clock.fixed(NOW, ZoneOffset.UTC));
        index.catchUp();
        assertThat(index.policy()).isEqualTo(Policy.from(0, Policy.DEFAULT_ID, Policy.DEFAULT_PARAMS));
    }

    private static List<String> names(List<TopQuery.Ranked> ranked) {
        return ranked.stream().map(TopQuery.Ranked::contractor).toList();
    }

    @Test
    void policyRebuildFailingPartway_leavesLaterEntriesAppliedByOrdinalToTheLiveStates() {
        log.task("c-a", NOW.minusSeconds(5000), "T1", "accepted", false, 500, "s0");
        log.task("c-b", NOW.minusSeconds(4900), "T2", "accepted", false, 500, "s0");
        boolean[] failing = {false};
        int[] reads = {0};
        EntrySource source = new EntrySource() {
            @Override
            public long size() {
                return log.size();
            }

            @Override
            public Entry entry(long seq) {
                return log.entry(seq);
            }

            @Override
            public long[] contractorSeqs(String contractor) {
                return log.contractorSeqs(contractor);
            }

            @Override
            public Entry.KindAndBody kindAndBody(long seq) {
                if (failing[0] && ++reads[0] == 2) {
                    throw new IllegalStateException("the disk failed a read");
                }
                return log.kindAndBody(seq);
            }
        };
        ReputationIndex index = new ReputationIndex(source, Clock.fixed(NOW, ZoneOffset.UTC));
        long n = log.size();
        assertThat(index.applyAppended(0, log.submissions(0, n), log.contractorOrdinals(0, n))).isTrue();
        long policy = log.policy("p2", "\"half_life_days\":90");
        failing[0] = true;
        assertThatThrownBy(() -> index.applyAppended(policy, log.submissions(policy, policy + 1),
                log.contractorOrdinals(policy, policy + 1))).hasMessageContaining("the disk failed a read");
        failing[0] = false;
        Score a = index.lookup("c-a").orElseThrow().overall();
        Score b = index.lookup("c-b").orElseThrow().overall();

        long first = log.task("c-a", NOW.minusSeconds(100), "T3", "accepted", false, 500, "s0");
        long last = log.task("c-b", NOW.minusSeconds(90), "T4", "accepted", false, 500, "s0");
        index.applyAppended(first, log.submissions(first, last + 1), log.contractorOrdinals(first, last + 1));

        // Whichever contractor's rebuild replaced their state before the failure, their new task counts.
        assertThat(index.lookup("c-a").orElseThrow().overall()).isNotEqualTo(a);
        assertThat(index.lookup("c-b").orElseThrow().overall()).isNotEqualTo(b);
    }
}
