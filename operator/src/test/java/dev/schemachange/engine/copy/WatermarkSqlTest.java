package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.SqlPlans;
import org.junit.jupiter.api.Test;

/** The SQL the forward triggers embed to consult the backfill mark and fill the journal. */
class WatermarkSqlTest {
    @Test
    void theMarkAndTheJournalSitNextToTheTable() {
        assertThat(
                        new Watermark(SqlPlans.single()).table()
                                + " "
                                + new Watermark(SqlPlans.single()).journal())
                .isEqualTo(
                        """
                `shop`.`orders__osc_wmk` `shop`.`orders__osc_jnl`""");
    }

    @Test
    void dropRemovesBothTables() {
        assertThat(Watermark.dropStatement(SqlPlans.single()))
                .isEqualTo(
                        """
                DROP TABLE IF EXISTS `shop`.`orders__osc_wmk`, `shop`.`orders__osc_jnl`""");
    }

    @Test
    void aKeyIsJournaledWhenAboveTheMarkAndWithinTheCopyRange() {
        assertThat(new Watermark(SqlPlans.single()).journaled("NEW"))
                .isEqualTo(
                        """
                (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0))))""");
    }

    @Test
    void aCompositeKeyIsComparedWithTheMarkLexicographically() {
        assertThat(new Watermark(SqlPlans.composite()).journaled("NEW"))
                .isEqualTo(
                        """
                (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`tenant` < w.after_0) OR (NEW.`tenant` = w.after_0 AND NEW.`id` <= w.after_1))) AND ((NEW.`tenant` < w.max_0) OR (NEW.`tenant` = w.max_0 AND NEW.`id` <= w.max_1)) AND (w.copied = 0 OR NOT ((NEW.`tenant` < w.lo_0) OR (NEW.`tenant` = w.lo_0 AND NEW.`id` <= w.lo_1))))""");
    }

    @Test
    void recordingAKeyAlreadyJournaledIsANoOpUpdateNotAnIgnoredDuplicate() {
        assertThat(new Watermark(SqlPlans.single()).record("OLD"))
                .isEqualTo(
                        """
                INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (OLD.`id`) ON DUPLICATE KEY UPDATE `id` = `id`""");
    }

    @Test
    void recordingACompositeKey() {
        assertThat(new Watermark(SqlPlans.composite()).record("OLD"))
                .isEqualTo(
                        """
                INSERT INTO `shop`.`orders__osc_jnl` (`tenant`, `id`) VALUES (OLD.`tenant`, OLD.`id`) ON DUPLICATE KEY UPDATE `tenant` = `tenant`""");
    }
}
