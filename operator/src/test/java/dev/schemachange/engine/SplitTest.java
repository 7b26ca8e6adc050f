package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import dev.schemachange.testing.WideTable;
import java.util.List;
import org.junit.jupiter.api.Test;

@MariaDb
class SplitTest {
    private static final String CORE = "id, email, name, region_id, created_at, score";
    private static final String PROFILE = "id, bio, avatar_url, prefs";

    @Test
    void splitsIntoTwoPartsUnderConcurrentWritesAndEachPartEqualsItsProjection(TestDatabase db)
            throws Exception {
        WideTable.create(db, "customers", 5_000);
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        "customers",
                        """
                split:
                  - table: customers
                    columns: [id, email, name, region_id, created_at, score]
                  - table: customer_profiles
                    columns: [id, bio, avatar_url, prefs]
                    alter: "ADD INDEX avatar (avatar_url)"
                dropColumns: [legacy_flag]
                backfill: {chunkTime: 20ms, maxChunkRows: 300}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                workSchema: %s
                """
                                .formatted(workSchema(db)));
        Migrator migrator = Changes.migrator(db, spec);
        WideTable app = WideTable.write(db, "customers", 5_000, 3);
        try (app) {
            Progress waiting = Changes.run(migrator, Controls.NONE, null);
            assertThat(waiting.phase()).as(waiting.message()).isEqualTo(Phase.AwaitingSwap);
            Thread.sleep(300); // the triggers keep both parts in step while the swap waits
        }
        // the application's new version writes the parts: it is deployed with the swap, not before
        Progress end = Changes.run(migrator, new Controls(true, null, false, false), null);

        assertThat(app.errors()).as("errors the application saw").isEmpty();
        assertThat(app.writes()).isGreaterThan(100);
        assertThat(end.phase()).isEqualTo(Phase.Completed);
        assertThat(end.parts())
                .extracting(Progress.PartProgress::table)
                .containsExactly("customers", "customer_profiles");
        assertThat(end.parts())
                .allSatisfy(part -> assertThat(part.rowsCopied()).isGreaterThanOrEqualTo(4_000));
        assertThat(db.rows("SELECT " + CORE + " FROM customers ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + CORE + " FROM customers_ref ORDER BY id"));
        assertThat(db.rows("SELECT " + PROFILE + " FROM customer_profiles ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + PROFILE + " FROM customers_ref ORDER BY id"));
        String core = db.value("SHOW CREATE TABLE customers");
        assertThat(core)
                .contains(
                        "UNIQUE KEY `uk_email` (`email`)",
                        "CONSTRAINT `fk_customers_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`)")
                .doesNotContain("bio", "legacy_flag");
        assertThat(db.value("SHOW CREATE TABLE customer_profiles"))
                .contains("KEY `avatar` (`avatar_url`)")
                .doesNotContain("email", "CONSTRAINT");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
        assertThat(db.rows("SHOW TABLES LIKE 'customer%'"))
                .containsExactlyInAnyOrder("customers", "customer_profiles", "customers_ref");
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                                        + workSchema(db)
                                        + "' AND TABLE_NAME NOT LIKE 'schemachange\\_%'"))
                .isZero();
    }

    /** Its own work schema: the default one is shared by every change of the test run. */
    private static String workSchema(TestDatabase db) {
        return db.name() + "_w";
    }

    @Test
    void splitsIntoThreePartsBehindACompatibilityViewAndKeepsTheOldTable(TestDatabase db)
            throws Exception {
        WideTable.create(db, "clients", 3_000);
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        "clients",
                        """
                split:
                  - table: client_core
                    columns: [id, email, name]
                  - table: client_profiles
                    columns: [id, bio, avatar_url]
                  - table: client_meta
                    columns: [id, region_id, created_at, prefs, score, legacy_flag]
                compatibilityView: true
                backfill: {chunkTime: 20ms, maxChunkRows: 250}
                swap: {approval: Required}
                retention: {keepOldTableFor: 72h, reverseSync: false}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        WideTable app = WideTable.write(db, "clients", 3_000, 3);
        Progress waiting;
        try (app) {
            waiting = Changes.run(migrator, Controls.NONE, null);
            Thread.sleep(300);
        }
        Progress end = Changes.run(migrator, new Controls(true, null, false, false), null);

        assertThat(app.errors()).isEmpty();
        assertThat(waiting.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(end.phase()).isEqualTo(Phase.Swapped);
        assertThat(end.message()).contains("without reverse sync");
        for (String part :
                List.of(
                        "client_core:id, email, name",
                        "client_profiles:id, bio, avatar_url",
                        "client_meta:id, region_id, created_at, prefs, score, legacy_flag")) {
            String table = part.substring(0, part.indexOf(':'));
            String columns = part.substring(part.indexOf(':') + 1);
            assertThat(db.rows("SELECT " + columns + " FROM " + table + " ORDER BY id"))
                    .as(table)
                    .isEqualTo(db.rows("SELECT " + columns + " FROM clients_ref ORDER BY id"));
        }
        assertThat(db.value("SHOW CREATE TABLE client_meta"))
                .contains("CONSTRAINT `fk_clients_region` FOREIGN KEY (`region_id`)");
        assertThat(
                        db.rows(
                                "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                                        + "AND TABLE_NAME = 'clients'"))
                .containsExactly("VIEW");
        assertThat(db.rows("SELECT " + WideTable.COLUMNS + " FROM clients ORDER BY id"))
                .as("the compatibility view joins the parts back")
                .isEqualTo(
                        db.rows("SELECT " + WideTable.COLUMNS + " FROM clients_ref ORDER BY id"));
        assertThat(end.oldTable()).startsWith("_schemachange_undo.clients__");
    }

    @Test
    void rollbackAfterTheSwapPutsTheOriginalBackWithEveryWriteMadeToTheParts(TestDatabase db)
            throws Exception {
        for (String t : List.of("members", "members_ref")) {
            db.exec(
                    "CREATE TABLE "
                            + t
                            + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL "
                            + "DEFAULT '', name VARCHAR(50) NULL, bio TEXT NULL, score INT NOT NULL DEFAULT 0, UNIQUE KEY (email))",
                    "INSERT INTO "
                            + t
                            + " SELECT seq, CONCAT('m', seq, '@x'), CONCAT('name ', seq), "
                            + "IF(seq % 4 = 0, NULL, CONCAT('bio ', seq)), seq % 10 FROM seq_1_to_2000");
        }
        String before = db.value("SHOW CREATE TABLE members");
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        "members",
                        """
                split:
                  - {table: members, columns: [id, email, name]}
                  - {table: member_bios, columns: [id, bio, score]}
                backfill: {chunkTime: 20ms, maxChunkRows: 300}
                retention: {keepOldTableFor: 72h}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress swapped = Changes.run(migrator, Controls.NONE, null);
        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        assertThat(swapped.message()).contains("reverse-synced: rollback is lossless");

        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger next =
                new java.util.concurrent.atomic.AtomicInteger(100_000);
        List<Thread> writers = new java.util.ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Thread writer = new Thread(() -> writeParts(db, next, errors));
            writer.start();
            writers.add(writer);
        }
        for (Thread w : writers) {
            w.join();
        }
        Progress rolledBack = migrator.rollback(java.time.Duration.ofSeconds(30));

        assertThat(errors).isEmpty();
        assertThat(rolledBack.phase()).as(rolledBack.message()).isEqualTo(Phase.RolledBack);
        assertThat(db.value("SHOW CREATE TABLE members").replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(before.replaceAll(" AUTO_INCREMENT=\\d+", ""));
        assertThat(db.rows("SELECT * FROM members ORDER BY id"))
                .isEqualTo(db.rows("SELECT * FROM members_ref ORDER BY id"));
        assertThat(db.rows("SHOW TABLES LIKE 'member%'"))
                .containsExactlyInAnyOrder(
                        "members", "members_ref", "members__osc_new", "member_bios__osc_new");
        assertThat(db.rows("SHOW TRIGGERS LIKE 'member%'")).isEmpty();
    }

    @Test
    void whenRetentionEndsTheReverseTriggersAndTheOldTableGoAndThePartsStay(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE notes (id INT NOT NULL PRIMARY KEY, title VARCHAR(50) NULL, body TEXT NULL)",
                "INSERT INTO notes SELECT seq, CONCAT('t', seq), CONCAT('b', seq) FROM seq_1_to_500");
        MovableClock clock = new MovableClock(java.time.Instant.now());
        Migrator migrator =
                new Migrator(
                        db::connect,
                        Changes.split(
                                db,
                                "notes",
                                """
                split:
                  - {table: notes, columns: [id, title]}
                  - {table: note_bodies, columns: [id, body]}
                retention: {keepOldTableFor: 1h}
                """),
                        "test/notes",
                        clock);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        assertThat(db.rows("SHOW TRIGGERS LIKE 'note%'"))
                .as("reverse on each part, forward (idle) on the old table")
                .hasSize(9);
        clock.advance(java.time.Duration.ofHours(1));

        Progress end = Changes.run(migrator, Controls.NONE, null);

        assertThat(end.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SHOW TRIGGERS LIKE 'note%'")).isEmpty();
        assertThat(db.rows("SHOW TABLES LIKE 'note%'"))
                .containsExactlyInAnyOrder("notes", "note_bodies");
        assertThat(db.count("SELECT COUNT(*) FROM notes JOIN note_bodies USING (id)"))
                .isEqualTo(500);
    }

    /**
     * The application's new version: each write goes to both parts, and to the reference as one
     * row.
     */
    private static void writeParts(
            TestDatabase db, java.util.concurrent.atomic.AtomicInteger next, List<String> errors) {
        try (java.sql.Connection c = db.connect();
                java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            java.util.Random r = new java.util.Random();
            for (int i = 0; i < 300; i++) {
                int id =
                        r.nextInt(4) == 0
                                ? 100_000 + r.nextInt(Math.max(1, next.get() - 100_000))
                                : 1 + r.nextInt(2000);
                int fresh = next.incrementAndGet();
                List<String> sql =
                        switch (r.nextInt(5)) {
                            case 0 ->
                                    List.of(
                                            "INSERT INTO members VALUES ("
                                                    + fresh
                                                    + ", 'n"
                                                    + fresh
                                                    + "@x', 'new')",
                                            "INSERT INTO member_bios VALUES ("
                                                    + fresh
                                                    + ", 'new bio', 7)",
                                            "INSERT INTO members_ref VALUES ("
                                                    + fresh
                                                    + ", 'n"
                                                    + fresh
                                                    + "@x', 'new', 'new bio', 7)");
                            case 1 ->
                                    List.of(
                                            "UPDATE members SET name = CONCAT(name, '+') WHERE id = "
                                                    + id,
                                            "UPDATE members_ref SET name = CONCAT(name, '+') WHERE id = "
                                                    + id);
                            case 2 ->
                                    List.of(
                                            "UPDATE member_bios SET bio = CONCAT(COALESCE(bio, ''), '*'), score = score + 1 "
                                                    + "WHERE id = "
                                                    + id,
                                            "UPDATE members_ref SET bio = CONCAT(COALESCE(bio, ''), '*'), score = score + 1 WHERE id = "
                                                    + id);
                            case 3 ->
                                    List.of(
                                            "UPDATE members SET id = "
                                                    + fresh
                                                    + " WHERE id = "
                                                    + id,
                                            "UPDATE member_bios SET id = "
                                                    + fresh
                                                    + " WHERE id = "
                                                    + id,
                                            "UPDATE members_ref SET id = "
                                                    + fresh
                                                    + " WHERE id = "
                                                    + id);
                            default ->
                                    List.of(
                                            "DELETE FROM members WHERE id = " + id,
                                            "DELETE FROM member_bios WHERE id = " + id,
                                            "DELETE FROM members_ref WHERE id = " + id);
                        };
                try {
                    for (String q : sql) {
                        st.executeUpdate(q);
                    }
                    c.commit();
                } catch (java.sql.SQLException e) {
                    c.rollback();
                    if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
                        errors.add(e.getErrorCode() + " " + e.getMessage());
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            errors.add(e.getMessage());
        }
    }

    @Test
    void refusesSplitsThatWouldLoseOrMixDataAndChangesNothing(TestDatabase db) {
        WideTable.create(db, "accounts", 10);
        db.exec("CREATE TABLE account_profiles (id INT PRIMARY KEY)");
        String before = db.value("SHOW CREATE TABLE accounts");

        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [bio, avatar_url, prefs]}
                """))
                .startsWith(
                        "spec.split[1].columns: part profiles lacks the key column(s) id of PRIMARY");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag, bio]}
                  - {table: profiles, columns: [id, bio, avatar_url, prefs]}
                """))
                .startsWith("spec.split[1].columns: column bio is also in another part");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at]}
                  - {table: profiles, columns: [id, bio, avatar_url]}
                """))
                .startsWith(
                        "spec.split: column(s) prefs, score, legacy_flag of accounts are in no part");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: account_profiles, columns: [id, bio, avatar_url, prefs]}
                """))
                .startsWith(
                        "spec.split[1].table: table "
                                + db.name()
                                + ".account_profiles already exists");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [id, region_id, bio, avatar_url, prefs]}
                dropColumns: [region_id]
                """))
                .startsWith(
                        "spec.split[1].columns: column region_id is also listed in spec.dropColumns");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [id, bio, avatar_url, prefs], alter: "ADD COLUMN x INT; DROP TABLE t"}
                """))
                .startsWith("spec.split[1].alter:");
        assertThat(
                        refusal(
                                db,
                                """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [id, bio, avatar_url, prefs]}
                retention: {keepOldTableFor: 24h}
                """))
                .startsWith(
                        "spec.retention.reverseSync: rows written after the swap could not go back")
                .contains("column email is NOT NULL without a default and only accounts holds it");

        assertThat(db.value("SHOW CREATE TABLE accounts")).isEqualTo(before);
        assertThat(db.rows("SHOW TABLES LIKE 'account%'"))
                .containsExactlyInAnyOrder("accounts", "accounts_ref", "account_profiles");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
    }

    private static String refusal(TestDatabase db, String split) {
        Progress p =
                Changes.run(
                        Changes.migrator(db, Changes.split(db, "accounts", split)),
                        Controls.NONE,
                        null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        return p.problem().toString();
    }
}
