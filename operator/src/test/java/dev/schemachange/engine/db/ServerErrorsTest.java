package dev.schemachange.engine.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Problem;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;

/** The classifier alone, on exceptions built here: no server. */
class ServerErrorsTest {

    private static SQLException error(int code, String state) {
        return new SQLException("server says " + code, state, code);
    }

    @Test
    void connectionLossLockConflictsAndFailoverAreTransient() {
        for (int code :
                new int[] {
                    2002, 2003, 2006, 2013, 1205, 1213, 1290, 1792, 1836, 1927, 1053, 1969
                }) {
            assertThat(ServerErrors.isTransient(error(code, "HY000")))
                    .as("error %d", code)
                    .isTrue();
        }
        assertThat(ServerErrors.isTransient(error(0, "08S01"))).as("any 08 SQLState").isTrue();
        assertThat(
                        ServerErrors.isTransient(
                                new SQLNonTransientConnectionException("gone", "08000", 0)))
                .isTrue();
    }

    @Test
    void aDriverCommunicationsExceptionIsTransientWhateverItsCode() {
        class CommunicationsException extends SQLException {
            CommunicationsException() {
                super("Communications link failure", "S1000", 0);
            }
        }
        assertThat(ServerErrors.isTransient(new CommunicationsException())).isTrue();
    }

    @Test
    void aTransientCauseMakesTheWrapperTransient() {
        SQLException wrapper =
                new SQLException("batch failed", "HY000", 1180, error(2013, "HY000"));
        assertThat(ServerErrors.isTransient(wrapper)).isTrue();
    }

    @Test
    void privilegesMissingObjectsAndRejectedSyntaxArePermanent() {
        for (int code : new int[] {1142, 1044, 1227, 1146, 1054, 1064, 1062, 1366}) {
            assertThat(ServerErrors.isTransient(error(code, "42000")))
                    .as("error %d", code)
                    .isFalse();
        }
    }

    @Test
    void onlyLockConflictsAreRetriedStatementByStatement() {
        assertThat(ServerErrors.isLockConflict(error(1205, "HY000"))).isTrue();
        assertThat(ServerErrors.isLockConflict(error(1213, "40001"))).isTrue();
        assertThat(ServerErrors.isLockConflict(error(2013, "HY000"))).isFalse();
        assertThat(Sessions.isRetryable(error(1213, "40001"))).isTrue();
    }

    @Test
    void aPermanentErrorNamesTheFieldKeepsTheServersWordsAndSaysWhatToDo() {
        Problem denied =
                ServerErrors.problem(
                        new SQLException(
                                "INSERT command denied to user 'c'@'%' for table "
                                        + "`shop`.`_orders_new`",
                                "42000", 1142),
                        "shop.orders");
        assertThat(denied.field()).isEqualTo("spec.database.credentialsSecret");
        assertThat(denied.reason())
                .contains("INSERT command denied", "error 1142", "SQLState 42000");
        assertThat(denied.fix()).startsWith("grant the missing privilege");

        Problem dropped = ServerErrors.problem(error(1146, "42S02"), "shop.orders");
        assertThat(dropped.field()).isEqualTo("spec.table");
        assertThat(dropped.fix()).contains("shop.orders", "dropped", "re-create the SchemaChange");

        Problem syntax = ServerErrors.problem(error(1064, "42000"), "shop.orders");
        assertThat(syntax.field()).isEqualTo("spec.alter");

        Problem other = ServerErrors.problem(error(1366, "22007"), "shop.orders");
        assertThat(other.field()).isNull();
        assertThat(other.fix()).isNotBlank();
    }
}
