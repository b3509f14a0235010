package dev.trackrecord.ledger.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T21:30:00Z"), ZoneOffset.UTC);
    private static final SubmissionValidator VALIDATOR = new SubmissionValidator(CLOCK, true);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Submission profile(String contractor, String eventId, String name) throws Exception {
        return VALIDATOR.parse(("""
                {"kind":"contractor.profile","contractor":"%s","event_id":"%s",
                 "body":{"occurred_at":"2026-03-01T08:00:00Z"},
                 "personal":{"legal_name":"%s","email":"ada@example.org"}}""")
                .formatted(contractor, eventId, name).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> commitments(Submission sealed) throws Exception {
        JsonNode fields = JSON.readTree(sealed.bodyBytes()).path("personal").path("fields");
        Map<String, String> out = new TreeMap<>();
        fields.properties().forEach(f -> out.put(f.getKey(), f.getValue().asText()));
        return out;
    }

    @Test
    void seal_bodyHoldsCommitmentsOnly_andOpenGivesTheValuesBack() throws Exception {
        Vault vault = Vault.open(dir);
        Submission s = profile("c-1", "p-1", "Ada Lovelace-Example");

        Submission sealed = vault.seal(s, "contractor.profile");

        String body = new String(sealed.bodyBytes(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("Ada").doesNotContain("example.org").contains("\"key\":\"contractor.profile\"");
        assertThat(sealed.hasPersonalData()).isFalse();
        Vault.Opened opened = vault.open("c-1", "contractor.profile", "p-1", commitments(sealed)).orElseThrow();
        assertThat(opened.fields()).containsEntry("legal_name", "Ada Lovelace-Example")
                .containsEntry("email", "ada@example.org");
        assertThat(Commitments.matches(opened.salt(), "legal_name", "Ada Lovelace-Example",
                commitments(sealed).get("legal_name"))).isTrue();
        assertThat(Commitments.matches(opened.salt(), "legal_name", "Ada Lovelace-Exampl",
                commitments(sealed).get("legal_name"))).isFalse();
    }

    @Test
    void open_withCommitmentsOfAnotherValue_findsNothing() throws Exception {
        Vault vault = Vault.open(dir);
        Submission first = vault.seal(profile("c-1", "p-1", "First Name"), "contractor.profile");
        vault.seal(profile("c-1", "p-1", "Second Name"), "contractor.profile"); // a conflicting resend

        assertThat(vault.open("c-1", "contractor.profile", "p-1", commitments(first)).orElseThrow().fields())
                .containsEntry("legal_name", "First Name");
    }

    @Test
    void commitments_differBetweenContractors_forTheSameValue() throws Exception {
        Vault vault = Vault.open(dir);
        Submission a = vault.seal(profile("c-1", "p-1", "Same Name"), "contractor.profile");
        Submission b = vault.seal(profile("c-2", "p-2", "Same Name"), "contractor.profile");

        assertThat(commitments(a).get("legal_name")).isNotEqualTo(commitments(b).get("legal_name"));
    }

    @Test
    void erase_removesEveryFileOfTheContractor_andOpenThenFindsNothing() throws Exception {
        Vault vault = Vault.open(dir);
        Submission sealed = vault.seal(profile("c-1", "p-1", "Erased Person"), "contractor.profile");
        Submission other = vault.seal(profile("c-2", "p-2", "Kept Person"), "contractor.profile");

        assertThat(vault.erase("c-1")).containsExactly("contractor.profile");

        assertThat(vault.open("c-1", "contractor.profile", "p-1", commitments(sealed))).isEmpty();
        assertThat(vault.keys("c-1")).isEmpty();
        assertThat(vault.open("c-2", "contractor.profile", "p-2", commitments(other))).isPresent();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(2); // c-2's key and records
        }
    }

    @Test
    void expired_namesKeysFromTheirDay_andDestroyRemovesOnlyThatKey() throws Exception {
        Vault vault = Vault.open(dir);
        Retention retention = Retention.parse(Map.of("payout", "P7Y"));
        Submission payout = VALIDATOR.parse("""
                {"kind":"payout","contractor":"c-1","event_id":"pay-1","body":{"occurred_at":"2026-03-24T12:00:00Z",
                 "payout_id":"po-1","task_ids":[],"amount_minor":1,"currency":"EUR","status":"settled"},
                 "personal":{"payee_name":"Payee Person"}}""".getBytes(StandardCharsets.UTF_8));
        String key = retention.keyId(EntryKind.PAYOUT, payout.body().occurredAt());
        assertThat(key).isEqualTo("payout@2033-03-25");
        vault.seal(payout, key);
        vault.seal(profile("c-1", "p-1", "Kept Name"), "contractor.profile");

        assertThat(vault.expired(Instant.parse("2033-03-24T23:59:59Z"))).isEmpty();
        assertThat(vault.expired(Instant.parse("2033-03-25T00:00:00Z")))
                .containsExactly(new Vault.KeyRef("c-1", "payout@2033-03-25"));

        assertThat(vault.destroy("c-1", key)).isTrue();
        assertThat(vault.keys("c-1")).containsExactly("contractor.profile");
    }

    @Test
    void personalFields_equalTheSchemasFieldsByKind() throws Exception {
        JsonNode schema;
        try (var in = VaultTest.class.getClassLoader().getResourceAsStream("trackrecord/schemas/personal.schema.json")) {
            schema = JSON.readTree(in);
        }
        for (EntryKind kind : EntryKind.values()) {
            List<String> inSchema = new java.util.ArrayList<>();
            schema.path("x-fields-by-kind").path(kind.wire()).forEach(f -> inSchema.add(f.asText()));
            assertThat(dev.trackrecord.ledger.entry.PersonalFields.allowed(kind)).as(kind.wire())
                    .containsExactlyElementsOf(inSchema);
            inSchema.forEach(f -> assertThat(schema.path("properties").path(f).path("x-personal").asBoolean())
                    .as(f + " is marked x-personal").isTrue());
        }
    }

    @Test
    void retention_rejectsUnknownKindAndBadPeriod_namingThem() {
        assertThatThrownBy(() -> Retention.parse(Map.of("payment", "P7Y"))).hasMessageContaining("'payment'");
        assertThatThrownBy(() -> Retention.parse(Map.of("payout", "7 years"))).hasMessageContaining("retention.payout");
    }
}
