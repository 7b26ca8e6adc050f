package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import dev.schemachange.testing.WideTable;

@MariaDb
class SplitTest {
    private static final String CORE = "id, email, name, region_id, created_at, score";
    private static final String PROFILE = "id, bio, avatar_url, prefs";

    @Test
    void splitsIntoTwoPartsUnderConcurrentWritesAndEachPartEqualsItsProjection(TestDatabase db) throws Exception {
        WideTable.create(db, "customers", 5_000);
        SchemaChangeSpec spec = Changes.split(db, "customers", """
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
                """);
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
        assertThat(end.parts()).extracting(Progress.PartProgress::table)
                .containsExactly("customers", "customer_profiles");
        assertThat(end.parts()).allSatisfy(part -> assertThat(part.rowsCopied()).isGreaterThanOrEqualTo(4_000));
        assertThat(db.rows("SELECT " + CORE + " FROM customers ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + CORE + " FROM customers_ref ORDER BY id"));
        assertThat(db.rows("SELECT " + PROFILE + " FROM customer_profiles ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + PROFILE + " FROM customers_ref ORDER BY id"));
        String core = db.value("SHOW CREATE TABLE customers");
        assertThat(core).contains("UNIQUE KEY `uk_email` (`email`)",
                "CONSTRAINT `fk_customers_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`)")
                .doesNotContain("bio", "legacy_flag");
        assertThat(db.value("SHOW CREATE TABLE customer_profiles")).contains("KEY `avatar` (`avatar_url`)")
                .doesNotContain("email", "CONSTRAINT");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
        assertThat(db.rows("SHOW TABLES LIKE 'customer%'")).containsExactlyInAnyOrder("customers",
                "customer_profiles", "customers_ref");
        assertThat(db.count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                + "AND TABLE_NAME NOT LIKE 'schemachange\\_%'")).isZero();
    }

    @Test
    void splitsIntoThreePartsBehindACompatibilityViewAndKeepsTheOldTable(TestDatabase db) throws Exception {
        WideTable.create(db, "clients", 3_000);
        SchemaChangeSpec spec = Changes.split(db, "clients", """
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
        for (String part : List.of("client_core:id, email, name", "client_profiles:id, bio, avatar_url",
                "client_meta:id, region_id, created_at, prefs, score, legacy_flag")) {
            String table = part.substring(0, part.indexOf(':'));
            String columns = part.substring(part.indexOf(':') + 1);
            assertThat(db.rows("SELECT " + columns + " FROM " + table + " ORDER BY id")).as(table)
                    .isEqualTo(db.rows("SELECT " + columns + " FROM clients_ref ORDER BY id"));
        }
        assertThat(db.value("SHOW CREATE TABLE client_meta"))
                .contains("CONSTRAINT `fk_clients_region` FOREIGN KEY (`region_id`)");
        assertThat(db.rows("SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 'clients'")).containsExactly("VIEW");
        assertThat(db.rows("SELECT " + WideTable.COLUMNS + " FROM clients ORDER BY id"))
                .as("the compatibility view joins the parts back")
                .isEqualTo(db.rows("SELECT " + WideTable.COLUMNS + " FROM clients_ref ORDER BY id"));
        assertThat(end.oldTable()).startsWith("_schemachange_undo.clients__");
    }

    @Test
    void refusesSplitsThatWouldLoseOrMixDataAndChangesNothing(TestDatabase db) {
        WideTable.create(db, "accounts", 10);
        db.exec("CREATE TABLE account_profiles (id INT PRIMARY KEY)");
        String before = db.value("SHOW CREATE TABLE accounts");

        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [bio, avatar_url, prefs]}
                """)).startsWith("spec.split[1].columns: part profiles lacks the key column(s) id of PRIMARY");
        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag, bio]}
                  - {table: profiles, columns: [id, bio, avatar_url, prefs]}
                """)).startsWith("spec.split[1].columns: column bio is also in another part");
        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at]}
                  - {table: profiles, columns: [id, bio, avatar_url]}
                """)).startsWith("spec.split: column(s) prefs, score, legacy_flag of accounts are in no part");
        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: account_profiles, columns: [id, bio, avatar_url, prefs]}
                """)).startsWith("spec.split[1].table: table " + db.name() + ".account_profiles already exists");
        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [id, region_id, bio, avatar_url, prefs]}
                dropColumns: [region_id]
                """)).startsWith("spec.split[1].columns: column region_id is also listed in spec.dropColumns");
        assertThat(refusal(db, """
                split:
                  - {table: accounts, columns: [id, email, name, region_id, created_at, score, legacy_flag]}
                  - {table: profiles, columns: [id, bio, avatar_url, prefs], alter: "ADD COLUMN x INT; DROP TABLE t"}
                """)).startsWith("spec.split[1].alter:");

        assertThat(db.value("SHOW CREATE TABLE accounts")).isEqualTo(before);
        assertThat(db.rows("SHOW TABLES LIKE 'account%'")).containsExactlyInAnyOrder("accounts", "accounts_ref",
                "account_profiles");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
    }

    private static String refusal(TestDatabase db, String split) {
        Progress p = Changes.run(Changes.migrator(db, Changes.split(db, "accounts", split)), Controls.NONE, null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        return p.problem().toString();
    }
}
