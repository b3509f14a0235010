package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.CanonicalWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntryTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] ZERO = new byte[32];
    private static final byte[] ROOT8 =
            HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    private static final byte[] BODY = utf8("{\"audit_id\":\"a-1\",\"auditor\":\"qa\",\"error_tags\":[],"
            + "\"evidence_sha256\":\"" + "ab".repeat(32) + "\",\"method\":\"gold\",\"occurred_at\":\"2026-11-28T21:00:00Z\","
            + "\"score_bp\":9650,\"task_id\":\"t-1\",\"verdict\":\"pass\"}");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Entry sample() {
        return new Entry(42, Instant.parse("2026-11-28T21:30:00.123Z"), EntryKind.AUDIT_RESULT, "c-123",
                "qa-2026-000123", "qa-service", ROOT8, 17, BODY);
    }

    @Test
    void canonicalBytes_designExample_hasFixedKeyOrderAndForms() {
        assertThat(text(sample().canonicalBytes())).isEqualTo("{\"body\":" + text(BODY)
                + ",\"contractor\":\"c-123\",\"cprev\":17,\"event_id\":\"qa-2026-000123\",\"kind\":\"audit.result\","
                + "\"prev\":\"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328\",\"seq\":42,"
                + "\"source\":\"qa-service\",\"ts\":\"2026-11-28T21:30:00.123Z\",\"v\":1}");
    }

    @Test
    void canonicalBytes_wholeSecondTs_hasThreeFractionDigits() {
        Entry entry = new Entry(0, Instant.parse("2026-01-01T00:00:00Z"), EntryKind.PAYOUT, "c", "e", "s", ZERO, -1,
                utf8("{}"));

        assertThat(text(entry.canonicalBytes()))
                .isEqualTo("{\"body\":{},\"contractor\":\"c\",\"cprev\":-1,\"event_id\":\"e\",\"kind\":\"payout\","
                        + "\"prev\":\"" + "0".repeat(64) + "\",\"seq\":0,\"source\":\"s\","
                        + "\"ts\":\"2026-01-01T00:00:00.000Z\",\"v\":1}");
    }

    /** The fast writer against the reference: CanonicalJson over the same envelope as a Jackson tree. */
    @Test
    void canonicalBytes_randomEntries_equalCanonicalizeOfJacksonTree() throws Exception {
        SplittableRandom random = new SplittableRandom(8785);
        CanonicalWriter shared = new CanonicalWriter(64);
        for (int i = 0; i < 3000; i++) {
            long seq = random.nextLong(0, CanonicalJson.MAX_SAFE_INTEGER + 1);
            if (i % 3 == 0) {
                seq = random.nextInt(1000);
            }
            long cprev = random.nextInt(4) == 0 ? -1 : random.nextLong(0, seq + 1) - 1;
            byte[] prev = new byte[32];
            if (seq > 0) {
                random.nextBytes(prev);
            }
            Instant ts = Instant.ofEpochMilli(random.nextLong(0, Timestamps.MAX_MILLIS + 1));
            EntryKind kind = EntryKind.values()[random.nextInt(EntryKind.values().length)];
            JsonNode body = randomObject(random, 0);
            Entry entry = new Entry(seq, ts, kind, randomString(random), randomString(random), randomString(random),
                    prev, cprev, CanonicalJson.canonicalize(body));

            ObjectNode tree = NODES.objectNode();
            tree.put("v", 1).put("seq", seq).put("ts", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                            .withZone(ZoneOffset.UTC).format(ts))
                    .put("kind", kind.wire()).put("contractor", entry.contractor()).put("event_id", entry.eventId())
                    .put("source", entry.source()).put("prev", HexFormat.of().formatHex(prev)).put("cprev", cprev)
                    .set("body", body);
            byte[] expected = CanonicalJson.canonicalize(tree);

            assertThat(entry.canonicalBytes()).as("entry %d: %s", i, entry).isEqualTo(expected);
            shared.reset();
            shared.raw((byte) '[');
            entry.writeCanonical(shared);
            assertThat(Arrays.copyOfRange(shared.toByteArray(), 1, shared.size())).isEqualTo(expected);
        }
    }

    @Test
    void timestamps_write_matchesDateTimeFormatterAcrossRange() {
        SplittableRandom random = new SplittableRandom(1);
        DateTimeFormatter reference = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        long[] edges = {0, 1, 999, 951_782_400_000L, 951_868_799_999L, 4_107_542_400_000L, Timestamps.MAX_MILLIS,
                Timestamps.MIN_MILLIS, -1};
        for (int i = 0; i < 100_000 + edges.length; i++) {
            long millis = i < edges.length ? edges[i] : random.nextLong(Timestamps.MIN_MILLIS, Timestamps.MAX_MILLIS + 1);
            byte[] out = new byte[Timestamps.LENGTH];

            Timestamps.write(millis, out, 0);

            assertThat(new String(out, StandardCharsets.US_ASCII)).as("millis %d", millis)
                    .isEqualTo(reference.format(Instant.ofEpochMilli(millis)));
        }
    }

    @Test
    void parse_canonicalBytes_roundTrips() throws Exception {
        Entry entry = sample();

        Entry parsed = Entry.parse(entry.canonicalBytes());

        assertThat(parsed).isEqualTo(entry);
        assertThat(parsed.hashCode()).isEqualTo(entry.hashCode());
        assertThat(parsed.decodeBody()).isInstanceOf(AuditResult.class);
        assertThat(((AuditResult) parsed.decodeBody()).scoreBp()).isEqualTo(9650);
    }

    @Test
    void parse_randomValidEntries_roundTrip() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        String alphabet = "abcXYZ019._:-";
        for (int i = 0; i < 500; i++) {
            long seq = random.nextLong(1, 1L << 40);
            StringBuilder contractor = new StringBuilder("c");
            for (int j = random.nextInt(20); j > 0; j--) {
                contractor.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            byte[] prev = new byte[32];
            random.nextBytes(prev);
            ObjectNode body = NODES.objectNode().put("credential_id", "cr-" + i)
                    .put("occurred_at", Instant.ofEpochSecond(random.nextLong(0, 4_000_000_000L)).toString())
                    .put("reason_code", "x");
            body.set("note\u2028é\uD83D\uDE00\u0001", randomObject(random, 2));
            Entry entry = new Entry(seq, Instant.ofEpochMilli(random.nextLong(0, Timestamps.MAX_MILLIS)),
                    EntryKind.CREDENTIAL_REVOKED, contractor.toString(), "ev/" + i, "svc@tenant", prev,
                    random.nextLong(-1, seq), CanonicalJson.canonicalize(body));

            assertThat(Entry.parse(entry.canonicalBytes())).isEqualTo(entry);
            Entry.Decoded decoded = Entry.parseDecoded(entry.canonicalBytes());
            assertThat(decoded.entry()).isEqualTo(entry);
            assertThat(decoded.body()).isEqualTo(entry.decodeBody());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            space after a comma            | ,"contractor":           | , "contractor":          | $.contractor
            space before the body          | {"body":                 | { "body":                | $.body
            escaped ASCII in the event id  | "event_id":"qa-2026      | "event_id":"\\u0071a-2026 | $.event_id
            plus sign on seq               | "seq":42                 | "seq":42.0               | $.seq
            uppercase hex in prev          | "prev":"5dc9             | "prev":"5DC9             | $.prev
            ts without milliseconds        | 21:30:00.123Z            | 21:30:00Z                | $.ts
            ts with an offset              | 21:30:00.123Z            | 21:30:00.123+00:00       | $.ts
            version 2                      | "v":1                    | "v":2                    | $.v
            cprev not before seq           | "cprev":17               | "cprev":42               | $.cprev
            unknown kind                   | "kind":"audit.result"    | "kind":"audit"           | $.kind
            email as contractor            | "contractor":"c-123"     | "contractor":"a@b.example" | $.contractor
            body missing a member          | "score_bp":9650,         | ''                       | $.body.score_bp
            body with a float              | "score_bp":9650          | "score_bp":96.5          | $.body.score_bp
            unknown field                  | "v":1}                   | "v":1,"w":2}             | $.w
            missing field                  | "source":"qa-service",   | ''                       | $.source
            unordered body keys            | {"audit_id":"a-1","auditor":"qa", | {"auditor":"qa","audit_id":"a-1", | $.body
            """)
    void parse_modifiedLine_isRejectedNamingTheField(String change, String from, String to, String field) {
        assertRefusedNaming(Entry::parse, change, from, to, field);
    }

    /** {@link Entry#parse} or {@link Entry#parseStored}. */
    private interface LineParser {
        Object parse(byte[] line) throws InvalidEntryException;
    }

    /** {@code parser} refuses the sample's line with {@code from} replaced by {@code to}, naming {@code field}. */
    private static void assertRefusedNaming(LineParser parser, String change, String from, String to, String field) {
        String line = text(sample().canonicalBytes());
        assertThat(line).contains(from);
        byte[] modified = utf8(line.replace(from, to));

        InvalidEntryException e = catchThrowableOfType(InvalidEntryException.class, () -> parser.parse(modified));

        assertThat(e).as(change).isNotNull();
        assertThat(e.path()).as(change + ": " + e.getMessage()).isEqualTo(field);
    }

    @Test
    void parseStored_ofEveryKind_givesTheKindAndBodyThatTheFullParseGives() throws Exception {
        SubmissionValidator validator = new SubmissionValidator(SchemaExamplesTest.CLOCK, true);
        Set<EntryKind> seen = EnumSet.noneOf(EntryKind.class);
        long seq = 1;
        for (String name : Examples.list("valid")) {
            for (Submission s : validator.parseRequest(Examples.read("valid/" + name))) {
                byte[] line = new Entry(seq, Instant.parse("2026-11-28T21:30:00.123Z"), s.kind(), s.contractor(),
                        s.eventId(), "svc@tenant", ZERO, seq - 1, s.bodyBytes()).canonicalBytes();
                seq++;

                Entry.KindAndBody stored = Entry.parseStored(line);

                assertThat(stored.kind()).as(name).isEqualTo(s.kind());
                assertThat(stored.body()).as(name).isEqualTo(Entry.parseDecoded(line).body()).isEqualTo(s.body());
                seen.add(stored.kind());
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(EntryKind.values());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown kind          | "kind":"audit.result"     | "kind":"audit"     | $.kind
            body missing a member | "score_bp":9650,          | ''                 | $.body.score_bp
            body not an object    | {"body":{"audit_id":"a-1" | {"body":"x","y":{"audit_id":"a-1" | $.body
            no kind               | "kind":"audit.result",    | ''                 | $.kind
            """)
    void parseStored_ofALineWithoutAKindOrBody_isRefusedNamingTheField(String change, String from, String to,
                                                                      String field) {
        assertRefusedNaming(Entry::parseStored, change, from, to, field);
    }

    @Test
    void parse_reorderedTopLevelKeys_isRejectedAsNotCanonical() throws Exception {
        String line = text(sample().canonicalBytes());
        // Move "contractor" after "cprev": the same JSON value in a different order.
        String reordered = line.replace(",\"contractor\":\"c-123\",\"cprev\":17", ",\"cprev\":17,\"contractor\":\"c-123\"");
        assertThat(CanonicalJson.parse(utf8(reordered))).isEqualTo(CanonicalJson.parse(utf8(line)));

        InvalidEntryException e = catchThrowableOfType(InvalidEntryException.class, () -> Entry.parse(utf8(reordered)));

        assertThat(e.path()).isEqualTo("$.cprev");
        assertThat(e.rule()).contains("not in canonical form");
    }

    @Test
    void parse_trailingNewline_isRejected() {
        byte[] line = utf8(text(sample().canonicalBytes()) + "\n");

        assertThatThrownBy(() -> Entry.parse(line)).isInstanceOf(InvalidEntryException.class)
                .hasMessageContaining("without its newline");
    }

    @Test
    void parse_seqZeroWithNonZeroPrev_isRejected() {
        String line = text(sample().canonicalBytes()).replace("\"seq\":42", "\"seq\":0").replace("\"cprev\":17", "\"cprev\":-1");

        InvalidEntryException e = catchThrowableOfType(InvalidEntryException.class, () -> Entry.parse(utf8(line)));

        assertThat(e.path()).isEqualTo("$.prev");
    }

    @Test
    void parse_notJson_isRejectedAtRoot() {
        InvalidEntryException e = catchThrowableOfType(InvalidEntryException.class, () -> Entry.parse(utf8("{\"body\":")));

        assertThat(e.path()).isEqualTo("$");
    }

    @Test
    void constructor_subMillisecondTs_isRefused() {
        assertThatThrownBy(() -> new Entry(1, Instant.parse("2026-01-01T00:00:00.000001Z"), EntryKind.PAYOUT, "c", "e",
                "s", ZERO, -1, utf8("{}"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("millisecond");
    }

    @Test
    void constructor_badPrevOrCprev_isRefused() {
        Instant ts = Instant.parse("2026-01-01T00:00:00Z");
        assertThatThrownBy(() -> new Entry(1, ts, EntryKind.PAYOUT, "c", "e", "s", new byte[31], -1, utf8("{}")))
                .hasMessageContaining("prev must be 32 bytes");
        assertThatThrownBy(() -> new Entry(0, ts, EntryKind.PAYOUT, "c", "e", "s", ROOT8, -1, utf8("{}")))
                .hasMessageContaining("seq 0");
        assertThatThrownBy(() -> new Entry(5, ts, EntryKind.PAYOUT, "c", "e", "s", ROOT8, 5, utf8("{}")))
                .hasMessageContaining("cprev");
        assertThatThrownBy(() -> new Entry(5, ts, EntryKind.PAYOUT, "c", "e", "s", ROOT8, -2, utf8("{}")))
                .hasMessageContaining("cprev");
    }

    @Test
    void entry_byteArrays_areCopiedInAndOut() {
        byte[] prev = ROOT8.clone();
        byte[] body = BODY.clone();
        Entry entry = new Entry(1, Instant.EPOCH, EntryKind.AUDIT_RESULT, "c", "e", "s", prev, -1, body);
        prev[0] = 0;
        body[1] = 'X';
        entry.prev()[1] = 0;
        entry.bodyBytes()[2] = 'X';

        assertThat(entry.prev()).isEqualTo(ROOT8);
        assertThat(entry.bodyBytes()).isEqualTo(BODY);
        assertThat(entry).isEqualTo(new Entry(1, Instant.EPOCH, EntryKind.AUDIT_RESULT, "c", "e", "s", ROOT8, -1, BODY));
    }

    @Test
    void entryKind_fromWire_roundTripsAndRejectsUnknown() {
        for (EntryKind kind : EntryKind.values()) {
            assertThat(EntryKind.fromWire(kind.wire())).contains(kind);
        }
        assertThat(EntryKind.fromWire("TASK_OUTCOME")).isEmpty();
        assertThat(EntryKind.fromWire("payout ")).isEmpty();
    }

    /** Prints a rough single-thread figure; asserts nothing about speed. */
    @Test
    void canonicalBytes_throughput_isPrinted() {
        Entry entry = sample();
        CanonicalWriter out = new CanonicalWriter(1 << 20);
        for (int i = 0; i < 200_000; i++) {
            out.reset();
            entry.writeCanonical(out);
        }
        long n = 0;
        long start = System.nanoTime();
        long now;
        do {
            for (int i = 0; i < 1000; i++) {
                if (out.size() > (1 << 20) - 1024) {
                    out.reset();
                }
                entry.writeCanonical(out);
            }
            n += 1000;
            now = System.nanoTime();
        } while (now - start < 500_000_000L);
        System.out.printf("Entry.writeCanonical, one thread: %,d entries/s (%d-byte lines)%n",
                n * 1_000_000_000L / (now - start), entry.canonicalBytes().length);
    }

    private static JsonNode randomObject(SplittableRandom random, int depth) {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(depth == 0 ? 1 : 0, 5); i > 0; i--) {
            object.set(randomString(random), randomValue(random, depth + 1));
        }
        return object;
    }

    private static JsonNode randomValue(SplittableRandom random, int depth) {
        int choice = random.nextInt(depth > 3 ? 5 : 7);
        return switch (choice) {
            case 0 -> NODES.textNode(randomString(random));
            case 1 -> NODES.numberNode(random.nextLong(-CanonicalJson.MAX_SAFE_INTEGER, CanonicalJson.MAX_SAFE_INTEGER + 1));
            case 2 -> NODES.numberNode(random.nextInt(-10, 10));
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
            default -> randomObject(random, depth);
        };
    }

    /** Strings full of what canonical JSON must get right: escapes, controls, non-ASCII, surrogate pairs. */
    private static String randomString(SplittableRandom random) {
        String[] pieces = {"a", "Z", "0", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u001f", "\u007f",
                "é", "\u00ff", "\u0800", "\u2028", "\u2029", "\uFEFF", "\uFFFF", "€", "\uD83D\uDE00", "\uDBFF\uDFFF",
                "ü", "日本", " ", "'", "<", "\u0080"};
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            sb.append(pieces[random.nextInt(pieces.length)]);
        }
        return sb.toString();
    }
}
