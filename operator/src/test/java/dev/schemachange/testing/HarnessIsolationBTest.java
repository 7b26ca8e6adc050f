package dev.schemachange.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Two classes use the same table name; each sees only its own rows (see also
 * HarnessIsolationATest).
 */
@MariaDb
class HarnessIsolationBTest {

    @Test
    void eachTestClassGetsItsOwnDatabase(TestDatabase db) {
        db.exec(
                "CREATE TABLE items (id INT PRIMARY KEY, owner VARCHAR(10))",
                "INSERT INTO items VALUES (1, 'B'), (2, 'B')");
        assertThat(db.rows("SELECT owner FROM items")).containsExactly("B", "B");
        assertThat(db.value("SELECT DATABASE()")).isEqualTo(db.name());
    }
}
