package dev.trackrecord.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsensusRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void canonicalBytes_equalRfc8785OfTheSortedRequest() throws Exception {
        String body = """
                {"task_ref":"t/1","skill":"ner","batch_id":"b:1","classes":["zé","a\\"q","x\\ny"],
                 "labels":[{"label":"zé","contractor":"c-2","item":"😀 x"},{"item":"é","contractor":"c-1","label":"a\\"q"},
                           {"item":"😀 x","contractor":"c-1","label":"x\\ny"},{"item":"é","contractor":"c-2","label":"zé"},
                           {"item":"\\u007f","contractor":"c-2","label":"zé"},{"item":"\\u007f","contractor":"c-1","label":"zé"}],
                 "gold":[{"item":"é","gold":"zé"},{"item":"\\u007f","gold":"x\\ny"}]}
                """;
        ConsensusRequest r = ConsensusRequest.parse(JSON.readTree(body));

        ObjectNode expected = (ObjectNode) JSON.readTree(body);
        expected.put("method", "ds");
        List<JsonNode> labels = new ArrayList<>();
        expected.get("labels").forEach(labels::add);
        labels.sort(Comparator.comparing((JsonNode l) -> l.get("item").asText()).thenComparing(l -> l.get("contractor").asText()));
        ArrayNode sorted = expected.putArray("labels");
        labels.forEach(sorted::add);
        List<JsonNode> gold = new ArrayList<>();
        expected.get("gold").forEach(gold::add);
        gold.sort(Comparator.comparing(g -> g.get("item").asText()));
        expected.putArray("gold").addAll(gold);
        List<String> classes = new ArrayList<>();
        expected.get("classes").forEach(c -> classes.add(c.asText()));
        classes.sort(null);
        ArrayNode cs = expected.putArray("classes");
        classes.forEach(cs::add);

        assertThat(new String(r.canonicalBytes(), StandardCharsets.UTF_8))
                .isEqualTo(new String(CanonicalJson.canonicalize(expected), StandardCharsets.UTF_8));
    }

    @Test
    void parse_unpairedSurrogate_isRefusedNamingTheField() {
        String body = "{\"batch_id\":\"b\",\"skill\":\"s\",\"task_ref\":\"t\",\"labels\":[{\"item\":\"\\ud800\",\"contractor\":\"c\",\"label\":\"a\"}]}";
        assertThatThrownBy(() -> ConsensusRequest.parse(JSON.readTree(body)))
                .isInstanceOf(ConsensusRequest.Invalid.class)
                .hasMessageContaining("$.labels[0].item");
    }
}
