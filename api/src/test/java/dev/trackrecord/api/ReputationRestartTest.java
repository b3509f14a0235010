package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trackrecord.api.auth.Role;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The reputation index survives a restart through its snapshot, and follows the log after it. */
class ReputationRestartTest {

    @Test
    void restart_restoresFromTheSnapshotWithTheSameScores() throws Exception {
        TestServer first = TestServer.start();
        for (int i = 0; i < 5; i++) {
            first.append(ReputationRoutesTest.audit("c-restart", "2026-10-01T10:00:00Z", 8000 + i * 300, "ner"));
        }
        long size = first.logSize();
        JsonNode before = TestServer.json(first.get("/v1/contractors/c-restart/reputation",
                first.token(Role.MARKETPLACE)).body());
        first.stop();
        assertThat(first.dir.resolve("reputation.snapshot")).exists();

        try (TestServer second = TestServer.start(first.dir)) {
            assertThat(second.server.reputation().restoredFrom()).isEqualTo(size);
            JsonNode after = TestServer.json(second.get("/v1/contractors/c-restart/reputation",
                    second.token(Role.MARKETPLACE)).body());
            assertThat(after.get("overall")).isEqualTo(before.get("overall"));
            assertThat(after.get("skills")).isEqualTo(before.get("skills"));
            second.append(ReputationRoutesTest.audit("c-restart", "2026-10-02T10:00:00Z", 0, "ner"));
            JsonNode followed = TestServer.json(second.get("/v1/contractors/c-restart/reputation",
                    second.token(Role.MARKETPLACE)).body());
            assertThat(followed.get("overall").get("score").asDouble())
                    .isLessThan(before.get("overall").get("score").asDouble());
        }
    }

    @Test
    void restart_withAnUnreadableSnapshot_replaysTheLog() throws Exception {
        TestServer first = TestServer.start();
        first.append(ReputationRoutesTest.audit("c-corrupt", "2026-10-01T10:00:00Z", 9000, "ner"));
        first.stop();
        Files.write(first.dir.resolve("reputation.snapshot"), new byte[]{1, 2, 3});
        try (TestServer second = TestServer.start(first.dir)) {
            assertThat(second.server.reputation().restoredFrom()).isEqualTo(-1);
            assertThat(second.get("/v1/contractors/c-corrupt/reputation", second.token(Role.MARKETPLACE)).statusCode())
                    .isEqualTo(200);
        }
    }
}
