package dev.trackrecord.ledger.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BytesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void indexOf_findsTheFirstPlace_orMinusOne() {
        assertThat(Bytes.indexOf(b("{\"kind\":\"a\",\"kind\":\"b\"}"), b("\"kind\""))).isEqualTo(1);
        assertThat(Bytes.indexOf(b("aab"), b("ab"))).isEqualTo(1);
        assertThat(Bytes.indexOf(b("abc"), b("abc"))).isZero();
        assertThat(Bytes.indexOf(b("ab"), b("abc"))).isEqualTo(-1);
        assertThat(Bytes.indexOf(b("abc"), b("c\""))).isEqualTo(-1);
        assertThat(Bytes.indexOf(b("abc"), b(""))).isZero();
    }
}
