package dev.schemachange.engine.check;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Identifiers;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeSpec.Database;
import dev.schemachange.api.SchemaChangeSpec.SplitPart;
import dev.schemachange.engine.swap.SwapWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Java twin of the CRD's OpenAPI and CEL validation. The operator runs it on every reconcile
 * because a resource may have reached the cluster without admission (older CRD, restore from
 * backup, direct etcd write), and the CLI runs it because there is no admission at all. Every
 * problem names the field, the reason and the fix; nothing here touches a database.
 *
 * <p>It lives in the engine rather than in {@code api} because it needs {@link SwapWindow} for
 * schedules, and {@code api} depends on nothing. Invalid enum values never reach it: Jackson
 * refuses them while reading.
 */
public final class SpecValidation {
    private static final String NAME_FIX =
            "use letters, digits, '_' or '$' (1–64 characters, no quotes, " + "dots or semicolons)";

    private final List<Problem> problems = new ArrayList<>();

    private SpecValidation() {}

    /**
     * What the engine needs, wherever it runs; database fields are checked when given (CLI flags
     * may replace them).
     */
    public static List<Problem> check(SchemaChangeSpec spec) {
        SpecValidation v = new SpecValidation();
        v.spec(spec, false);
        return List.copyOf(v.problems);
    }

    /**
     * Also requires what only the spec can supply in a cluster: host, schema and the credentials
     * Secret.
     */
    public static List<Problem> checkForCluster(SchemaChangeSpec spec) {
        SpecValidation v = new SpecValidation();
        v.spec(spec, true);
        return List.copyOf(v.problems);
    }

    private void spec(SchemaChangeSpec spec, boolean inCluster) {
        if (spec == null) {
            problem("spec", "is missing", "give at least database, table and alter (or split)");
            return;
        }
        database(spec.database(), inCluster);
        name("spec.table", spec.table(), true);
        alterOrSplit(spec);
        names("spec.dropColumns", spec.dropColumns());
        backfill(spec.backfill());
        swap(spec.swap());
        migrationVersion(spec.migrationVersion());
        duration(
                "spec.retention.keepOldTableFor",
                spec.retention().keepOldTableFor(),
                true,
                "e.g. 72h, or 0 to drop the old table at the swap");
        name("spec.workSchema", spec.workSchema(), true);
        name("spec.undoSchema", spec.undoSchema(), true);
        helperSchemas(spec);
    }

    private void database(Database db, boolean inCluster) {
        if (db == null) {
            if (inCluster) {
                problem("spec.database", "is missing", "give host, schema and credentialsSecret");
            }
            return;
        }
        if (db.host() == null || db.host().isBlank()) {
            if (inCluster) {
                problem(
                        "spec.database.host",
                        "is missing",
                        "give the server's DNS name, e.g. mysql.shop.svc");
            }
        } else if (!Identifiers.isHost(db.host())) {
            problem(
                    "spec.database.host",
                    "'" + db.host() + "' is not a host name",
                    "give only a DNS name or IP address; put the port in spec.database.port");
        }
        if (db.port() < 1 || db.port() > 65535) {
            problem(
                    "spec.database.port",
                    db.port() + " is not a TCP port",
                    "use 1–65535, usually 3306");
        }
        name("spec.database.schema", db.schema(), inCluster);
        if (inCluster) {
            String secret = db.credentialsSecret();
            if (secret == null || secret.isBlank()) {
                problem(
                        "spec.database.credentialsSecret",
                        "is missing",
                        "name a Secret in this namespace with keys username and password");
            } else if (!secret.matches("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")) {
                problem(
                        "spec.database.credentialsSecret",
                        "'" + secret + "' is not a Secret name",
                        "use a Kubernetes object name: lower-case letters, digits, '-' and '.'");
            }
        }
    }

    private void alterOrSplit(SchemaChangeSpec spec) {
        boolean hasAlter = spec.alter() != null && !spec.alter().isBlank();
        boolean hasSplit = spec.split() != null && !spec.split().isEmpty();
        if (hasAlter == hasSplit) {
            problem(
                    hasAlter ? "spec.alter, spec.split" : "spec.alter",
                    hasAlter ? "both alter and split are set" : "neither alter nor split is set",
                    "set exactly one: alter for a change of this table, split to divide it into several tables");
        }
        if (spec.split() == null) {
            return;
        }
        Set<String> tables = new HashSet<>();
        for (int i = 0; i < spec.split().size(); i++) {
            SplitPart part = spec.split().get(i);
            String at = "spec.split[" + i + "]";
            if (part == null) {
                problem(at, "is empty", "give table and columns");
                continue;
            }
            name(at + ".table", part.table(), true);
            if (part.table() != null && !tables.add(part.table().toLowerCase(Locale.ROOT))) {
                problem(
                        at + ".table",
                        "'" + part.table() + "' is used by two parts",
                        "give each part its own table");
            }
            if (part.columns().isEmpty()) {
                problem(
                        at + ".columns",
                        "is empty",
                        "list the columns this part keeps, the key columns included");
            }
            names(at + ".columns", part.columns());
        }
    }

    private void backfill(SchemaChangeSpec.Backfill b) {
        duration("spec.backfill.chunkTime", b.chunkTime(), false, "e.g. 500ms");
        atLeast("spec.backfill.maxChunkRows", b.maxChunkRows(), 1, "e.g. 50000");
        atLeast("spec.backfill.maxChunkBytes", b.maxChunkBytes(), 1024, "e.g. 2097152 (2 MiB)");
        atLeast(
                "spec.backfill.throttle.maxThreadsRunningRise",
                b.throttle().maxThreadsRunningRise(),
                0,
                "e.g. 8; 0 turns it off");
        if (b.threads() < 1 || b.threads() > 64) {
            problem(
                    "spec.backfill.threads",
                    b.threads() + " is out of range",
                    "use 1–64 parallel copiers");
        }
        atLeast(
                "spec.backfill.throttle.maxThreadsRunning",
                b.throttle().maxThreadsRunning(),
                1,
                "e.g. 25");
        atLeast(
                "spec.backfill.throttle.maxReplicaLagSeconds",
                b.throttle().maxReplicaLagSeconds(),
                0,
                "e.g. 1");
        List<String> replicas = b.throttle().replicas();
        for (int i = 0; i < replicas.size(); i++) {
            if (!Identifiers.isHostPort(replicas.get(i))) {
                problem(
                        "spec.backfill.throttle.replicas[" + i + "]",
                        "'" + replicas.get(i) + "' is not host:port",
                        "e.g. mysql-replica-0.mysql:3306");
            }
        }
    }

    private void swap(SchemaChangeSpec.Swap s) {
        duration("spec.swap.lockWaitTimeout", s.lockWaitTimeout(), false, "e.g. 2s");
        atLeast("spec.swap.maxAttempts", s.maxAttempts(), 1, "e.g. 20");
        try {
            SwapWindow.of(s.window());
        } catch (IllegalArgumentException e) {
            String text = e.getMessage();
            int colon = text.indexOf(": ");
            int dash = text.lastIndexOf(" — ");
            if (colon > 0 && dash > colon) {
                problem(
                        text.substring(0, colon),
                        text.substring(colon + 2, dash),
                        text.substring(dash + 3));
            } else {
                problem("spec.swap.window", text, "fix schedule, duration and timeZone");
            }
        }
    }

    private void migrationVersion(SchemaChangeSpec.MigrationVersion mv) {
        if (mv == null) {
            return;
        }
        name("spec.migrationVersion.table", mv.table(), true);
        name("spec.migrationVersion.column", mv.column(), true);
        if (mv.value() == null) {
            problem(
                    "spec.migrationVersion.value",
                    "is missing",
                    "give the version to record with the swap");
        }
        mv.values().keySet().forEach(column -> name("spec.migrationVersion.values", column, true));
    }

    private void helperSchemas(SchemaChangeSpec spec) {
        String schema = spec.database() == null ? null : spec.database().schema();
        if (spec.workSchema().equalsIgnoreCase(spec.undoSchema())) {
            problem(
                    "spec.undoSchema",
                    "is the same as workSchema",
                    "keep shadow tables and old tables apart, e.g. "
                            + SchemaChangeSpec.DEFAULT_UNDO_SCHEMA);
        }
        for (String helper : List.of("workSchema", "undoSchema")) {
            String value = helper.equals("workSchema") ? spec.workSchema() : spec.undoSchema();
            if (schema != null && value.equalsIgnoreCase(schema)) {
                problem(
                        "spec." + helper,
                        "is the application's schema",
                        "use a schema of its own, e.g. "
                                + (helper.equals("workSchema")
                                        ? SchemaChangeSpec.DEFAULT_WORK_SCHEMA
                                        : SchemaChangeSpec.DEFAULT_UNDO_SCHEMA));
            }
        }
    }

    private void names(String field, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            name(field + "[" + i + "]", names.get(i), true);
        }
    }

    private void name(String field, String value, boolean required) {
        if (value == null || value.isEmpty()) {
            if (required) {
                problem(field, "is missing", "give a name; " + NAME_FIX);
            }
        } else if (!Identifiers.isValid(value)) {
            problem(field, "'" + value + "' is not a plain identifier", NAME_FIX);
        }
    }

    private void duration(String field, String value, boolean zeroAllowed, String example) {
        if (!Durations.isValid(value)) {
            problem(
                    field,
                    "'" + value + "' is not a duration",
                    "use a number with a unit (ms, s, m, h, d), " + example);
        } else if (!zeroAllowed && Durations.parse(value).isZero()) {
            problem(field, "must be more than 0", example);
        }
    }

    private void atLeast(String field, int value, int min, String example) {
        if (value < min) {
            problem(field, value + " is less than " + min, example);
        }
    }

    private void problem(String field, String reason, String fix) {
        problems.add(new Problem(field, reason, fix));
    }
}
