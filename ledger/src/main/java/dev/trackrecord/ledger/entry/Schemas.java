package dev.trackrecord.ledger.entry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import dev.trackrecord.ledger.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The JSON Schemas of {@code schemas/json/}, read once from the classpath (the schemas module puts
 * them under {@code trackrecord/schemas/}) and compiled with networknt's 2020-12 validator. They
 * are served from memory under their {@code $id}s; nothing is fetched over the network.
 *
 * <p>Submissions are checked in two steps that together equal the published schema: the envelope
 * (submission.schema.json without its body selection), then the body against
 * {@code kinds/<kind>.schema.json} picked in Java. Evaluating the schema's nine if/then branches
 * costs about twice as much as the rest of the validation; a test compares both ways. A
 * submission is copied into the validator's Jackson 3 tree once for both steps.
 */
final class Schemas {
    static final String BASE_ID = "https://trackrecord.dev/schemas/";
    static final String CLASSPATH_DIR = "trackrecord/schemas/";
    // Internal variants, beside the published ones so that their relative $refs resolve the same.
    private static final String ENVELOPE_ID = BASE_ID + "submission-envelope.schema.json";
    private static final String REQUEST_ENVELOPE_ID = BASE_ID + "append-request-envelope.schema.json";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The published schemas, as written. */
    final Schema submission;
    final Schema appendRequest;
    final Schema entry;
    /** submission.schema.json without the body selection; append-request.schema.json using it. */
    private final Schema submissionEnvelope;
    private final Schema appendRequestEnvelope;
    private final Map<EntryKind, Schema> bodies = new EnumMap<>(EntryKind.class);

    private Schemas() {
        Map<String, String> texts = new HashMap<>();
        texts.put(BASE_ID + "defs.schema.json", read("defs.schema.json"));
        texts.put(BASE_ID + "personal.schema.json", withoutExtensions(read("personal.schema.json")));
        for (String name : List.of("submission", "append-request", "entry")) {
            texts.put(BASE_ID + name + ".schema.json", read(name + ".schema.json"));
        }
        for (EntryKind kind : EntryKind.values()) {
            String file = bodyFile(kind);
            texts.put(BASE_ID + file, read(file));
        }
        JsonNode defs = parse(texts.get(BASE_ID + "defs.schema.json")).get("$defs");
        texts.put(ENVELOPE_ID, withDefsInlined(envelopeOnly(texts.get(BASE_ID + "submission.schema.json")), ENVELOPE_ID,
                defs));
        for (EntryKind kind : EntryKind.values()) {
            texts.put(BASE_ID + inlinedBodyFile(kind), withDefsInlined(texts.get(BASE_ID + bodyFile(kind)),
                    BASE_ID + inlinedBodyFile(kind), defs));
        }
        texts.put(REQUEST_ENVELOPE_ID, texts.get(BASE_ID + "append-request.schema.json")
                .replace("\"" + BASE_ID + "append-request.schema.json\"", "\"" + REQUEST_ENVELOPE_ID + "\"")
                .replace("\"submission.schema.json\"", "\"submission-envelope.schema.json\""));
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH)
                // 2020-12 makes "format" an annotation by default; dates like 2026-02-30 must fail.
                .formatAssertionsEnabled(true)
                .errorMessageKeyword("errorMessage")
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config).schemas(texts));
        submission = load(registry, BASE_ID + "submission.schema.json");
        appendRequest = load(registry, BASE_ID + "append-request.schema.json");
        entry = load(registry, BASE_ID + "entry.schema.json");
        submissionEnvelope = load(registry, ENVELOPE_ID);
        appendRequestEnvelope = load(registry, REQUEST_ENVELOPE_ID);
        for (EntryKind kind : EntryKind.values()) {
            bodies.put(kind, load(registry, BASE_ID + inlinedBodyFile(kind)));
        }
    }

    /** The shared instance, loaded on first use. */
    static Schemas get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Schemas INSTANCE = new Schemas();
    }

    static String bodyFile(EntryKind kind) {
        return "kinds/" + kind.wire() + ".schema.json";
    }

    /** Adds every way {@code submission} breaks submission.schema.json to {@code out}. */
    void validateSubmission(JsonNode submission, Violations out, Set<String> skip) {
        tools.jackson.databind.JsonNode converted = toJackson3(submission);
        validateConverted(submissionEnvelope, converted, "$", out, skip);
        validateBody(submission, converted, "$", out, skip);
    }

    /** Adds every way {@code request} breaks append-request.schema.json to {@code out}. */
    void validateAppendRequest(JsonNode request, Violations out, Set<String> skip) {
        tools.jackson.databind.JsonNode converted = toJackson3(request);
        validateConverted(appendRequestEnvelope, converted, "$", out, skip);
        JsonNode entries = request.get("entries");
        if (request.isObject() && entries != null && entries.isArray()) {
            for (int i = 0; i < entries.size(); i++) {
                validateBody(entries.get(i), converted.get("entries").get(i), "$.entries[" + i + "]", out, skip);
            }
        } else {
            validateBody(request, converted, "$", out, skip);
        }
    }

    /** Validates the body of {@code submission} ({@code converted} is the same in Jackson 3) against its kind's schema. */
    private void validateBody(JsonNode submission, tools.jackson.databind.JsonNode converted, String path, Violations out,
                              Set<String> skip) {
        if (!submission.isObject()) {
            return;
        }
        JsonNode kind = submission.get("kind");
        JsonNode body = submission.get("body");
        if (kind == null || !kind.isTextual() || body == null) {
            return;
        }
        EntryKind.fromWire(kind.textValue()).ifPresent(k ->
                validateConverted(bodies.get(k), converted.get("body"), CanonicalJson.childPath(path, "body"), out, skip));
    }

    /**
     * Validates {@code document}, found at {@code path}, against {@code schema} and adds every
     * error to {@code out}, one path per error; a member that is missing or not allowed is reported
     * at its own path. Errors at paths in {@code skip} are left out (the caller reported those).
     */
    static void validate(Schema schema, JsonNode document, String path, Violations out, Set<String> skip) {
        validateConverted(schema, toJackson3(document), path, out, skip);
    }

    private static void validateConverted(Schema schema, tools.jackson.databind.JsonNode document, String path,
                                          Violations out, Set<String> skip) {
        List<Error> errors = schema.validate(document);
        for (Error error : errors) {
            String at = path(path, error.getInstanceLocation());
            String property = error.getProperty();
            if (property != null && switch (error.getKeyword()) {
                case "required", "additionalProperties", "unevaluatedProperties", "dependentRequired" -> true;
                default -> false;
            }) {
                at = CanonicalJson.childPath(at, property);
            }
            if (!skip.contains(at)) {
                out.add(at, rule(error));
            }
        }
    }

    private static String rule(Error error) {
        return switch (error.getKeyword()) {
            case "required" -> "required";
            case "additionalProperties", "unevaluatedProperties" -> "unknown member, not allowed";
            default -> "format.date-time".equals(error.getMessageKey())
                    ? "must be a valid RFC 3339 date-time"
                    : error.getMessage();
        };
    }

    private static String path(String base, NodePath location) {
        String path = base;
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            path = element instanceof Integer index
                    ? path + "[" + index + "]"
                    : CanonicalJson.childPath(path, element.toString());
        }
        return path;
    }

    /** Copies a Jackson 2 tree (the ledger's) into a Jackson 3 tree (the validator's). */
    static tools.jackson.databind.JsonNode toJackson3(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                tools.jackson.databind.node.ObjectNode object = NODES.objectNode();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    object.set(field.getKey(), toJackson3(field.getValue()));
                }
                yield object;
            }
            case ARRAY -> {
                ArrayNode array = NODES.arrayNode(node.size());
                for (JsonNode item : node) {
                    array.add(toJackson3(item));
                }
                yield array;
            }
            case STRING -> NODES.stringNode(node.textValue());
            case NUMBER -> switch (node.numberType()) {
                case INT, LONG -> NODES.numberNode(node.longValue());
                case BIG_INTEGER -> NODES.numberNode(node.bigIntegerValue());
                default -> {
                    // A float beyond the long range (1e400 reads as Infinity; 1e30 as a double)
                    // makes the validator's range checks fail converting it to a long. No schema
                    // bound is that large, so an integer just past the long range, of the same
                    // sign, gets the same verdict from every check.
                    double d = node.doubleValue();
                    if (Double.isNaN(d) || Math.abs(d) >= 0x1p63) {
                        java.math.BigInteger beyond = java.math.BigInteger.ONE.shiftLeft(64);
                        yield NODES.numberNode(d < 0 ? beyond.negate() : beyond);
                    }
                    yield NODES.numberNode(node.decimalValue());
                }
            };
            case BOOLEAN -> NODES.booleanNode(node.booleanValue());
            case NULL -> NODES.nullNode();
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        };
    }

    private static Schema load(SchemaRegistry registry, String id) {
        Schema schema = registry.getSchema(SchemaLocation.of(id));
        schema.initializeValidators();
        return schema;
    }

    /** kinds/KIND.schema.json with its references to defs.schema.json inlined, beside it so other references resolve the same. */
    private static String inlinedBodyFile(EntryKind kind) {
        return "kinds/" + kind.wire() + ".inlined.schema.json";
    }

    /**
     * {@code schema}, under the $id {@code id} (in the folder of the schema it copies), with every
     * {@code {"$ref": "...defs.schema.json#/$defs/NAME"}} replaced by that definition, its own
     * references inlined too. The validator then evaluates the definition's keywords in place
     * instead of through a $ref, which for a body of a dozen members was a tenth of validating it;
     * it reports the same errors, at the same instance paths, with the same messages.
     */
    private static String withDefsInlined(String schema, String id, JsonNode defs) {
        ObjectNode root = (ObjectNode) inlineDefs(parse(schema), URI.create(id), defs, 0);
        root.put("$id", id);
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an inlined schema", e);
        }
    }

    private static JsonNode inlineDefs(JsonNode node, URI base, JsonNode defs, int depth) {
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode copy = new ObjectMapper().createArrayNode();
            node.forEach(item -> copy.add(inlineDefs(item, base, defs, depth)));
            return copy;
        }
        if (!node.isObject()) {
            return node;
        }
        JsonNode ref = node.get("$ref");
        String target = ref != null && ref.isTextual() ? base.resolve(ref.textValue()).toString() : null;
        if (target != null && node.size() == 1 && depth < 16) {
            String prefix = BASE_ID + "defs.schema.json#/$defs/";
            JsonNode def = target.startsWith(prefix) ? defs.get(target.substring(prefix.length())) : null;
            if (def != null && def.isObject() && !def.has("$id") && !def.has("$anchor") && !def.has("$dynamicAnchor")) {
                return inlineDefs(def, URI.create(BASE_ID + "defs.schema.json"), defs, depth + 1);
            }
        }
        ObjectNode copy = new ObjectMapper().createObjectNode();
        node.properties().forEach(member -> copy.set(member.getKey(), inlineDefs(member.getValue(), base, defs, depth)));
        if (target != null) {
            copy.put("$ref", target); // absolute: the copy may sit in another document than the original
        }
        return copy;
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a schema is not JSON", e);
        }
    }

    /** submission.schema.json without its body selection, under an internal $id. */
    private static String envelopeOnly(String submissionSchema) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            ObjectNode schema = (ObjectNode) mapper.readTree(submissionSchema);
            if (schema.remove("$ref") == null) {
                throw new IllegalStateException("submission.schema.json no longer selects the body with $ref");
            }
            schema.put("$id", ENVELOPE_ID);
            return mapper.writeValueAsString(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("submission.schema.json is not JSON", e);
        }
    }

    /**
     * The schema without its {@code x-} annotations (x-personal, x-fields-by-kind), which the
     * validator would log as unknown keywords; {@link PersonalFields} applies them.
     */
    private static String withoutExtensions(String schema) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            JsonNode root = mapper.readTree(schema);
            removeExtensions(root);
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("personal.schema.json is not JSON", e);
        }
    }

    private static void removeExtensions(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(f -> f.getKey().startsWith("x-"));
            object.forEach(Schemas::removeExtensions);
        }
    }

    private static String read(String file) {
        String resource = CLASSPATH_DIR + file;
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }
}
