package dev.trackrecord.ledger.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemasTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Schemas SCHEMAS = Schemas.get();

    /** Every example, plus documents that stress the body selection. */
    static Stream<JsonNode> documents() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        for (String dir : List.of("valid", "invalid")) {
            for (String name : Examples.list(dir)) {
                if (!name.equals("expected-paths.json")) {
                    docs.add(MAPPER.readTree(Examples.read(dir + "/" + name)));
                }
            }
        }
        ObjectNode base = (ObjectNode) MAPPER.readTree(Examples.read("valid/audit.result.json"));
        docs.add(base.deepCopy().put("kind", 7));
        docs.add(base.deepCopy().put("kind", "payout"));
        docs.add(base.deepCopy().put("body", "text"));
        ObjectNode noKind = base.deepCopy();
        noKind.remove("kind");
        docs.add(noKind);
        ObjectNode badBody = base.deepCopy();
        ((ObjectNode) badBody.get("body")).put("score_bp", 1.5).put("verdict", "maybe").remove("task_id");
        docs.add(badBody);
        docs.add(MAPPER.readTree("{\"entries\":[" + badBody + "," + noKind + ",3]}"));
        docs.add(MAPPER.readTree("{\"entries\":{}}"));
        docs.add(MAPPER.readTree("\"text\""));
        return docs.stream();
    }

    @ParameterizedTest
    @MethodSource("documents")
    void twoStepValidation_reportsTheSameAsThePublishedSchema(JsonNode document) {
        Violations published = new Violations();
        Violations twoStep = new Violations();

        if (document.has("entries")) {
            Schemas.validate(SCHEMAS.appendRequest, document, "$", published, Set.of());
            SCHEMAS.validateAppendRequest(document, twoStep, Set.of());
        } else {
            Schemas.validate(SCHEMAS.submission, document, "$", published, Set.of());
            SCHEMAS.validateSubmission(document, twoStep, Set.of());
        }

        assertThat(twoStep.list()).containsExactlyInAnyOrderElementsOf(published.list());
    }

    /**
     * The validator's schemas (the body picked in Java, definitions inlined, simple patterns matched
     * without java.util.regex) against the published schema, on seeded random changes to the valid
     * examples: values swapped for ones near the rules' edges, members dropped and added.
     */
    @Test
    void twoStepValidation_randomlyChangedExamples_reportsTheSameAsThePublishedSchema() throws Exception {
        List<JsonNode> examples = new ArrayList<>();
        for (String name : Examples.list("valid")) {
            examples.add(MAPPER.readTree(Examples.read("valid/" + name)));
        }
        String[] strings = {"", "2026-02-30T00:00:00Z", "2026-11-01T10:00:00.123456789Z", "2026-11-01t10:00:00z",
            "2026-11-01T23:59:60Z", "2026-11-01T10:00:00.1234567891Z", "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z",
            "_system", "a@b.com", "\ud800", "\u00e9", "abc\n", "USD", "usd", "gold", "c-1.x:y_z", "-c", "e/1",
            "x".repeat(64), "x".repeat(65), "y".repeat(128), "y".repeat(129), "audit.result", "payout", "none",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "payout@2033-03-18", "ABC", "a b"};
        java.util.Random random = new java.util.Random(2020_12);
        for (int i = 0; i < 3000; i++) {
            JsonNode document = examples.get(random.nextInt(examples.size())).deepCopy();
            for (int changes = 1 + random.nextInt(2); changes > 0; changes--) {
                List<JsonNode> containers = new ArrayList<>();
                collectContainers(document, containers);
                JsonNode target = containers.get(random.nextInt(containers.size()));
                JsonNode value = switch (random.nextInt(6)) {
                    case 0, 1, 2 -> MAPPER.getNodeFactory().textNode(strings[random.nextInt(strings.length)]
                            .translateEscapes());
                    case 3 -> MAPPER.getNodeFactory().numberNode(random.nextInt(20_000) - 100);
                    case 4 -> MAPPER.getNodeFactory().arrayNode().add(strings[random.nextInt(strings.length)]);
                    default -> MAPPER.getNodeFactory().booleanNode(random.nextBoolean());
                };
                if (target instanceof ObjectNode object) {
                    List<String> names = new ArrayList<>();
                    object.fieldNames().forEachRemaining(names::add);
                    if (names.isEmpty() || random.nextInt(8) == 0) {
                        object.set("extra", value);
                    } else if (random.nextInt(8) == 0) {
                        object.remove(names.get(random.nextInt(names.size())));
                    } else {
                        object.set(names.get(random.nextInt(names.size())), value);
                    }
                } else if (target instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
                    array.add(value);
                }
            }
            twoStepValidation_reportsTheSameAsThePublishedSchema(document);
        }
    }

    private static void collectContainers(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collectContainers(child, out));
        }
    }

    @Test
    void javaPatterns_equalTheSchemaPatterns() throws Exception {
        JsonNode defs = MAPPER.readTree(getClass().getClassLoader()
                .getResourceAsStream(Schemas.CLASSPATH_DIR + "defs.schema.json")).get("$defs");
        JsonNode entry = MAPPER.readTree(getClass().getClassLoader()
                .getResourceAsStream(Schemas.CLASSPATH_DIR + "entry.schema.json")).get("properties");

        assertThat(Entry.CONTRACTOR_PATTERN).isEqualTo(defs.get("contractor").get("pattern").textValue());
        assertThat(Entry.EVENT_ID_PATTERN).isEqualTo(defs.get("event_id").get("pattern").textValue());
        assertThat(Entry.SOURCE_PATTERN).isEqualTo(entry.get("source").get("pattern").textValue());
    }

    @Test
    void kindEnum_inSchema_matchesEntryKind() throws Exception {
        JsonNode kinds = MAPPER.readTree(getClass().getClassLoader()
                .getResourceAsStream(Schemas.CLASSPATH_DIR + "defs.schema.json")).get("$defs").get("kind").get("enum");
        List<String> names = new ArrayList<>();
        kinds.forEach(k -> names.add(k.textValue()));

        assertThat(names).containsExactly(Stream.of(EntryKind.values()).map(EntryKind::wire).toArray(String[]::new));
    }
}
