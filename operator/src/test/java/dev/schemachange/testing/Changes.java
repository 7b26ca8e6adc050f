package dev.schemachange.testing;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/** Builds changes against a test database and drives them the way the CLI does. */
public final class Changes {
    private Changes() {}

    /**
     * A manifest for {@code table} in the test database; {@code extraSpec} is more YAML under spec
     * (indented 2).
     */
    public static SchemaChange manifest(
            TestDatabase db, String table, String alter, String extraSpec) {
        String yaml =
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata:
                  name: %s-change
                  namespace: test
                spec:
                  database:
                    host: 127.0.0.1
                    port: %d
                    schema: %s
                    credentialsSecret: unused
                  table: %s
                %s
                %s
                """
                        .formatted(
                                table.toLowerCase().replace('_', '-'),
                                db.server().port(),
                                db.name(),
                                table,
                                alter == null
                                        ? ""
                                        : "  alter: \"" + alter.replace("\"", "\\\"") + "\"",
                                copyUnlessSaid(extraSpec).indent(2));
        try {
            return Manifests.parse(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Most tests exercise the copy engine, and Auto would run many of their ALTERs natively (e.g.
     * ADD COLUMN): {@code strategy: Copy} unless the test names a strategy itself.
     */
    public static String copyUnlessSaid(String extraSpec) {
        String extra = extraSpec == null ? "" : extraSpec;
        return extra.contains("strategy:") ? extra : "strategy: Copy\n" + extra;
    }

    /**
     * A split of {@code table}: {@code splitSpec} is YAML under spec with {@code split:} and its
     * options.
     */
    public static SchemaChangeSpec split(TestDatabase db, String table, String splitSpec) {
        return manifest(db, table, null, splitSpec).getSpec();
    }

    public static SchemaChangeSpec spec(
            TestDatabase db, String table, String alter, String extraSpec) {
        return manifest(db, table, alter, extraSpec).getSpec();
    }

    public static Migrator migrator(TestDatabase db, SchemaChangeSpec spec) {
        return new Migrator(db::connect, spec, "test/" + spec.table(), Clock.systemUTC());
    }

    /**
     * Advances in short slices, as the CLI does, until {@code until}, a wait, a failure, or the
     * end.
     */
    public static Progress run(Migrator m, Controls controls, Phase until) {
        Progress p;
        do {
            p = m.advance(controls, Duration.ofMillis(500), until);
        } while (!p.stopsAt(until));
        return p;
    }
}
