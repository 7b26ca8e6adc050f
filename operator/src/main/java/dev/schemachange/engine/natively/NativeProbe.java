package dev.schemachange.engine.natively;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.ServerErrors;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.ServerInfo;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Asks the server whether the ALTER runs natively: on an empty scratch copy of the table in the
 * work schema it runs {@code ALTER … , ALGORITHM=INSTANT} (and {@code ALGORITHM=INPLACE, LOCK=NONE}
 * when the spec allows it), where the server refuses, naming its reason, rather than copies.
 * Whether an operation is instant depends on the operation and the table's definition, not on its
 * rows, so the empty copy answers for the real table; the swap asks again on the real table all the
 * same. The candidate reverse ALTER is tried there too.
 */
public final class NativeProbe {
    private final SchemaChangeSpec spec;

    public NativeProbe(SchemaChangeSpec spec) {
        this.spec = spec;
    }

    /** The table option {@code AUTO_INCREMENT [=] N} (a column's attribute has no value). */
    private static final Pattern SETS_AUTO_INCREMENT =
            Pattern.compile("(?i)\\bAUTO_INCREMENT\\s*(=\\s*)?\\d");

    public Choice decide(Connection c, TableInfo source, ServerInfo server) throws SQLException {
        if (spec.strategy() == SchemaChangeSpec.Strategy.Copy) {
            return Choice.copy("strategy: Copy asks for a shadow table and a copy");
        }
        if (spec.split() != null && !spec.split().isEmpty()) {
            return Choice.copy("a split builds new tables: always a copy");
        }
        if (SETS_AUTO_INCREMENT.matcher(spec.alter()).find()) {
            // the empty scratch copy takes any counter, the live table only one above the counter
            // it has: a native ALTER would leave a different counter than a copy, silently
            return Choice.copy(
                    "AUTO_INCREMENT = N sets the counter exactly only when the table is rebuilt:"
                            + " natively the server keeps a counter it has above N");
        }
        PartSpec part = PartSpec.of(spec).get(0);
        String scratch =
                Identifiers.quote(spec.workSchema(), Identifiers.fit(spec.table(), "__osc_nat"));
        Inspector inspector = new Inspector(c);
        try {
            Sessions.exec(c, "DROP TABLE IF EXISTS " + scratch);
            Sessions.exec(c, part.create(scratch, source));
            String before = shape(inspector);
            String algorithm = "INSTANT";
            Optional<String> refused = attempt(c, scratch, spec.alter(), "ALGORITHM=INSTANT");
            if (refused.isPresent() && spec.nativeOptions().allowInplace()) {
                String instantRefusal = refused.get();
                refused = attempt(c, scratch, spec.alter(), "ALGORITHM=INPLACE, LOCK=NONE");
                algorithm = "INPLACE";
                if (refused.isPresent()) {
                    refused = Optional.of(instantRefusal + "; in place: " + refused.get());
                }
            }
            if (refused.isPresent()) {
                return Choice.copy("the server would need a copy: " + refused.get());
            }
            String after = shape(inspector);
            String reason =
                    "the server applies \""
                            + spec.alter()
                            + "\" as "
                            + algorithm
                            + ("INSTANT".equals(algorithm)
                                    ? " (metadata only)"
                                    : " (rebuilt in place, writes go on)")
                            + " on "
                            + server.flavor()
                            + " ("
                            + server.version()
                            + ")";
            ReverseAlter reverse = ReverseAlter.of(spec.alter(), source.createSql());
            String why = reverse.why();
            String undo = null;
            if (reverse.clauses() != null) {
                undo = reverse.clauses() + ", ALGORITHM=INSTANT";
                Optional<String> back = attempt(c, scratch, reverse.clauses(), "ALGORITHM=INSTANT");
                if (back.isPresent() && spec.nativeOptions().allowInplace()) {
                    undo = reverse.clauses() + ", ALGORITHM=INPLACE, LOCK=NONE";
                    back = attempt(c, scratch, reverse.clauses(), "ALGORITHM=INPLACE, LOCK=NONE");
                }
                if (back.isPresent()) {
                    why =
                            "the reverse ALTER \""
                                    + reverse.clauses()
                                    + "\" is not native: "
                                    + back.get();
                } else if (!shape(inspector).equals(before)) {
                    why =
                            "the reverse ALTER \""
                                    + reverse.clauses()
                                    + "\" does not restore the original definition";
                }
            }
            return new Choice(true, algorithm, reason, why == null ? undo : null, why, after);
        } finally {
            Sessions.exec(c, "DROP TABLE IF EXISTS " + scratch);
        }
    }

    /** The server's refusal, or empty when the ALTER ran. */
    private static Optional<String> attempt(
            Connection c, String table, String clauses, String algorithm) throws SQLException {
        try {
            Sessions.exec(c, "ALTER TABLE " + table + " " + clauses + ", " + algorithm);
            return Optional.empty();
        } catch (SQLException e) {
            if (ServerErrors.isTransient(e)) {
                throw e;
            }
            return Optional.of(e.getMessage());
        }
    }

    private String shape(Inspector inspector) throws SQLException {
        return Shapes.of(
                inspector.showCreate(spec.workSchema(), Identifiers.fit(spec.table(), "__osc_nat")),
                spec.database().schema());
    }
}
