package dev.schemachange.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Two classes use the same table name; each sees only its own rows (see also
 * HarnessIsolationBTest).
 */
@MariaDb
class HarnessIsolationATest {

    @Test
    void eachTestClassGetsItsOwnDatabase(TestDatabase db) {
        db.exec(
                "CREATE TABLE items (id INT PRIMARY KEY, owner VARCHAR(10))",
                "INSERT INTO items VALUES (1, 'A'), (2, 'A')");
        assertThat(db.rows("SELECT owner FROM items")).containsExactly("A", "A");
        assertThat(db.value("SELECT DATABASE()")).isEqualTo(db.name());
    }
}
