package dev.trackrecord.api.privacy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.api.Periodic;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import dev.trackrecord.ledger.privacy.Retention;
import dev.trackrecord.ledger.privacy.Vault;
import dev.trackrecord.ledger.store.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Shreds personal data past its retention: every vault key whose day has come is destroyed, each
 * after a {@code personal.shredded} entry records it (the key id and the seqs it sealed, never the
 * data). The entry's event id and {@code occurred_at} (the key's expiry) are fixed by the key, so
 * a run that failed between the two appends nothing new when it is repeated.
 */
public final class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ledger ledger;
    private final Vault vault;
    private final Clock clock;

    /** @param clock what "now" is; tests move it years ahead instead of waiting */
    public RetentionJob(Ledger ledger, Vault vault, Clock clock) {
        this.ledger = ledger;
        this.vault = vault;
        this.clock = clock;
    }

    /** One key shredded: the seq of the entry that records it, and the seqs whose data it sealed. */
    public record Shredded(String contractor, String keyId, long recordSeq, List<Long> seqs) {
    }

    /** Shreds every key past retention now; returns what it shredded. */
    public synchronized List<Shredded> run() throws Exception {
        Instant now = clock.instant();
        SubmissionValidator validator = new SubmissionValidator(clock);
        List<Shredded> done = new ArrayList<>();
        for (Vault.KeyRef ref : vault.expired(now)) {
            List<Long> seqs = Privacy.sealedUnder(ledger, ref.contractor(), List.of(ref.keyId()));
            ObjectNode submission = JSON.createObjectNode();
            String eventId = "retention:" + ref.contractor() + ":" + ref.keyId().replace('@', ':');
            submission.put("kind", EntryKind.PERSONAL_SHREDDED.wire()).put("contractor", ref.contractor())
                    .put("event_id", eventId.length() <= 128 ? eventId : eventId.substring(0, 128));
            ObjectNode body = submission.putObject("body");
            body.put("occurred_at", Retention.expiry(ref.keyId()).orElseThrow().toString());
            body.put("reason_code", "retention");
            body.putArray("keys").add(ref.keyId());
            var s = body.putArray("seqs");
            seqs.forEach(s::add);
            long recordSeq = Privacy.appendSystemEntry(ledger, validator, submission).seq();
            vault.destroy(ref.contractor(), ref.keyId());
            done.add(new Shredded(ref.contractor(), ref.keyId(), recordSeq, seqs));
        }
        return done;
    }

    /** Runs every {@code interval} on a daemon thread, the first time at once; close to stop. */
    public AutoCloseable schedule(Duration interval) {
        return Periodic.every(interval, "retention", LOG,
                "retention: could not shred personal data past retention; will retry", () -> {
                    List<Shredded> shredded = run();
                    if (!shredded.isEmpty()) {
                        LOG.info(() -> "retention: shredded " + shredded.size() + " vault key(s)");
                    }
                });
    }
}
