package dev.schemachange.engine.natively;

/**
 * How a change runs, and why: natively as one ALTER ({@code algorithm} INSTANT or INPLACE), or as a
 * copy.
 *
 * @param reason in words for the status and the plan, e.g. "the server applies ADD COLUMN … as
 *     INSTANT (MariaDB 10.11.19)" or the server's refusal that makes a copy necessary
 * @param reverse the ALTER clauses (with their ALGORITHM) that undo a native change, checked on the
 *     scratch copy; null when there is none
 * @param noReverse why there is no reverse ALTER; null when there is one
 * @param afterShape the table's definition once the ALTER ran ({@link Shapes}), to recognise on
 *     resume an ALTER that landed before a crash
 */
public record Choice(
        boolean natively,
        String algorithm,
        String reason,
        String reverse,
        String noReverse,
        String afterShape) {

    public static Choice copy(String reason) {
        return new Choice(false, null, reason, null, null, null);
    }

    /** "Native (INSTANT)" or "Copy". */
    public String strategy() {
        return natively ? "Native (" + algorithm + ")" : "Copy";
    }

    /** The clause list appended to the user's ALTER: the server refuses rather than copies. */
    public String algorithmClause() {
        return "INPLACE".equals(algorithm)
                ? "ALGORITHM=INPLACE, LOCK=NONE"
                : "ALGORITHM=" + algorithm;
    }

    /** One line for notes and messages. */
    public String summary() {
        return "strategy " + strategy() + ": " + reason;
    }
}
