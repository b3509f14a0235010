package dev.trackrecord.ledger.reputation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a {@link Reputation}, as {@code GET /v1/contractors/{id}/reputation} answers it
 * and {@code trackrecord rescore} prints it, so the two can be compared field for field.
 */
public final class ReputationJson {
    private ReputationJson() {
    }

    /** The document; {@code explanation} is included when {@code withExplanation}. */
    public static ObjectNode of(Reputation r, boolean withExplanation) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("contractor", r.contractor());
        o.put("policy", r.policyId());
        ObjectNode asOf = o.putObject("as_of");
        asOf.put("seq", r.asOfSeq());
        asOf.put("ts", r.evaluatedAt().toString());
        o.put("status", r.status().wire());
        o.put("routable", r.routable());
        score(o.putObject("overall"), r.overall());
        ObjectNode skills = o.putObject("skills");
        r.skills().forEach((skill, s) -> score(skills.putObject(skill), s));
        ArrayNode credentials = o.putArray("credentials");
        for (Reputation.Credential c : r.credentials()) {
            ObjectNode co = credentials.addObject()
                    .put("credential_id", c.credentialId())
                    .put("type", c.type())
                    .put("issuer", c.issuer())
                    .put("valid_from", c.validFrom().toString());
            c.validUntil().ifPresent(u -> co.put("valid_until", u.toString()));
            co.put("seq", c.seq());
        }
        if (withExplanation) {
            ArrayNode explanation = o.putArray("explanation");
            for (Reputation.Effect e : r.explanation()) {
                ObjectNode eo = explanation.addObject()
                        .put("seq", e.seq())
                        .put("kind", e.kind().wire())
                        .put("occurred_at", e.occurredAt().toString())
                        .put("effect", e.effect());
                if (e.voidedBy() >= 0) {
                    eo.put("voided_by", e.voidedBy());
                }
            }
        }
        return o;
    }

    /** The {@code score, lower, upper, n_eff} fields of one score into {@code o}. */
    public static void score(ObjectNode o, Score s) {
        o.put("score", s.score());
        o.put("lower", s.lower());
        o.put("upper", s.upper());
        o.put("n_eff", s.nEff());
    }
}
