package dev.trackrecord.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentifierTest {
    @Test
    void isIdentifier_agreesWithThePatternItStandsFor() {
        String alphabet = "aZ09_.:-/ é\u0000\n\"";
        Random random = new Random(20261129);
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(70);
            StringBuilder s = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                // Mostly valid characters, so that long valid ids and near misses both come up.
                s.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : "abcXYZ0189_.:-".charAt(random.nextInt(14)));
            }
            String id = s.toString();
            assertThat(Api.isIdentifier(id)).as("'%s'", id).isEqualTo(Api.IDENTIFIER.matcher(id).matches());
        }
    }

    @Test
    void isIdentifier_edges() {
        assertThat(Api.isIdentifier("c-1")).isTrue();
        assertThat(Api.isIdentifier("_system")).isTrue();
        assertThat(Api.isIdentifier("a".repeat(64))).isTrue();
        assertThat(Api.isIdentifier("a".repeat(65))).isFalse();
        assertThat(Api.isIdentifier("")).isFalse();
        assertThat(Api.isIdentifier("-c")).isFalse();
        assertThat(Api.isIdentifier(".c")).isFalse();
        assertThat(Api.isIdentifier("c/1")).isFalse();
    }
}
