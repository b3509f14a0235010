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
