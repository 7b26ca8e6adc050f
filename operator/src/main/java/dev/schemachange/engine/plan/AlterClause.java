package dev.schemachange.engine.plan;

import dev.schemachange.api.Problem;
import dev.schemachange.mysql.SqlLexer;
import dev.schemachange.mysql.SqlLexer.Token;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The user's ALTER clause list, checked before it reaches any server: it must be one statement that
 * changes only the table it is applied to. Also reads the column renames it makes, so data follows
 * a renamed column.
 */
public record AlterClause(
        String text, Map<String, String> renames, Set<String> dropped, List<Problem> problems) {

    /**
     * Keywords that make an ALTER act on something other than the one table (or not be an ALTER at
     * all).
     */
    private static final List<String> FOREIGN_ACTIONS = List.of("EXCHANGE", "DISCARD", "IMPORT");

    /** No change at all: a split part that only takes its columns. */
    public static AlterClause none() {
        return new AlterClause("", Map.of(), Set.of(), List.of());
    }

    public static AlterClause parse(String field, String text) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> renames = new LinkedHashMap<>();
        Set<String> dropped = new HashSet<>();
        if (text == null || text.isBlank()) {
            problems.add(
                    new Problem(
                            field,
                            "is empty",
                            "give the ALTER TABLE clauses, e.g. \"ADD COLUMN note VARCHAR(64)\""));
            return new AlterClause(text, renames, dropped, problems);
        }
        List<Token> tokens;
        try {
            tokens = SqlLexer.tokens(text);
        } catch (IllegalArgumentException e) {
            problems.add(
                    new Problem(
                            field,
                            "cannot be read: " + e.getMessage(),
                            "close every quote and comment"));
            return new AlterClause(text, renames, dropped, problems);
        }
        if (!tokens.isEmpty()
                && (tokens.get(0).isWord("ALTER") && !alterClause(tokens)
                        || tokens.get(0).isWord("CREATE")
                        || tokens.get(0).isWord("DROP")
                                && tokens.size() > 1
                                && tokens.get(1).isWord("TABLE"))) {
            problems.add(
                    new Problem(
                            field,
                            "is a whole statement",
                            "give only the clauses that follow ALTER TABLE <table>, e.g. \"ADD COLUMN note VARCHAR(64)\""));
        }
        for (List<Token> clause : clauses(tokens, problems, field)) {
            inspect(field, clause, renames, dropped, problems);
        }
        return new AlterClause(
                text, Map.copyOf(renames), Set.copyOf(dropped), List.copyOf(problems));
    }

    /**
     * Whether a leading ALTER is a clause of the list rather than a statement: {@code ALTER
     * [COLUMN] c SET DEFAULT …} or {@code … DROP DEFAULT} (a changed default), or {@code ALTER
     * INDEX|KEY i [NOT] IGNORED}; {@code ALTER TABLE t …} (or ONLINE, IGNORE) is a statement.
     */
    private static boolean alterClause(List<Token> t) {
        if (t.size() < 3) {
            return false;
        }
        Token second = t.get(1);
        if (second.isWord("COLUMN") || second.isWord("INDEX") || second.isWord("KEY")) {
            return true;
        }
        return second.isName()
                && !second.isWord("TABLE")
                && (t.get(2).isWord("SET") || t.get(2).isWord("DROP"));
    }

    /**
     * True when the ALTER drops this source column (a column re-added under the same name is new
     * data).
     */
    public boolean drops(String column) {
        return dropped.contains(column.toLowerCase(Locale.ROOT));
    }

    /** The new name of a source column, or the same name when the ALTER does not rename it. */
    public String renamed(String column) {
        String target = renames.get(column.toLowerCase(Locale.ROOT));
        return target == null ? column : target;
    }

    /**
     * DROP [COLUMN] [IF EXISTS] name — but not DROP INDEX/KEY/PRIMARY KEY/FOREIGN
     * KEY/CONSTRAINT/...
     */
    private static Optional<String> droppedColumn(List<Token> c) {
        int i = 1;
        if (i < c.size() && c.get(i).isWord("COLUMN")) {
            i++;
        } else if (i < c.size()
                && c.get(i).kind() == SqlLexer.Kind.WORD
                && NOT_COLUMNS.contains(c.get(i).text())) {
            return Optional.empty();
        }
        if (i + 1 < c.size() && c.get(i).isWord("IF") && c.get(i + 1).isWord("EXISTS")) {
            i += 2;
        }
        return i < c.size() && c.get(i).isName() ? Optional.of(c.get(i).raw()) : Optional.empty();
    }

    private static final Set<String> NOT_COLUMNS =
            Set.of(
                    "INDEX",
                    "KEY",
                    "PRIMARY",
                    "FOREIGN",
                    "CONSTRAINT",
                    "CHECK",
                    "PARTITION",
                    "UNIQUE",
                    "SYSTEM",
                    "PERIOD");

    private static List<List<Token>> clauses(
            List<Token> tokens, List<Problem> problems, String field) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        for (Token t : tokens) {
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (t.isSymbol(";")) {
                problems.add(
                        new Problem(
                                field,
                                "contains ';' — only one statement is allowed",
                                "remove the ';' and anything after it; run other statements separately"));
                continue;
            } else if (t.isSymbol(",") && depth == 0) {
                out.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(t);
        }
        out.add(current);
        return out;
    }

    private static void inspect(
            String field,
            List<Token> c,
            Map<String, String> renames,
            Set<String> dropped,
            List<Problem> problems) {
        if (c.isEmpty()) {
            return;
        }
        Token first = c.get(0);
        if (first.kind() == SqlLexer.Kind.WORD && FOREIGN_ACTIONS.contains(first.text())) {
            problems.add(
                    new Problem(
                            field,
                            "uses "
                                    + first.text()
                                    + ", which acts on another table or a tablespace",
                            "change only this table's definition"));
            return;
        }
        if (first.isWord("RENAME")) {
            Token second = c.size() > 1 ? c.get(1) : null;
            if (second != null
                    && second.isWord("COLUMN")
                    && c.size() >= 5
                    && c.get(3).isWord("TO")) {
                renames.put(c.get(2).raw().toLowerCase(Locale.ROOT), c.get(4).raw());
            } else if (second != null && (second.isWord("INDEX") || second.isWord("KEY"))) {
                return;
            } else {
                problems.add(
                        new Problem(
                                field,
                                "renames or moves the table",
                                "remove the RENAME clause: the swap gives the new table the original's name"));
            }
            return;
        }
        if (first.isWord("DROP")) {
            droppedColumn(c).ifPresent(name -> dropped.add(name.toLowerCase(Locale.ROOT)));
            return;
        }
        if (first.isWord("CHANGE")) {
            int i = 1;
            if (i < c.size() && c.get(i).isWord("COLUMN")) {
                i++;
            }
            if (i < c.size() && c.get(i).isWord("IF")) { // CHANGE [COLUMN] IF EXISTS a b
                i += 2;
            }
            if (i + 1 < c.size() && c.get(i).isName() && c.get(i + 1).isName()) {
                String from = c.get(i).raw();
                String to = c.get(i + 1).raw();
                if (!from.equalsIgnoreCase(to)) {
                    renames.put(from.toLowerCase(Locale.ROOT), to);
                }
            }
        }
    }
}
