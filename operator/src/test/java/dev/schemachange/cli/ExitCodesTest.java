package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit 1 is the user's to fix (bad manifest, Failed), 2 only means "run it again". None of these
 * needs a server: port 1 refuses every connection.
 */
class ExitCodesTest {
    private static final String UNREACHABLE = "jdbc:mysql://127.0.0.1:1/shop";

    @TempDir Path dir;

    private record Run(int exit, String err) {}

    private Run osc(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Osc.execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private String manifest(String table) throws IOException {
        Path file = dir.resolve("change.yaml");
        Files.writeString(
                file,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: c, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: 1, schema: shop, credentialsSecret: unused}
                  table: "%s"
                  alter: "ADD COLUMN x INT"
                """
                        .formatted(table));
        return file.toString();
    }

    @Test
    void aBadFieldIsNamedBeforeAnyConnectionIsTried() throws IOException {
        String file = manifest("a;b");
        for (String command : new String[] {"run", "rollback", "status"}) {
            Run r = osc(command, "-f", file, "--jdbc-url", UNREACHABLE);
            assertThat(r.exit()).as(command + ": " + r.err()).isEqualTo(1);
            assertThat(r.err())
                    .contains("spec.table")
                    .doesNotContain("Communications link failure");
        }
    }

    @Test
    void anUnparseableManifestExitsOne() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "spec: [table: {\n  - :\n");
        Run r = osc("run", "-f", file.toString(), "--jdbc-url", UNREACHABLE);
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ");
    }

    @Test
    void anUnreachableServerForAValidManifestIsTransient() throws IOException {
        Run r = osc("run", "-f", manifest("orders"), "--jdbc-url", UNREACHABLE);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("database error");
    }
}
