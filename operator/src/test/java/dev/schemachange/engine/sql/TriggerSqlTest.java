package dev.schemachange.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.testing.SqlPlans;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trigger bodies, pinned as text: what the forward and reverse triggers do is all in these
 * strings.
 */
class TriggerSqlTest {
    private static final String CONFLICTS = "`_schemachange`.`conflicts`";

    @Test
    void forwardTriggersAreDeleteUpdateInsertAndDropInInsertUpdateDeleteOrder() {
        TriggerSql sql = new TriggerSql(SqlPlans.single(), CONFLICTS);
        assertThat(sql.create()).hasSize(3);
        assertThat(sql.drop())
                .containsExactly(
                        "DROP TRIGGER IF EXISTS `shop`.`orders__osc_ins`",
                        "DROP TRIGGER IF EXISTS `shop`.`orders__osc_upd`",
                        "DROP TRIGGER IF EXISTS `shop`.`orders__osc_del`");
    }

    @Test
    void aSplitHasReverseTriggersOnEveryPart() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).dropReverse())
                .isEqualTo(
                        List.of(
                                "DROP TRIGGER IF EXISTS `shop`.`orders__osc_rins`",
                                "DROP TRIGGER IF EXISTS `shop`.`orders__osc_rupd`",
                                "DROP TRIGGER IF EXISTS `shop`.`orders__osc_rdel`",
                                "DROP TRIGGER IF EXISTS `shop`.`order_notes__osc_rins`",
                                "DROP TRIGGER IF EXISTS `shop`.`order_notes__osc_rupd`",
                                "DROP TRIGGER IF EXISTS `shop`.`order_notes__osc_rdel`"));
    }

    @Test
    void deleteMirrorsByRemovingTheOldKeyFromTheShadow() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).create().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_del` AFTER DELETE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; END IF; END""");
    }

    @Test
    void
            updateOfTheSameKeyIsInPlaceAndAKeyChangeDeletesTheOldKeyThenInsertsTheNewOneAndAWriteThatDidNotLandIsRewrittenOnceThenAConflict() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).create().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_upd` AFTER UPDATE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF NEW.`id` = OLD.`id` THEN UPDATE IGNORE `shop`.`orders__osc_new` SET `shop`.`orders__osc_new`.`id` = NEW.`id`, `shop`.`orders__osc_new`.`note` = NEW.`note` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void
            insertWritesFirstAndTouchesAnExistingRowOnlyWhenTheInsertDidNotLandComparingTextAsUtf8mb4Bin() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).create().get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_ins` AFTER INSERT ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END""");
    }

    @Test
    void withAWatermarkADeleteBetweenTheMarkAndTheEndOfTheCopyRangeIsJournaled() {
        assertThat(
                        new TriggerSql(
                                        SqlPlans.single(),
                                        CONFLICTS,
                                        new Watermark(SqlPlans.single()))
                                .create()
                                .get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_del` AFTER DELETE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((OLD.`id` <= w.after_0))) AND ((OLD.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((OLD.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (OLD.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; END IF; END IF; END""");
    }

    @Test
    void withAWatermarkAnUpdateDecidesForItsOldKeyAndItsNewKeySeparately() {
        assertThat(
                        new TriggerSql(
                                        SqlPlans.single(),
                                        CONFLICTS,
                                        new Watermark(SqlPlans.single()))
                                .create()
                                .get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_upd` AFTER UPDATE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF NEW.`id` = OLD.`id` THEN IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (NEW.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE UPDATE IGNORE `shop`.`orders__osc_new` SET `shop`.`orders__osc_new`.`id` = NEW.`id`, `shop`.`orders__osc_new`.`note` = NEW.`note` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; ELSE IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((OLD.`id` <= w.after_0))) AND ((OLD.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((OLD.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (OLD.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; END IF; IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (NEW.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void withAWatermarkAnInsertIsJournaledOrMirrored() {
        assertThat(
                        new TriggerSql(
                                        SqlPlans.single(),
                                        CONFLICTS,
                                        new Watermark(SqlPlans.single()))
                                .create()
                                .get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_ins` AFTER INSERT ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (NEW.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void reverseInsertWritesFirstAndReplacesAStaleOldRowOnlyWhenTheInsertDidNotLand() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).createReverse().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rins` AFTER INSERT ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_old`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_old`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_old`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_old`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); END IF; END IF; END""");
    }

    @Test
    void
            reverseUpdateIsNotIgnoredSoAKeyChangeChildrenRestrictFailsTheStatementAndInsertsOnlyAMissingRow() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).createReverse().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rupd` AFTER UPDATE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); UPDATE `shop`.`orders__osc_old` SET `shop`.`orders__osc_old`.`id` = NEW.`id`, `shop`.`orders__osc_old`.`note` = NEW.`note` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id`) THEN INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); END IF; END IF; END""");
    }

    @Test
    void reverseDeleteRemovesTheOldRow() {
        assertThat(new TriggerSql(SqlPlans.single(), CONFLICTS).createReverse().get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rdel` AFTER DELETE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; END""");
    }

    @Test
    void compositeKeyDeleteMatchesEveryKeyColumn() {
        assertThat(new TriggerSql(SqlPlans.composite(), CONFLICTS).create().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_del` AFTER DELETE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = OLD.`tenant` AND `shop`.`orders__osc_new`.`id` = OLD.`id`; END IF; END""");
    }

    @Test
    void compositeKeyUpdateMapsRenamedColumnsAndReportsTheWholeKeyAsTheConflictDetail() {
        assertThat(new TriggerSql(SqlPlans.composite(), CONFLICTS).create().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_upd` AFTER UPDATE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF NEW.`tenant` = OLD.`tenant` AND NEW.`id` = OLD.`id` THEN UPDATE IGNORE `shop`.`orders__osc_new` SET `shop`.`orders__osc_new`.`tenant` = NEW.`tenant`, `shop`.`orders__osc_new`.`id` = NEW.`id`, `shop`.`orders__osc_new`.`memo` = NEW.`note` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`tenant`, `id`, `memo`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`tenant`, NEW.`id`), 500), NOW(6)); END IF; END IF; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = OLD.`tenant` AND `shop`.`orders__osc_new`.`id` = OLD.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`tenant`, `id`, `memo`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`tenant`, `id`, `memo`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`tenant`, NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void compositeKeyWatermarkComparesTheKeyLexicographically() {
        assertThat(
                        new TriggerSql(
                                        SqlPlans.composite(),
                                        CONFLICTS,
                                        new Watermark(SqlPlans.composite()))
                                .create()
                                .get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_ins` AFTER INSERT ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`tenant` < w.after_0) OR (NEW.`tenant` = w.after_0 AND NEW.`id` <= w.after_1))) AND ((NEW.`tenant` < w.max_0) OR (NEW.`tenant` = w.max_0 AND NEW.`id` <= w.max_1)) AND (w.copied = 0 OR NOT ((NEW.`tenant` < w.lo_0) OR (NEW.`tenant` = w.lo_0 AND NEW.`id` <= w.lo_1)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`tenant`, `id`) VALUES (NEW.`tenant`, NEW.`id`) ON DUPLICATE KEY UPDATE `tenant` = `tenant`; ELSE INSERT IGNORE INTO `shop`.`orders__osc_new` (`tenant`, `id`, `memo`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`tenant`, `id`, `memo`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_new`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_new`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_new`.`memo` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_new`.`memo` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`tenant`, NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void compositeKeyReverseInsertMapsRenamedColumnsBack() {
        assertThat(new TriggerSql(SqlPlans.composite(), CONFLICTS).createReverse().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rins` AFTER INSERT ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); INSERT IGNORE INTO `shop`.`orders__osc_old` (`tenant`, `id`, `note`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`memo`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_old`.`id` = NEW.`id` AND (NEW.`tenant` = `shop`.`orders__osc_old`.`tenant` OR (NEW.`tenant` IS NULL AND `shop`.`orders__osc_old`.`tenant` IS NULL)) AND (NEW.`id` = `shop`.`orders__osc_old`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_old`.`id` IS NULL)) AND (CONVERT(NEW.`memo` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_old`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`memo` IS NULL AND `shop`.`orders__osc_old`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_old`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_old` (`tenant`, `id`, `note`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`memo`); END IF; END IF; END""");
    }

    @Test
    void compositeKeyReverseUpdateMapsRenamedColumnsBack() {
        assertThat(new TriggerSql(SqlPlans.composite(), CONFLICTS).createReverse().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rupd` AFTER UPDATE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); UPDATE `shop`.`orders__osc_old` SET `shop`.`orders__osc_old`.`tenant` = NEW.`tenant`, `shop`.`orders__osc_old`.`id` = NEW.`id`, `shop`.`orders__osc_old`.`note` = NEW.`memo` WHERE `shop`.`orders__osc_old`.`tenant` = OLD.`tenant` AND `shop`.`orders__osc_old`.`id` = OLD.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`tenant` = NEW.`tenant` AND `shop`.`orders__osc_old`.`id` = NEW.`id`) THEN INSERT IGNORE INTO `shop`.`orders__osc_old` (`tenant`, `id`, `note`) VALUES (NEW.`tenant`, NEW.`id`, NEW.`memo`); END IF; END IF; END""");
    }

    @Test
    void splitDeleteRemovesTheKeyFromEveryPartsShadow() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).create().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_del` AFTER DELETE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = OLD.`id`; END IF; END""");
    }

    @Test
    void
            splitUpdateOfTheSameKeyIsInPlaceAndAKeyChangeDeletesTheOldKeyInEveryPartBeforeInsertingAnyPart() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).create().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_upd` AFTER UPDATE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF NEW.`id` = OLD.`id` THEN UPDATE IGNORE `shop`.`orders__osc_new` SET `shop`.`orders__osc_new`.`id` = NEW.`id`, `shop`.`orders__osc_new`.`status` = NEW.`status` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; UPDATE IGNORE `shop`.`order_notes__osc_new` SET `shop`.`order_notes__osc_new`.`id` = NEW.`id`, `shop`.`order_notes__osc_new`.`note` = NEW.`note` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = OLD.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void splitInsertWritesEachPartsColumnsToItsShadow() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).create().get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_ins` AFTER INSERT ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END""");
    }

    @Test
    void splitWithAWatermarkJournalsOnceForAllParts() {
        assertThat(
                        new TriggerSql(SqlPlans.split(), CONFLICTS, new Watermark(SqlPlans.split()))
                                .create()
                                .get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_upd` AFTER UPDATE ON `shop`.`orders` FOR EACH ROW BEGIN IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); IF NEW.`id` = OLD.`id` THEN IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (NEW.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE UPDATE IGNORE `shop`.`orders__osc_new` SET `shop`.`orders__osc_new`.`id` = NEW.`id`, `shop`.`orders__osc_new`.`status` = NEW.`status` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; UPDATE IGNORE `shop`.`order_notes__osc_new` SET `shop`.`order_notes__osc_new`.`id` = NEW.`id`, `shop`.`order_notes__osc_new`.`note` = NEW.`note` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; ELSE IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((OLD.`id` <= w.after_0))) AND ((OLD.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((OLD.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (OLD.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = OLD.`id`; DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = OLD.`id`; END IF; IF (SELECT COUNT(*) FROM `shop`.`orders__osc_wmk` w WHERE (w.bounded = 0 OR NOT ((NEW.`id` <= w.after_0))) AND ((NEW.`id` <= w.max_0)) AND (w.copied = 0 OR NOT ((NEW.`id` <= w.lo_0)))) = 1 THEN INSERT INTO `shop`.`orders__osc_jnl` (`id`) VALUES (NEW.`id`) ON DUPLICATE KEY UPDATE `id` = `id`; ELSE INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_new` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_new` WHERE `shop`.`orders__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_new`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_new`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_new`.`status` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN DELETE FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`order_notes__osc_new` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes__osc_new` WHERE `shop`.`order_notes__osc_new`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`order_notes__osc_new`.`id` OR (NEW.`id` IS NULL AND `shop`.`order_notes__osc_new`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`order_notes__osc_new`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`order_notes__osc_new`.`note` IS NULL))) THEN INSERT INTO `_schemachange`.`conflicts` (table_schema, table_name, event, detail, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), NOW(6)); END IF; END IF; END IF; END IF; END IF; END""");
    }

    @Test
    void splitReverseInsertUpsertsOnlyThePartsOwnColumnsAndOnlyOnTheRowWithItsKey() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).createReverse().get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rins` AFTER INSERT ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`) ON DUPLICATE KEY UPDATE `shop`.`orders__osc_old`.`status` = IF(`shop`.`orders__osc_old`.`id` = NEW.`id`, NEW.`status`, `shop`.`orders__osc_old`.`status`); END IF; END""");
    }

    @Test
    void splitReverseUpdateWritesTheRowOfThePreviousKeyOrElseUpsertsTheNewOne() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).createReverse().get(1))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rupd` AFTER UPDATE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); BEGIN DECLARE CONTINUE HANDLER FOR 1062 BEGIN END; UPDATE `shop`.`orders__osc_old` SET `shop`.`orders__osc_old`.`id` = NEW.`id`, `shop`.`orders__osc_old`.`status` = NEW.`status` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_old`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_old`.`id` IS NULL)) AND (NEW.`status` = `shop`.`orders__osc_old`.`status` OR (NEW.`status` IS NULL AND `shop`.`orders__osc_old`.`status` IS NULL))) THEN INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `status`) VALUES (NEW.`id`, NEW.`status`) ON DUPLICATE KEY UPDATE `shop`.`orders__osc_old`.`status` = IF(`shop`.`orders__osc_old`.`id` = NEW.`id`, NEW.`status`, `shop`.`orders__osc_old`.`status`); END IF; END IF; END""");
    }

    @Test
    void splitReverseDeleteRemovesTheOldRowOnlyOnceNoOtherPartHoldsTheKey() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).createReverse().get(2))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rdel` AFTER DELETE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); IF NOT EXISTS (SELECT 1 FROM `shop`.`order_notes` q WHERE q.`id` = OLD.`id`) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; END IF; END""");
    }

    @Test
    void splitReverseDeleteOfTheSecondPartLooksAtTheFirstPartsLiveTable() {
        assertThat(new TriggerSql(SqlPlans.split(), CONFLICTS).createReverse().get(5))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`order_notes__osc_rdel` AFTER DELETE ON `shop`.`order_notes__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders` q WHERE q.`id` = OLD.`id`) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; END IF; END""");
    }

    @Test
    void aWidenedKeyGoesBackOnlyWhenItFitsAndARowThatDoesNotIsRecordedAndItsOldRowDeleted() {
        List<String> reverse = new TriggerSql(SqlPlans.widened(), CONFLICTS).createReverse();
        assertThat(reverse.get(0))
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rins` AFTER INSERT ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); IF (NEW.`id` IS NOT NULL AND NEW.`id` >= -2147483648 AND NEW.`id` <= 2147483647) THEN INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id` AND (NEW.`id` = `shop`.`orders__osc_old`.`id` OR (NEW.`id` IS NULL AND `shop`.`orders__osc_old`.`id` IS NULL)) AND (CONVERT(NEW.`note` USING utf8mb4) COLLATE utf8mb4_bin = CONVERT(`shop`.`orders__osc_old`.`note` USING utf8mb4) COLLATE utf8mb4_bin OR (NEW.`note` IS NULL AND `shop`.`orders__osc_old`.`note` IS NULL))) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id`; INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); END IF; ELSE INSERT INTO `_schemachange`.`schemachange_unfit` (table_schema, table_name, event, row_key, columns, at) VALUES ('shop', 'orders', 'insert', LEFT(CONCAT_WS(', ', NEW.`id`), 500), LEFT(CONCAT_WS(', ', IF((NEW.`id` IS NOT NULL AND NEW.`id` >= -2147483648 AND NEW.`id` <= 2147483647), NULL, 'id')), 500), NOW(6)); END IF; END IF; END""");
        assertThat(reverse.get(1))
                .as(
                        "an update that no longer fits deletes the old row (never stale) and is recorded")
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rupd` AFTER UPDATE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); IF (NEW.`id` IS NOT NULL AND NEW.`id` >= -2147483648 AND NEW.`id` <= 2147483647) THEN IF (OLD.`id` IS NOT NULL AND OLD.`id` >= -2147483648 AND OLD.`id` <= 2147483647) THEN UPDATE `shop`.`orders__osc_old` SET `shop`.`orders__osc_old`.`id` = NEW.`id`, `shop`.`orders__osc_old`.`note` = NEW.`note` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; IF NOT EXISTS (SELECT 1 FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = NEW.`id`) THEN INSERT IGNORE INTO `shop`.`orders__osc_old` (`id`, `note`) VALUES (NEW.`id`, NEW.`note`); END IF; ELSE IF (OLD.`id` IS NOT NULL AND OLD.`id` >= -2147483648 AND OLD.`id` <= 2147483647) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; INSERT INTO `_schemachange`.`schemachange_unfit` (table_schema, table_name, event, row_key, columns, at) VALUES ('shop', 'orders', 'update', LEFT(CONCAT_WS(', ', NEW.`id`), 500), LEFT(CONCAT_WS(', ', IF((NEW.`id` IS NOT NULL AND NEW.`id` >= -2147483648 AND NEW.`id` <= 2147483647), NULL, 'id')), 500), NOW(6)); END IF; END IF; END""");
        assertThat(reverse.get(2))
                .as("a key past the old range has no old row to delete")
                .isEqualTo(
                        """
                CREATE TRIGGER `shop`.`orders__osc_rdel` AFTER DELETE ON `shop`.`orders__osc_new` FOR EACH ROW BEGIN IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL THEN SET @osc_rev = NOW(6); IF (OLD.`id` IS NOT NULL AND OLD.`id` >= -2147483648 AND OLD.`id` <= 2147483647) THEN DELETE FROM `shop`.`orders__osc_old` WHERE `shop`.`orders__osc_old`.`id` = OLD.`id`; END IF; END IF; END""");
    }
}
