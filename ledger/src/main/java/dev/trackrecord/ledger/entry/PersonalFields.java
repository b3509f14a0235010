package dev.trackrecord.ledger.entry;

import java.util.List;
import java.util.Map;

/**
 * Which personal fields (personal.schema.json, {@code x-fields-by-kind}) each entry kind accepts
 * in a submission's {@code personal} member. A test holds this table equal to the schema's.
 */
public final class PersonalFields {
    private static final Map<EntryKind, List<String>> BY_KIND = Map.of(
            EntryKind.CONTRACTOR_PROFILE, List.of("legal_name", "email", "tax_id", "postal_address"),
            EntryKind.CREDENTIAL_ISSUED, List.of("holder_name", "document_number", "document_name"),
            EntryKind.DISPUTE_OPENED, List.of("note"),
            EntryKind.PAYOUT, List.of("payee_name", "payment_account"));

    private PersonalFields() {
    }

    /** The personal fields {@code kind} accepts, possibly none. */
    public static List<String> allowed(EntryKind kind) {
        return BY_KIND.getOrDefault(kind, List.of());
    }
}
