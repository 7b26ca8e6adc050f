package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.SqlPlans;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the chunk size and a statement's share of it follow the copy rate. */
class ChunkerSizeTest {
    private static final Duration TARGET = Duration.ofMillis(500);

    @Test
    void theChunkSizeFollowsTheObservedRateUpToTheCap() {
        Chunker chunker = new Chunker(SqlPlans.single(), TARGET, 50_000, 1000);
        for (int i = 0; i < 20; i++) {
            chunker.observe(chunker.size(), chunker.size() / 100); // 100 rows per millisecond
        }
        assertThat(chunker.size()).isEqualTo(50_000);
    }

    @Test
    void aStatementsRowsFollowTheRateEvenWhenTheCapHoldsTheChunkSmaller() {
        // 10,000-row chunks (a byte cap) copied in 60 ms: a 20 ms statement is a third of one,
        // not the cap's share of the 500 ms target (400 rows)
        Chunker chunker = new Chunker(SqlPlans.single(), TARGET, 10_000, 10_000);
        for (int i = 0; i < 5; i++) {
            chunker.observe(10_000, 60);
        }
        assertThat(chunker.size()).isEqualTo(10_000);
        assertThat(chunker.rowsIn(Duration.ofMillis(20))).isEqualTo(3333);
    }

    @Test
    void beforeAnyChunkAStatementIsTheStartingSizesShareOfTheTarget() {
        Chunker chunker = new Chunker(SqlPlans.single(), TARGET, 50_000, 1000);
        assertThat(chunker.rowsIn(Duration.ofMillis(20))).isEqualTo(40);
    }

    @Test
    void oneFastChunkRaisesTheRateAtMostFourfold() {
        Chunker chunker = new Chunker(SqlPlans.single(), TARGET, 50_000, 1000);
        chunker.observe(1000, 100); // 10 rows per millisecond
        chunker.observe(1000, 1); // a cached chunk: 1,000 per millisecond
        // (10 + min(1000, 40)) / 2 = 25 rows per millisecond
        assertThat(chunker.rowsIn(Duration.ofMillis(20))).isEqualTo(500);
    }
}
