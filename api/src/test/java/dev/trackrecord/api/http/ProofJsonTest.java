package dev.trackrecord.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The proof answers written by hand are the bytes Jackson writes of the same objects. */
class ProofJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void inclusionAndConsistencyAnswers_areJacksonsBytes() throws Exception {
        Random random = new Random(7);
        for (int length : new int[] {0, 1, 2, 17, 63}) {
            List<byte[]> proof = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                byte[] h = new byte[32];
                random.nextBytes(h);
                proof.add(h);
            }
            byte[] leaf = new byte[32];
            random.nextBytes(leaf);
            long seq = random.nextLong(1L << 40);
            long size = seq + 1 + random.nextInt(1000);

            ObjectNode inclusion = JSON.createObjectNode();
            inclusion.put("leaf_index", seq);
            inclusion.put("tree_size", size);
            inclusion.put("leaf_hash", HEX.formatHex(leaf));
            hashes(inclusion, proof);
            assertThat(new String(Api.inclusionJson(seq, size, leaf, proof)))
                    .isEqualTo(JSON.writeValueAsString(inclusion));

            ObjectNode consistency = JSON.createObjectNode();
            consistency.put("size1", seq);
            consistency.put("size2", size);
            hashes(consistency, proof);
            assertThat(new String(Api.consistencyJson(seq, size, proof))).isEqualTo(JSON.writeValueAsString(consistency));
        }
    }

    private static void hashes(ObjectNode answer, List<byte[]> proof) {
        ArrayNode hashes = answer.putArray("hashes");
        proof.forEach(h -> hashes.add(HEX.formatHex(h)));
    }
}
