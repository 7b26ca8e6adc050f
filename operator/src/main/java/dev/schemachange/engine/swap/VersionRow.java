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
        List<String> sql = prepareSql(add);
        Sessions.exec(c, sql.subList(0, 3).toArray(String[]::new));
        Map<String, String> row = row();
        List<Object> params = new ArrayList<>(row.values());
        if (add) {
            Sessions.update(c, sql.get(3), params);
        } else {
            Sessions.update(c, sql.get(3), List.of(version.value()));
        }
    }

    /**
     * What {@link #prepare} runs, for a plan: the replacement built from the current rows, then the
     * version row added (placeholders: the row's values) or removed (the version).
     */
    public List<String> prepareSql(boolean add) {
        Map<String, String> row = row();
        return List.of(
                "DROP TABLE IF EXISTS " + replacement(),
                "CREATE TABLE " + replacement() + " LIKE " + table(),
                "INSERT INTO " + replacement() + " SELECT * FROM " + table(),
                add
                        ? "INSERT IGNORE INTO "
                                + replacement()
                                + " ("
                                + Identifiers.quoteList(List.copyOf(row.keySet()))
                                + ") VALUES ("
                                + row.keySet().stream()
                                        .map(k -> "?")
                                        .collect(Collectors.joining(", "))
                                + ")"
                        : "DELETE FROM "
                                + replacement()
                                + " WHERE "
                                + Identifiers.quote(version.column())
                                + " = ?");
    }

    /** The pairs to append to the swap's RENAME. */
    String renamePairs() {
        return ", " + table() + " TO " + replaced() + ", " + replacement() + " TO " + table();
    }

    /** After the RENAME: merges rows written meanwhile, drops the helper tables; safe to repeat. */
    public void finish(Connection c, Inspector inspector, boolean added) throws SQLException {
        List<String> sql = finishSql(added);
        if (inspector.tableExists(schema, replacedName())) {
            Sessions.update(c, sql.get(0), added ? List.of() : List.of(version.value()));
        }
        Sessions.exec(c, sql.subList(1, 3).toArray(String[]::new));
    }

    /**
     * What {@link #finish} runs right after the RENAME, for a plan: the rows written meanwhile
     * merged (placeholder when {@code !added}: the version), the helper tables dropped.
     */
    public List<String> finishSql(boolean added) {
        String notTheRow =
                added ? "" : " WHERE NOT (" + Identifiers.quote(version.column()) + " <=> ?)";
        return List.of(
                "INSERT IGNORE INTO " + table() + " SELECT * FROM " + replaced() + notTheRow,
                "DROP TABLE IF EXISTS " + replaced(),
                "DROP TABLE IF EXISTS " + replacement());
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
