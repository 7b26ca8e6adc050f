package dev.schemachange.engine.check;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.fk.ChildForeignKeys;
import dev.schemachange.engine.fk.ForeignKeyNames;
import dev.schemachange.engine.natively.Choice;
import dev.schemachange.engine.natively.NativeProbe;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.engine.swap.VersionRow;
import dev.schemachange.engine.throttle.Throttler;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.ServerInfo;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Validating phase: everything that can be known before anything is built. It touches nothing
 * but a scratch copy of the empty table in the work schema, on which the ALTER is tried so that any
 * DDL error is reported before the original is involved.
 */
public final class Validator {
    static final List<String> TABLE_PRIVILEGES =
            List.of(
                    "SELECT",
                    "INSERT",
                    "UPDATE",
                    "DELETE",
                    "CREATE",
                    "DROP",
                    "ALTER",
                    "INDEX",
                    "TRIGGER",
                    "LOCK TABLES");
    private final SchemaChangeSpec spec;
    private final ConnectionFactory db;

    public Validator(SchemaChangeSpec spec, ConnectionFactory db) {
        this.spec = spec;
        this.db = db;
    }

    /** What Validating found: the plan or the problems, and how the change runs. */
    /**
     * @param preview a native change's columns as the ALTER leaves them, each from the original
     *     column it keeps (generated ones included): what {@code <workSchema>.<table>} shows while
     *     it waits for the swap; empty for a copy
     */
    public record Validation(Planner.Result result, Choice choice, List<Plan.ColumnPair> preview) {
        public Validation(Planner.Result result, Choice choice) {
            this(result, choice, List.of());
        }
    }

    public Planner.Result validate(Connection c) throws SQLException {
        return validateChoosing(c).result();
    }

    /**
     * Every check, and the strategy: once the ALTER works on the scratch copy, the server decides
     * on another whether it runs natively ({@link NativeProbe}); {@code strategy: Native} is
     * refused when it does not, and the checks that only a copy needs are skipped when it does.
     */
    public Validation validateChoosing(Connection c) throws SQLException {
        List<Problem> problems = new ArrayList<>(SpecChecks.check(spec));
        if (!problems.isEmpty()) {
            return new Validation(new Planner.Result(null, problems), null);
        }
        String schema = spec.database().schema();
        Inspector inspector = new Inspector(c);
        ServerInfo server = inspector.server();
        if (!server.isSupported()) {
            problems.add(
                    new Problem(
                            "spec.database",
                            "the server is "
                                    + server.flavor()
                                    + " ("
                                    + server.version()
                                    + "); supported are MariaDB 10.6+ and MySQL 5.7/8.x",
                            "upgrade the server"));
        }
        Set<String> missing = new TreeSet<>();
        for (String db : List.of(schema, spec.workSchema(), spec.undoSchema())) {
            Set<String> have = inspector.privileges(db);
            if (!have.contains("ALL PRIVILEGES")) {
                TABLE_PRIVILEGES.stream()
                        .filter(p -> !have.contains(p))
                        .forEach(p -> missing.add(p + " on " + db));
            }
        }
        if (!missing.isEmpty()) {
            problems.add(
                    new Problem(
                            "spec.database.credentialsSecret",
                            "user " + server.user() + " lacks " + String.join(", ", missing),
                            "GRANT "
                                    + missing.stream()
                                            .map(m -> m.substring(0, m.indexOf(" on ")))
                                            .distinct()
                                            .collect(Collectors.joining(", "))
                                    + " ON `"
                                    + schema
                                    + "`.* (and on `"
                                    + spec.workSchema()
                                    + "`.*, `"
                                    + spec.undoSchema()
                                    + "`.*) TO the user"));
        }
        if (server.logBin() && !server.hasSuper() && !server.trustFunctionCreators()) {
            problems.add(
                    new Problem(
                            "spec.database",
                            "binary logging is on and user "
                                    + server.user()
                                    + " has no SUPER privilege, so the server refuses to create triggers (ERROR 1419)",
                            "SET GLOBAL log_bin_trust_function_creators = 1 (on RDS/Aurora: set it in the DB parameter group)"));
        }
        List<String> replicas = spec.backfill().throttle().replicas();
        for (int i = 0; i < replicas.size(); i++) {
            Optional<String> unusable = Throttler.unusable(db, replicas.get(i));
            if (unusable.isPresent()) {
                problems.add(
                        new Problem(
                                "spec.backfill.throttle.replicas[" + i + "]",
                                unusable.get(),
                                "list replicas of this server as host:port, reachable with the same user, and GRANT it "
                                        + "REPLICA MONITOR (MariaDB) or REPLICATION CLIENT (MySQL)"));
            }
        }
        Optional<TableInfo> found = inspector.table(schema, spec.table());
        if (found.isEmpty()) {
            problems.add(
                    new Problem(
                            "spec.table",
                            "table " + schema + "." + spec.table() + " does not exist",
                            "check spec.table and spec.database.schema (names are case-sensitive on most servers)"));
            return new Validation(new Planner.Result(null, problems), null);
        }
        TableInfo source = found.get();
        if (!"InnoDB".equalsIgnoreCase(source.engine())) {
            problems.add(
                    new Problem(
                            "spec.table",
                            spec.table() + " is " + source.engine() + ", not an InnoDB table",
                            "only InnoDB tables can be changed online"));
        }
        problems.addAll(foreignKeyProblems(source));
        Optional<VersionRow> version = VersionRow.of(schema, spec);
        if (version.isPresent()) {
            problems.addAll(version.get().check(inspector));
        }
        List<PartSpec> parts = PartSpec.of(spec);
        parts.forEach(p -> problems.addAll(p.alter().problems()));
        if (spec.split() != null) {
            problems.addAll(SplitCheck.check(spec, source, inspector));
        }
        if (!problems.isEmpty()) {
            return new Validation(new Planner.Result(null, problems), null);
        }
        return tryOnScratch(c, inspector, source, parts, server);
    }

    private List<Problem> foreignKeyProblems(TableInfo source) {
        List<Problem> out = new ArrayList<>();
        List<TableInfo.ForeignKey> children =
                source.referencedBy().stream()
                        .filter(
                                fk ->
                                        !(fk.schema().equals(source.schema())
                                                && fk.table().equals(source.name())))
                        .toList();
        SchemaChangeSpec.ChildPolicy policy = spec.foreignKeys().children();
        if (!children.isEmpty() && policy == SchemaChangeSpec.ChildPolicy.Fail) {
            String names =
                    children.stream()
                            .map(fk -> fk.schema() + "." + fk.table() + " (" + fk.name() + ")")
                            .collect(Collectors.joining(", "));
            out.add(
                    new Problem(
                            "spec.foreignKeys.children",
                            "other tables reference "
                                    + source.name()
                                    + ": "
                                    + names
                                    + "; refused by policy Fail",
                            "use foreignKeys.children: RebuildConstraints (re-points them to the new table, keeping names)"));
        }
        if (policy == SchemaChangeSpec.ChildPolicy.DropSwap
                && !Durations.parse(spec.retention().keepOldTableFor()).isZero()) {
            // DropSwap drops the original at the swap: there is no old table to keep, sync or roll
            // back to
            out.add(
                    new Problem(
                            "spec.retention.keepOldTableFor",
                            "foreignKeys.children: DropSwap drops the original "
                                    + "table at the swap, so no old table can be kept for a rollback",
                            "set retention.keepOldTableFor: \"0\" to accept that, or use foreignKeys.children: "
                                    + "RebuildConstraints (atomic swap, rollback possible)"));
        }
        for (TableInfo.ForeignKey fk : source.foreignKeys()) {
            if (fk.name().length() > ForeignKeyNames.MAX_NAME) {
                out.add(
                        new Problem(
                                "spec.table",
                                "foreign key name "
                                        + fk.name()
                                        + " is longer than "
                                        + ForeignKeyNames.MAX_NAME
                                        + " characters, too long to carry a temporary suffix during the swap",
                                "rename the constraint to a shorter name first"));
            }
        }
        return out;
    }

    /**
     * Builds every part as an empty scratch copy, so the server itself judges each DDL; drops them
     * after.
     */
    private Validation tryOnScratch(
            Connection c,
            Inspector inspector,
            TableInfo source,
            List<PartSpec> parts,
            ServerInfo server)
            throws SQLException {
        Sessions.exec(c, "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(spec.workSchema()));
        List<String> scratches = new ArrayList<>();
        try {
            List<Planner.Shape> shapes = new ArrayList<>();
            for (PartSpec part : parts) {
                String scratch = Identifiers.fit(part.table(), "__osc_chk");
                scratches.add(scratch);
                Optional<Problem> refused =
                        build(c, source, part, Identifiers.quote(spec.workSchema(), scratch));
                if (refused.isPresent()) {
                    return new Validation(new Planner.Result(null, List.of(refused.get())), null);
                }
                shapes.add(
                        new Planner.Shape(
                                part, inspector.table(spec.workSchema(), scratch).orElseThrow()));
            }
            Planner.Result result = Planner.plan(spec, source, shapes);
            if (!result.ok()) {
                return new Validation(result, null);
            }
            for (Planner.Shape shape : shapes) {
                List<Problem> duplicates =
                        new UniqueKeyCheck(c)
                                .newKeysOverDuplicates(shape.part(), source, shape.shadow());
                if (!duplicates.isEmpty()) {
                    return new Validation(new Planner.Result(null, duplicates), null);
                }
            }
            // the server decides whether the ALTER runs natively; the checks below are the copy's
            Choice choice = new NativeProbe(spec).decide(c, source, server);
            DiskSpace space = DiskSpace.measure(c, source.schema(), source.name(), choice);
            if (space.exceedsFree()
                    && (choice.natively() || spec.strategy() != SchemaChangeSpec.Strategy.Native)) {
                return new Validation(
                        refuse(
                                "spec.table",
                                (choice.natively()
                                                ? "the in-place rebuild needs about "
                                                : "the copy needs about ")
                                        + DiskSpace.bytes(space.neededBytes())
                                        + (choice.natively()
                                                ? ""
                                                : " (shadow table, binary log of the copy, journal)")
                                        + " plus a "
                                        + Math.round(DiskSpace.MARGIN * 100)
                                        + "% margin, but only "
                                        + DiskSpace.bytes(space.freeBytes().getAsLong())
                                        + " are free on the server's data disk",
                                "free disk space on the server (or grow the volume), then run the change again"),
                        choice);
            }
            if (choice.natively()) {
                return new Validation(
                        result,
                        choice,
                        Planner.preview(parts.get(0).alter(), source, shapes.get(0).shadow()));
            }
            if (spec.strategy() == SchemaChangeSpec.Strategy.Native) {
                return new Validation(
                        refuse(
                                "spec.strategy",
                                "Native: " + choice.reason() + " (nothing was changed)",
                                spec.nativeOptions().allowInplace()
                                        ? "use strategy: Auto or Copy (shadow table, triggers and a copy)"
                                        : "use strategy: Auto or Copy (shadow table, triggers and a copy), or set "
                                                + "native.allowInplace: true if an in-place rebuild is acceptable"),
                        choice);
            }
            if (!result.plan().split()) {
                List<Problem> children =
                        ChildForeignKeys.check(
                                source, shapes.get(0).shadow(), parts.get(0).alter());
                if (!children.isEmpty()) {
                    return new Validation(new Planner.Result(null, children), choice);
                }
            } else {
                List<Problem> children = ChildForeignKeys.checkSplit(source, shapes);
                if (!children.isEmpty()) {
                    return new Validation(new Planner.Result(null, children), choice);
                }
            }
            List<String> irreversible = result.plan().irreversible();
            if (!irreversible.isEmpty()
                    && spec.retention().reverseSync()
                    && !Durations.parse(spec.retention().keepOldTableFor()).isZero()) {
                return new Validation(
                        refuse(
                                "spec.retention.reverseSync",
                                "rows written after the swap could not go back to the "
                                        + "old table unchanged, so a rollback would not be lossless: "
                                        + String.join("; ", irreversible),
                                "set retention.reverseSync: false to keep the old table without reverse sync (your explicit "
                                        + "consent), or retention.keepOldTableFor: \"0\" to drop it at the swap"),
                        choice);
            }
            return new Validation(result, choice);
        } finally {
            for (String scratch : scratches) {
                Sessions.exec(
                        c, "DROP TABLE IF EXISTS " + Identifiers.quote(spec.workSchema(), scratch));
            }
        }
    }

    /**
     * Creates the part as {@code quoted}; a refusal naming the field when the server rejects a
     * statement.
     */
    private Optional<Problem> build(Connection c, TableInfo source, PartSpec part, String quoted)
            throws SQLException {
        Sessions.exec(c, "DROP TABLE IF EXISTS " + quoted);
        try {
            Sessions.exec(c, part.create(quoted, source));
        } catch (SQLException e) {
            return Optional.of(
                    new Problem(
                            "spec.table",
                            "the server cannot create a copy of the table's definition: "
                                    + e.getMessage(),
                            "fix the table definition under the server's current sql_mode"));
        }
        List<String> ddl = part.ddl(quoted, source);
        for (int i = 0; i < ddl.size(); i++) {
            try {
                Sessions.exec(c, ddl.get(i));
            } catch (SQLException e) {
                boolean own = i == ddl.size() - 1 && !part.alter().text().isBlank();
                return Optional.of(
                        own
                                ? new Problem(
                                        part.field(),
                                        "the server rejects the ALTER: " + e.getMessage(),
                                        "fix the ALTER (it was tried on an empty copy; the original table is untouched)")
                                : new Problem(
                                        part.field().replace(".alter", ".columns"),
                                        "part "
                                                + part.table()
                                                + " cannot be cut from "
                                                + source.name()
                                                + ": "
                                                + e.getMessage(),
                                        "move the columns this depends on (e.g. of a generated column or CHECK) into the same part"));
            }
        }
        return Optional.empty();
    }

    private static Planner.Result refuse(String field, String reason, String fix) {
        return new Planner.Result(null, List.of(new Problem(field, reason, fix)));
    }
}
