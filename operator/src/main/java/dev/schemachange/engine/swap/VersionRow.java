package dev.schemachange.engine.swap;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The application's migration version, recorded in the swap itself. A RENAME cannot carry an
 * INSERT, so the version table takes part in the RENAME: a copy of it with the row added ({@code
 * <vt>__osc_ver}) replaces it in the same atomic statement that swaps the tables. The row therefore
 * appears exactly when the new table goes live, and a failed attempt leaves neither. Rows another
 * migration wrote between the copy and the RENAME are merged back from the replaced table ({@code
 * <vt>__osc_vold}) right after it. Rollback rotates a copy without the row the same way.
 */
public final class VersionRow {
    private final String schema;
    private final SchemaChangeSpec.MigrationVersion version;

    VersionRow(String schema, SchemaChangeSpec.MigrationVersion version) {
        this.schema = schema;
        this.version = version;
    }

    public static Optional<VersionRow> of(String schema, SchemaChangeSpec spec) {
        return Optional.ofNullable(spec.migrationVersion()).map(v -> new VersionRow(schema, v));
    }

    public List<Problem> check(Inspector inspector) throws SQLException {
        Optional<TableInfo> table = inspector.table(schema, version.table());
        if (table.isEmpty()) {
            return List.of(
                    new Problem(
                            "spec.migrationVersion.table",
                            "table " + schema + "." + version.table() + " does not exist",
                            "create the migration version table first, or remove migrationVersion"));
        }
        List<Problem> out = new ArrayList<>();
        for (String column : row().keySet()) {
            if (table.get().column(column).isEmpty()) {
                out.add(
                        new Problem(
                                "spec.migrationVersion",
                                "column " + column + " does not exist in " + version.table(),
                                "name an existing column"));
            }
        }
        return out;
    }

    /**
     * Builds the replacement table: the current rows plus ({@code add}) or minus the version row.
     */
    void prepare(Connection c, boolean add) throws SQLException {
        Sessions.exec(
                c,
                "DROP TABLE IF EXISTS " + replacement(),
                "CREATE TABLE " + replacement() + " LIKE " + table(),
                "INSERT INTO " + replacement() + " SELECT * FROM " + table());
        Map<String, String> row = row();
        List<Object> params = new ArrayList<>(row.values());
        if (add) {
            Sessions.update(
                    c,
                    "INSERT IGNORE INTO "
                            + replacement()
                            + " ("
                            + Identifiers.quoteList(List.copyOf(row.keySet()))
                            + ") VALUES ("
                            + row.keySet().stream().map(k -> "?").collect(Collectors.joining(", "))
                            + ")",
                    params);
        } else {
            Sessions.update(
                    c,
                    "DELETE FROM "
                            + replacement()
                            + " WHERE "
                            + Identifiers.quote(version.column())
                            + " = ?",
                    List.of(version.value()));
        }
    }

    /** The pairs to append to the swap's RENAME. */
    String renamePairs() {
        return ", " + table() + " TO " + replaced() + ", " + replacement() + " TO " + table();
    }

    /** After the RENAME: merges rows written meanwhile, drops the helper tables; safe to repeat. */
    public void finish(Connection c, Inspector inspector, boolean added) throws SQLException {
        if (inspector.tableExists(schema, replacedName())) {
            String notTheRow =
                    added ? "" : " WHERE NOT (" + Identifiers.quote(version.column()) + " <=> ?)";
            Sessions.update(
                    c,
                    "INSERT IGNORE INTO " + table() + " SELECT * FROM " + replaced() + notTheRow,
                    added ? List.of() : List.of(version.value()));
        }
        Sessions.exec(
                c, "DROP TABLE IF EXISTS " + replaced(), "DROP TABLE IF EXISTS " + replacement());
    }

    /**
     * Records the version directly, for a native change (no RENAME to carry it): right after its
     * ALTER, in the same session; a repeat after a crash finds it there.
     */
    public void insert(Connection c) throws SQLException {
        Map<String, String> row = row();
        Sessions.update(c, insertSql(), new ArrayList<>(row.values()));
    }

    /** The statement {@link #insert} runs, with placeholders, for a plan. */
    public String insertSql() {
        Map<String, String> row = row();
        return "INSERT IGNORE INTO "
                + table()
                + " ("
                + Identifiers.quoteList(List.copyOf(row.keySet()))
                + ") VALUES ("
                + row.keySet().stream().map(k -> "?").collect(Collectors.joining(", "))
                + ")";
    }

    /** Removes the version, for the rollback of a native change. */
    public void delete(Connection c) throws SQLException {
        Sessions.update(c, deleteSql(), List.of(version.value()));
    }

    /** The statement {@link #delete} runs, with its placeholder, for a plan. */
    public String deleteSql() {
        return "DELETE FROM " + table() + " WHERE " + Identifiers.quote(version.column()) + " = ?";
    }

    private Map<String, String> row() {
        Map<String, String> row = new LinkedHashMap<>(version.values());
        row.put(version.column(), version.value());
        return row;
    }

    private String table() {
        return Identifiers.quote(schema, version.table());
    }

    private String replacement() {
        return Identifiers.quote(schema, Identifiers.fit(version.table(), "__osc_ver"));
    }

    private String replacedName() {
        return Identifiers.fit(version.table(), "__osc_vold");
    }

    private String replaced() {
        return Identifiers.quote(schema, replacedName());
    }
}
