package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A split of a table that other tables reference ({@code foreignKeys.children:
 * RebuildConstraints}): each child constraint goes, under its own name and in the swap step, to the
 * part that keeps the columns it references; a rollback points it back at the original.
 */
@MariaDb
class SplitChildForeignKeyTest {
    private static final String SPLIT =
            """
            split:
              - {table: member_core, columns: [id, email, name]}
              - {table: member_bios, columns: [id, handle, bio, score]}
            backfill: {chunkTime: 20ms, maxChunkRows: 200}
            retention: {keepOldTableFor: 72h}
            """;
    private static final String JOINED =
            "SELECT c.id, c.email, c.name, b.handle, b.bio, b.score FROM member_core c "
                    + "JOIN member_bios b ON b.id = c.id ORDER BY c.id";
    private static final String ORIGINAL =
            "SELECT id, email, name, handle, bio, score FROM %s ORDER BY id";

    private static void create(TestDatabase db) {
        db.exec(
                "DROP TABLE IF EXISTS strict_visits, visits, badges, members, members__osc_old, members__osc_wmk, members__osc_jnl, "
                        + "member_core, member_bios, member_core__osc_new, member_bios__osc_new",
                "DROP DATABASE IF EXISTS `_schemachange`");
        db.exec(
                "CREATE TABLE members (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                        + "email VARCHAR(100) NOT NULL DEFAULT '', name VARCHAR(50) NULL, "
                        + "handle VARCHAR(30) NULL, bio TEXT NULL, score INT NOT NULL DEFAULT 0, "
                        + "UNIQUE KEY (handle))",
                "INSERT INTO members SELECT seq, CONCAT('m', seq, '@x'), CONCAT('name ', seq), "
                        + "CONCAT('h', seq), CONCAT('bio ', seq), seq % 10 FROM seq_1_to_1000",
                "CREATE TABLE visits (id INT AUTO_INCREMENT PRIMARY KEY, member_id INT NOT NULL, "
                        + "CONSTRAINT visits_member FOREIGN KEY (member_id) REFERENCES members (id) "
                        + "ON DELETE CASCADE)",
                "INSERT INTO visits (member_id) SELECT 1 + seq % 200 FROM seq_1_to_600",
                "CREATE TABLE badges (id INT AUTO_INCREMENT PRIMARY KEY, handle VARCHAR(30) NOT NULL, "
                        + "CONSTRAINT badges_handle FOREIGN KEY (handle) REFERENCES members (handle) "
                        + "ON DELETE CASCADE)",
                "INSERT INTO badges (handle) SELECT CONCAT('h', 1 + seq % 100) FROM seq_1_to_300");
    }

    @Test
    void eachChildReferencesThePartHoldingItsColumnsByItsNameCascadesWorkAndRollbackPointsBack(
            TestDatabase db) throws Exception {
        create(db);
        SchemaChangeSpec spec = Changes.split(db, "members", SPLIT);
        Migrator migrator = Changes.migrator(db, spec);
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger(100_000);

        Progress swapped = Changes.run(migrator, Controls.NONE, null);
        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        assertThat(db.value("SHOW CREATE TABLE visits"))
                .contains(
                        "CONSTRAINT `visits_member` FOREIGN KEY (`member_id`) REFERENCES "
                                + "`member_core` (`id`) ON DELETE CASCADE");
        assertThat(db.value("SHOW CREATE TABLE badges"))
                .contains(
                        "CONSTRAINT `badges_handle` FOREIGN KEY (`handle`) REFERENCES "
                                + "`member_bios` (`handle`) ON DELETE CASCADE");

        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Thread t = new Thread(() -> writeParts(db, next, errors));
            t.start();
            writers.add(t);
        }
        for (Thread t : writers) {
            t.join();
        }
        assertThat(errors).as("application errors").isEmpty();
        // cascades from the parts, as from the original
        db.exec(
                "DELETE FROM member_core WHERE id = 1",
                "DELETE FROM member_bios WHERE id = 1",
                "DELETE FROM member_bios WHERE handle = 'h2'",
                "DELETE FROM member_core WHERE id = 2");
        assertThat(db.count("SELECT COUNT(*) FROM visits WHERE member_id = 1")).isZero();
        assertThat(db.count("SELECT COUNT(*) FROM badges WHERE handle = 'h2'")).isZero();
        assertThatThrownBy(() -> db.exec("INSERT INTO visits (member_id) VALUES (99999999)"))
                .hasMessageContaining("foreign key constraint fails");
        List<List<String>> synced = db.snapshot(JOINED, ORIGINAL.formatted("members__osc_old"));
        assertThat(synced.get(1)).as("reverse-synced old table").isEqualTo(synced.get(0));
        List<String> live = db.rows(JOINED);

        Progress back = migrator.rollback(Duration.ofSeconds(30));

        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(db.rows(ORIGINAL.formatted("members"))).isEqualTo(live);
        assertThat(db.value("SHOW CREATE TABLE visits"))
                .contains(
                        "CONSTRAINT `visits_member` FOREIGN KEY (`member_id`) REFERENCES "
                                + "`members` (`id`) ON DELETE CASCADE");
        assertThat(db.value("SHOW CREATE TABLE badges"))
                .contains(
                        "CONSTRAINT `badges_handle` FOREIGN KEY (`handle`) REFERENCES "
                                + "`members` (`handle`) ON DELETE CASCADE");
        db.exec("DELETE FROM members WHERE id = 3");
        assertThat(db.count("SELECT COUNT(*) FROM visits WHERE member_id = 3")).isZero();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM visits v LEFT JOIN members m ON m.id = v.member_id "
                                        + "WHERE m.id IS NULL"))
                .as("orphaned children")
                .isZero();
    }

    /**
     * While children still reference the old table (right after the swap, right before a rollback's
     * RENAME), a key change their RESTRICT refuses fails the application's statement, as on the
     * original; it no longer reaches the live part alone, leaving the old table stale.
     */
    @Test
    void aChildsRestrictOnTheOldTableFailsTheKeyChangeInsteadOfLeavingTheOldTableStale(
            TestDatabase db) {
        create(db);
        db.exec(
                "CREATE TABLE strict_visits (id INT AUTO_INCREMENT PRIMARY KEY, member_id INT NOT NULL, "
                        + "CONSTRAINT strict_member FOREIGN KEY (member_id) REFERENCES members (id))",
                "INSERT INTO strict_visits (member_id) VALUES (5)");
        Migrator migrator = Changes.migrator(db, Changes.split(db, "members", SPLIT));
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        // as a rollback's first step leaves it: the child references the old table
        db.exec(
                "SET SESSION foreign_key_checks = 0",
                "ALTER TABLE strict_visits DROP FOREIGN KEY strict_member",
                "ALTER TABLE strict_visits ADD CONSTRAINT strict_member "
                        + "FOREIGN KEY (member_id) REFERENCES members__osc_old (id)");

        assertThatThrownBy(() -> db.exec("UPDATE member_bios SET id = 5005 WHERE id = 5"))
                .hasMessageContaining("foreign key constraint fails");
        assertThat(db.rows("SELECT id, handle FROM member_bios WHERE id IN (5, 5005)"))
                .containsExactly("5|h5");
        assertThat(db.rows("SELECT id, handle FROM members__osc_old WHERE id IN (5, 5005)"))
                .containsExactly("5|h5");
    }

    @Test
    void refusedOnlyWhenTheReferencedColumnsAreInNoPartOrDividedBetweenParts(TestDatabase db) {
        create(db);
        db.exec(
                "ALTER TABLE members ADD UNIQUE KEY pair (email, handle)",
                "CREATE TABLE pairs (id INT PRIMARY KEY, email VARCHAR(100), handle VARCHAR(30), "
                        + "CONSTRAINT pairs_member FOREIGN KEY (email, handle) REFERENCES members "
                        + "(email, handle))");
        Progress divided =
                Changes.migrator(db, Changes.split(db, "members", SPLIT))
                        .advance(Controls.NONE, Duration.ofSeconds(30), Phase.Validating);
        assertThat(divided.phase()).isEqualTo(Phase.Failed);
        assertThat(divided.message())
                .startsWith("spec.split: ")
                .contains(
                        "(pairs_member) references email, handle, which would be divided between parts");
        db.exec("DROP TABLE pairs");

        Progress dropped =
                Changes.migrator(
                                db,
                                Changes.split(
                                        db,
                                        "members",
                                        """
                split:
                  - {table: member_core, columns: [id, email, name]}
                  - {table: member_bios, columns: [id, bio, score]}
                dropColumns: [handle]
                retention: {keepOldTableFor: 72h}
                """))
                        .advance(Controls.NONE, Duration.ofSeconds(30), Phase.Validating);
        assertThat(dropped.phase()).isEqualTo(Phase.Failed);
        assertThat(dropped.message())
                .contains("(badges_handle) references handle, which no part keeps");
        assertThat(db.rows("SHOW TABLES LIKE 'member%'")).containsExactly("members");
    }

    /** The application's new version: each write goes to both parts, in one transaction. */
    private static void writeParts(TestDatabase db, AtomicInteger next, List<String> errors) {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            Random r = new Random();
            for (int i = 0; i < 200; i++) {
                int id = 300 + r.nextInt(700);
                int fresh = next.incrementAndGet();
                List<String> sql =
                        switch (r.nextInt(4)) {
                            case 0 ->
                                    List.of(
                                            "INSERT INTO member_core VALUES ("
                                                    + fresh
                                                    + ", 'n"
                                                    + fresh
                                                    + "@x', 'new')",
                                            "INSERT INTO member_bios VALUES ("
                                                    + fresh
                                                    + ", 'hn"
                                                    + fresh
                                                    + "', 'new bio', 7)",
                                            "INSERT INTO visits (member_id) VALUES (" + fresh + ")",
                                            "INSERT INTO badges (handle) VALUES ('hn"
                                                    + fresh
                                                    + "')");
                            case 1 ->
                                    List.of(
                                            "UPDATE member_core SET name = CONCAT(name, '+') WHERE id = "
                                                    + id);
                            case 2 ->
                                    List.of(
                                            "UPDATE member_bios SET bio = CONCAT(bio, '*'), "
                                                    + "score = score + 1 WHERE id = "
                                                    + id);
                            default ->
                                    List.of(
                                            "DELETE FROM member_core WHERE id = " + id,
                                            "DELETE FROM member_bios WHERE id = " + id);
                        };
                try {
                    for (String q : sql) {
                        st.executeUpdate(q);
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
                        errors.add(e.getErrorCode() + " " + e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            errors.add(e.getMessage());
        }
    }
}
