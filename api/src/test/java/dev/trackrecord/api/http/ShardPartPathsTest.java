package dev.trackrecord.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.entry.Violation;
import dev.trackrecord.ledger.store.DisputeConflictException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A shard's refusal of its part of a request names the place in the whole request. */
class ShardPartPathsTest {
    @Test
    void anEntryOfThePart_isNamedByItsIndexInTheRequest() {
        assertThat(ShardedApi.pathInRequest("$.entries[0].body.dispute_seq", List.of(1, 3), true))
                .isEqualTo("$.entries[1].body.dispute_seq");
        assertThat(ShardedApi.pathInRequest("$.entries[1].body.target_seq", List.of(1, 3), true))
                .isEqualTo("$.entries[3].body.target_seq");
    }

    @Test
    void aPartOfOneEntry_isNamedByItsIndex_whenTheRequestHeldSeveral() {
        assertThat(ShardedApi.pathInRequest("$.body.dispute_seq", List.of(4), true))
                .isEqualTo("$.entries[4].body.dispute_seq");
        assertThat(ShardedApi.pathInRequest("$.body.dispute_seq", List.of(0), false)).isEqualTo("$.body.dispute_seq");
    }

    @Test
    void theRefusalsMessageAndErrors_moveTogether() {
        var conflict = new DisputeConflictException(List.of(new Violation("$.entries[1].body.dispute_seq", "not open")));
        RuntimeException moved = ShardedApi.inRequest(conflict, List.of(0, 5), true);
        assertThat(((DisputeConflictException) moved).violations())
                .containsExactly(new Violation("$.entries[5].body.dispute_seq", "not open"));
        assertThat(moved.getMessage()).contains("$.entries[5].body.dispute_seq").doesNotContain("[1]");

        var problem = new ProblemException(409, "dispute-conflict", "Dispute does not fit the log",
                "$.body.dispute_seq: not open", List.of(new Violation("$.body.dispute_seq", "not open")), Map.of());
        ProblemException movedProblem = (ProblemException) ShardedApi.inRequest(problem, List.of(2), true);
        assertThat(movedProblem.errors()).containsExactly(new Violation("$.entries[2].body.dispute_seq", "not open"));
        assertThat(movedProblem.getMessage()).isEqualTo("$.entries[2].body.dispute_seq: not open");
        assertThat(movedProblem.status()).isEqualTo(409);
    }
}
