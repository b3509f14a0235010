package dev.trackrecord.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs transparency-dev/merkle's proof verification vectors (resources
 * {@code vectors/merkle/}, see SOURCE.txt there): files with {@code "wantErr": false} must
 * verify, all others must fail with a {@link ProofException}. Hashes are base64, indexes
 * 0-based.
 */
class VectorFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = resourceRoot();

    static Stream<String> inclusionFiles() throws IOException {
        return jsonFiles("inclusion");
    }

    static Stream<String> consistencyFiles() throws IOException {
        return jsonFiles("consistency");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inclusionFiles")
    void inclusionVector(String file) throws IOException {
        JsonNode v = JSON.readTree(ROOT.resolve(file).toFile());
        long index = v.get("leafIdx").asLong();
        long treeSize = v.get("treeSize").asLong();
        byte[] leafHash = base64(v.get("leafHash"));
        byte[] root = base64(v.get("root"));
        List<byte[]> proof = base64List(v.get("proof"));

        expect(file, v, () -> ProofVerifier.verifyInclusion(index, treeSize, leafHash, proof, root));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("consistencyFiles")
    void consistencyVector(String file) throws IOException {
        JsonNode v = JSON.readTree(ROOT.resolve(file).toFile());
        long size1 = v.get("size1").asLong();
        long size2 = v.get("size2").asLong();
        byte[] root1 = base64(v.get("root1"));
        byte[] root2 = base64(v.get("root2"));
        List<byte[]> proof = base64List(v.get("proof"));

        expect(file, v, () -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2));
    }

    @Test
    void vectorFiles_areAllPresent() throws IOException {
        assertThat(inclusionFiles()).hasSize(98);
        assertThat(consistencyFiles()).hasSize(98);
        assertThat(Stream.concat(inclusionFiles(), consistencyFiles()).filter(f -> f.endsWith("happy-path.json")))
                .hasSize(10);
    }

    private static void expect(String file, JsonNode vector, ThrowingCallable verification) {
        String desc = file + " (" + vector.get("desc").asText() + ")";
        if (vector.get("wantErr").asBoolean()) {
            assertThatThrownBy(verification).as(desc).isInstanceOf(ProofException.class);
        } else {
            assertThatCode(verification).as(desc).doesNotThrowAnyException();
        }
    }

    private static Stream<String> jsonFiles(String kind) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve(kind))) {
            List<String> names = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> ROOT.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .forEach(names::add);
            return names.stream();
        }
    }

    private static byte[] base64(JsonNode text) {
        return Base64.getDecoder().decode(text.asText());
    }

    private static List<byte[]> base64List(JsonNode array) {
        List<byte[]> hashes = new ArrayList<>();
        if (array != null && !array.isNull()) {
            array.forEach(h -> hashes.add(base64(h)));
        }
        return hashes;
    }

    private static Path resourceRoot() {
        try {
            return Path.of(VectorFilesTest.class.getResource("/vectors/merkle").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
