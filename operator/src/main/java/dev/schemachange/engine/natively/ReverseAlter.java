package dev.schemachange.engine.natively;

import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.SqlLexer;
import dev.schemachange.mysql.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ALTER that undoes a native change, derived clause by clause from the user's ALTER and the
 * original's definition: an added column or index is dropped, a changed, renamed or re-defaulted
 * column gets its original name and definition back. Only a candidate: {@link NativeProbe} runs it
 * on the scratch copy and keeps it only when the server applies it natively and it restores the
 * original's shape exactly.
 *
 * @param clauses the reverse clause list, or null when there is none
 * @param why why there is none; null when there is one
 */
record ReverseAlter(String clauses, String why) {
    private static final List<String> NOT_COLUMNS =
            List.of(
                    "INDEX",
                    "KEY",
                    "UNIQUE",
                    "PRIMARY",
                    "FULLTEXT",
                    "SPATIAL",
                    "CONSTRAINT",
                    "FOREIGN",
                    "CHECK",
                    "PARTITION",
                    "PERIOD",
                    "SYSTEM");

    static ReverseAlter of(String alter, String originalCreate) {
        List<List<Token>> clauses = clauses(SqlLexer.tokens(alter));
        List<String> reversed = new ArrayList<>();
        for (List<Token> clause : clauses) {
            Optional<String> undo = undo(clause, originalCreate);
            if (undo.isEmpty()) {
                return new ReverseAlter(
                        null, "no ALTER undoes \"" + text(clause) + "\" (what it removed is gone)");
            }
            reversed.add(0, undo.get());
        }
        return new ReverseAlter(String.join(", ", reversed), null);
    }

    private static Optional<String> undo(List<Token> c, String originalCreate) {
        if (c.isEmpty()) {
            return Optional.empty();
        }
        Token first = c.get(0);
        int i = 1;
        if (first.isWord("ADD")) {
            if (i < c.size() && c.get(i).isWord("COLUMN")) {
                i++;
            } else if (i < c.size()
                    && c.get(i).kind() == SqlLexer.Kind.WORD
                    && NOT_COLUMNS.contains(c.get(i).text())) {
                return addedIndex(c);
            }
            i = skipIf(c, i, "NOT");
            return i < c.size() && c.get(i).isName() && !c.get(i).isSymbol("(")
                    ? Optional.of("DROP COLUMN " + Identifiers.quote(c.get(i).raw()))
                    : Optional.empty();
        }
        if (first.isWord("RENAME")
                && c.size() >= 5
                && c.get(1).isWord("COLUMN")
                && c.get(3).isWord("TO")) {
            return restore(c.get(4).raw(), c.get(2).raw(), originalCreate);
        }
        if (first.isWord("CHANGE")) {
            i = skipIf(c, c.size() > 1 && c.get(1).isWord("COLUMN") ? 2 : 1, "");
            return i + 1 < c.size() && c.get(i).isName() && c.get(i + 1).isName()
                    ? restore(c.get(i + 1).raw(), c.get(i).raw(), originalCreate)
                    : Optional.empty();
        }
        if (first.isWord("MODIFY") || first.isWord("ALTER")) {
            i = skipIf(c, c.size() > 1 && c.get(1).isWord("COLUMN") ? 2 : 1, "");
            return i < c.size() && c.get(i).isName()
                    ? restore(c.get(i).raw(), c.get(i).raw(), originalCreate)
                    : Optional.empty();
        }
        return Optional.empty();
    }

    /** ADD INDEX/KEY/UNIQUE [INDEX|KEY] name (...): dropped by its name, when it has one. */
    private static Optional<String> addedIndex(List<Token> c) {
        int i = 1;
        if (c.get(i).isWord("UNIQUE")
                || c.get(i).isWord("FULLTEXT")
                || c.get(i).isWord("SPATIAL")) {
            i++;
        }
        if (i < c.size() && (c.get(i).isWord("INDEX") || c.get(i).isWord("KEY"))) {
            i++;
        }
        i = skipIf(c, i, "NOT");
        if (i + 1 < c.size() && c.get(i).isName() && c.get(i + 1).isSymbol("(")) {
            return Optional.of("DROP INDEX " + Identifiers.quote(c.get(i).raw()));
        }
        return Optional.empty();
    }

    /** Skips {@code IF [NOT] EXISTS} at {@code i}. */
    private static int skipIf(List<Token> c, int i, String not) {
        if (i < c.size() && c.get(i).isWord("IF")) {
            i++;
            if (!not.isEmpty() && i < c.size() && c.get(i).isWord(not)) {
                i++;
            }
            if (i < c.size() && c.get(i).isWord("EXISTS")) {
                i++;
            }
        }
        return i;
    }

    /** CHANGE the column now called {@code current} back to {@code original}'s definition. */
    private static Optional<String> restore(
            String current, String original, String originalCreate) {
        return definition(original, originalCreate)
                .map(
                        def ->
                                "CHANGE COLUMN "
                                        + Identifiers.quote(current)
                                        + " "
                                        + Identifiers.quote(original)
                                        + " "
                                        + def);
    }

    /** The column's definition in SHOW CREATE TABLE, after its name. */
    static Optional<String> definition(String column, String createSql) {
        String prefix = Identifiers.quote(column).toLowerCase(Locale.ROOT) + " ";
        for (String line : createSql.split("\n")) {
            String t = line.trim();
            if (t.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                String def = t.substring(prefix.length());
                return Optional.of(def.endsWith(",") ? def.substring(0, def.length() - 1) : def);
            }
        }
        return Optional.empty();
    }

    private static List<List<Token>> clauses(List<Token> tokens) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        for (Token t : tokens) {
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
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

    private static String text(List<Token> clause) {
        return String.join(" ", clause.stream().map(Token::raw).toList());
    }
}
