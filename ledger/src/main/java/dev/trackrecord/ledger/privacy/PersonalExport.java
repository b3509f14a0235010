package dev.trackrecord.ledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trackrecord.ledger.json.CanonicalJson;
import dev.trackrecord.ledger.json.InvalidJsonException;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code personal.json} of a contractor's own export (schema {@code personal-export.schema.json}):
 * for each of their entries that holds sealed personal data, the values opened from the vault
 * with the salt that proves them against the entry's commitments, or, where the key was destroyed,
 * the seq and key under {@code shredded}.
 */
public final class PersonalExport {
    public static final String FORMAT = "trackrecord-personal/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private PersonalExport() {
    }

    /**
     * The document for {@code contractor} over {@code entries}, their entries' canonical bytes in
     * seq order, as canonical JSON with a trailing newline.
     */
    public static byte[] build(String contractor, Iterable<byte[]> entries, Vault vault) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("contractor", contractor);
        doc.put("format", FORMAT);
        ArrayNode records = doc.putArray("records");
        ArrayNode shredded = doc.putArray("shredded");
        for (byte[] bytes : entries) {
            JsonNode e = JSON.readTree(bytes);
            JsonNode sealed = e.path("body").path("personal");
            if (!sealed.isObject() || !contractor.equals(e.path("contractor").asText())) {
                continue;
            }
            String key = sealed.path("key").asText();
            Map<String, String> commitments = new TreeMap<>();
            sealed.path("fields").properties().forEach(f -> commitments.put(f.getKey(), f.getValue().asText()));
            Optional<Vault.Opened> opened = vault.open(contractor, key, e.path("event_id").asText(), commitments);
            if (opened.isPresent()) {
                ObjectNode r = records.addObject();
                r.put("seq", e.path("seq").asLong());
                r.put("kind", e.path("kind").asText());
                r.put("event_id", e.path("event_id").asText());
                r.put("key", key);
                r.put("salt", HEX.formatHex(opened.get().salt()));
                ObjectNode fields = r.putObject("fields");
                new TreeMap<>(opened.get().fields()).forEach(fields::put);
            } else {
                shredded.addObject().put("seq", e.path("seq").asLong()).put("key", key);
            }
        }
        try {
            byte[] canonical = CanonicalJson.canonicalize(doc);
            byte[] out = new byte[canonical.length + 1];
            System.arraycopy(canonical, 0, out, 0, canonical.length);
            out[canonical.length] = '\n';
            return out;
        } catch (InvalidJsonException e) {
            throw new IllegalStateException(e);
        }
    }
}
