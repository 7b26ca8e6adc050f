package dev.schemachange.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens the way the server does for quoting and comments, so that checks on a
 * user's ALTER clause see keywords only where the server would, never inside strings, quoted names
 * or comments.
 */
public final class SqlLexer {

    public enum Kind {
        WORD,
        QUOTED_NAME,
        STRING,
        NUMBER,
        SYMBOL,
        COMMENT
    }

    /**
     * {@code text} is the word upper-cased, the name unquoted, or the symbol; {@code raw} keeps the
     * case.
     */
    public record Token(Kind kind, String text, String raw) {
        public boolean isWord(String upper) {
            return kind == Kind.WORD && text.equals(upper);
        }

        public boolean isSymbol(String s) {
            return kind == Kind.SYMBOL && text.equals(s);
        }

        /** A name as the server would read it here: unquoted word or back-quoted name. */
        public boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED_NAME;
        }
    }

    private SqlLexer() {}

    /**
     * Tokens without comments; throws IllegalArgumentException for unterminated quotes or comments.
     */
    public static List<Token> tokens(String sql) {
        List<Token> out = new ArrayList<>();
        for (Token t : allTokens(sql)) {
            if (t.kind() != Kind.COMMENT) {
                out.add(t);
            }
        }
        return out;
    }

    public static List<Token> allTokens(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#'
                    || (c == '-'
                            && i + 2 <= n
                            && sql.startsWith("--", i)
                            && (i + 2 == n || Character.isWhitespace(sql.charAt(i + 2))))) {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.add(new Token(Kind.COMMENT, sql.substring(i, end), sql.substring(i, end)));
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated comment");
                }
                out.add(
                        new Token(
                                Kind.COMMENT,
                                sql.substring(i, end + 2),
                                sql.substring(i, end + 2)));
                i = end + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (d == '\\' && c != '`' && j + 1 < n) {
                        value.append(d).append(sql.charAt(j + 1));
                        j += 2;
                    } else if (d == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            value.append(c);
                            j += 2;
                        } else {
                            closed = true;
                            j++;
                            break;
                        }
                    } else {
                        value.append(d);
                        j++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quote " + c);
                }
                out.add(
                        new Token(
                                c == '`' ? Kind.QUOTED_NAME : Kind.STRING,
                                value.toString(),
                                value.toString()));
                i = j;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127) {
                int j = i;
                while (j < n
                        && (Character.isLetterOrDigit(sql.charAt(j))
                                || sql.charAt(j) == '_'
                                || sql.charAt(j) == '$'
                                || sql.charAt(j) > 127
                                || sql.charAt(j) == '.'
                                        && j + 1 < n
                                        && Character.isDigit(sql.charAt(j + 1))
                                        && Character.isDigit(sql.charAt(i)))) {
                    j++;
                }
                String word = sql.substring(i, j);
                boolean number =
                        Character.isDigit(c)
                                && word.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.');
                out.add(
                        number
                                ? new Token(Kind.NUMBER, word, word)
                                : new Token(Kind.WORD, word.toUpperCase(Locale.ROOT), word));
                i = j;
            } else {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c), String.valueOf(c)));
                i++;
            }
        }
        return out;
    }
}
