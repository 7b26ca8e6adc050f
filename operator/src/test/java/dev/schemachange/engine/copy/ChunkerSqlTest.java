package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.engine.plan.Plan;
import dev.schemachange.testing.SqlPlans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chunk range predicates the copier and the checksum run (next() and maxKey() need a server).
 */
class ChunkerSqlTest {
    private static String where(Plan plan, List<String> after, List<String> upTo, boolean shadow) {
        return sql(plan, after, upTo, shadow, new ArrayList<>());
    }

    private static String params(Plan plan, List<String> after, List<String> upTo, boolean shadow) {
        List<Object> params = new ArrayList<>();
        sql(plan, after, upTo, shadow, params);
        return params.toString();
    }

    private static String sql(
            Plan plan, List<String> after, List<String> upTo, boolean shadow, List<Object> params) {
        Chunker chunker = new Chunker(plan, Duration.ofMillis(500), 1000, 100);
        Chunker.Range range = new Chunker.Range(after, upTo);
        return shadow
                ? chunker.where(range, params, plan.parts().get(0))
                : chunker.where(range, params);
    }

    @Test
    void aRangeOverTheSourceIsAfterTheCursorAndUpToTheBoundary() {
        assertThat(where(SqlPlans.single(), List.of("10"), List.of("20"), false))
                .isEqualTo(
                        """
                s.`id` > CAST(? AS SIGNED) AND s.`id` <= CAST(? AS SIGNED)""");
    }

    @Test
    void itsParametersAreTheCursorThenTheBoundary() {
        assertThat(params(SqlPlans.single(), List.of("10"), List.of("20"), false))
                .isEqualTo(
                        """
                [10, 20]""");
    }

    @Test
    void aCompositeRangeIsTheConjunctionOfBothExpandedBounds() {
        assertThat(where(SqlPlans.composite(), List.of("1", "10"), List.of("2", "20"), false))
                .isEqualTo(
                        """
                ((s.`tenant` > CAST(? AS UNSIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` > CAST(? AS SIGNED))) AND ((s.`tenant` < CAST(? AS UNSIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` <= CAST(? AS SIGNED)))""");
    }

    @Test
    void aCompositeRangesParametersRepeatThePrefix() {
        assertThat(params(SqlPlans.composite(), List.of("1", "10"), List.of("2", "20"), false))
                .isEqualTo(
                        """
                [1, 1, 10, 2, 2, 20]""");
    }

    @Test
    void aRangeToTheEndOverAShadowUsesTheShadowsNamesAndAliasT() {
        assertThat(where(SqlPlans.composite(), List.of("1", "10"), null, true))
                .isEqualTo(
                        """
                ((t.`tenant` > CAST(? AS UNSIGNED)) OR (t.`tenant` = CAST(? AS UNSIGNED) AND t.`id` > CAST(? AS SIGNED)))""");
    }

    @Test
    void anUnboundedRangeIsEverything() {
        assertThat(where(SqlPlans.single(), null, null, false))
                .isEqualTo(
                        """
                1 = 1""");
    }

    @Test
    void theSourceIsAliasedS() {
        assertThat(new Chunker(SqlPlans.single(), Duration.ofMillis(500), 1000, 100).source())
                .isEqualTo(
                        """
                `shop`.`orders` s""");
    }

    @Test
    void theBoundaryQueryForcesTheChunkKeysIndex() {
        assertThat(new Chunker(SqlPlans.single(), Duration.ofMillis(500), 1000, 100).forceIndex())
                .isEqualTo(" FORCE INDEX (`PRIMARY`)");
    }
}
