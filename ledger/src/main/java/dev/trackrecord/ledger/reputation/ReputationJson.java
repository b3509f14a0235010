package dev.trackrecord.ledger.reputation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON form of a {@link Reputation}, as {@code GET /v1/contractors/{id}/reputation} answers it
 * and {@code trackrecord rescore} prints it, so the two can be compared field for field.
 */
public final class ReputationJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stands for the log size while a {@link Document} is written; no real seq is negative. */
    private static final long SEQ_PLACEHOLDER = Long.MIN_VALUE;

    private ReputationJson() {
    }

    /**
     * A reputation's document ({@link #of} with an explanation, as the lookup route answers)
     * with its {@code as_of.seq} left open, so that one document serves every log size until the
     * contractor's state or the evaluation time changes.
     *
     * <p>The head and tail never leave it; the last document it rendered is kept, since lookups
     * between two appends all ask for the same log size.
     */
    public static final class Document {
        private final Reputation basis;
        private final byte[] head;
        private final byte[] tail;
        private volatile Rendered last;

        private record Rendered(long seq, byte[] bytes) {
        }

        private Document(Reputation basis, byte[] head, byte[] tail) {
            this.basis = basis;
            this.head = head;
            this.tail = tail;
        }

        /** The reputation the document was made from. */
        public Reputation basis() {
            return basis;
        }

        /**
         * The document with {@code as_of.seq} set to {@code seq}. Callers asking for the same seq
         * share the array: send it, do not change it.
         */
        public byte[] asOf(long seq) {
            Rendered r = last;
            if (r != null && r.seq() == seq) {
                return r.bytes();
            }
            byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
            byte[] out = Arrays.copyOf(head, head.length + digits.length + tail.length);
            System.arraycopy(digits, 0, out, head.length, digits.length);
            System.arraycopy(tail, 0, out, head.length + digits.length, tail.length);
            last = new Rendered(seq, out);
            return out;
        }
    }

    /** The lookup document of {@code r}, its {@code as_of.seq} left open. */
    public static Document document(Reputation r) {
        Reputation open = new Reputation(r.contractor(), r.policyId(), SEQ_PLACEHOLDER, r.evaluatedAt(), r.status(),
                r.overall(), r.skills(), r.credentials(), r.explanation());
        byte[] whole;
        try {
            whole = JSON.writeValueAsBytes(of(open, true));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reputation document could not be written", e);
        }
        // as_of is the third field, after the contractor and policy ids, which hold no quotes: the
        // first occurrence is the placeholder's.
        byte[] marker = ("\"as_of\":{\"seq\":" + SEQ_PLACEHOLDER).getBytes(StandardCharsets.US_ASCII);
        int at = Bytes.indexOf(whole, marker);
        if (at < 0) {
            throw new IllegalStateException("a reputation document lacks its as_of.seq");
        }
        int cut = at + marker.length - Long.toString(SEQ_PLACEHOLDER).length();
        return new Document(r, Arrays.copyOfRange(whole, 0, cut), Arrays.copyOfRange(whole, at + marker.length, whole.length));
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
