package dev.schemachange.api;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.CelComprehension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the API server needs to estimate a rule's cost when the CRD is installed, where an estimate
 * over its limit rejects the whole CRD: every string a rule scans (regex, case, search) has a
 * {@code maxLength}, every list or map it iterates a {@code maxItems} or {@code maxProperties}, and
 * every list the rule sits under a {@code maxItems} (the rule runs once per element). Without them
 * the API server assumes sizes as large as a request (3 MiB) and the estimate explodes. This is the
 * structural precondition, not the API server's arithmetic.
 */
final class CelBounds {
    /** String functions whose cost grows with the string's length. */
    private static final Set<String> SCANS =
            Set.of(
                    "matches",
                    "contains",
                    "startsWith",
                    "endsWith",
                    "lowerAscii",
                    "upperAscii",
                    "trim",
                    "replace",
                    "split",
                    "indexOf",
                    "lastIndexOf",
                    "substring",
                    "join",
                    "charAt");

    private CelBounds() {}

    /** Why the API server could not bound this rule's cost; empty when it can. */
    static List<String> problems(CelRules.Compiled c, SchemaNode root) {
        List<String> out = new ArrayList<>(enclosingLists(c.rule().path(), root));
        Map<String, SchemaNode> scope = new HashMap<>();
        scope.put("self", c.rule().node());
        scope.put("oldSelf", c.rule().node());
        walk(c.ast().getExpr(), scope, out);
        return out;
    }

    private static List<String> enclosingLists(String path, SchemaNode root) {
        List<String> out = new ArrayList<>();
        SchemaNode node = root;
        String at = "";
        for (String segment : path.replace("[*]", ".[*]").split("\\.")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals("[*]")) {
                if ("array".equals(node.type()) && node.bound("maxItems").isEmpty()) {
                    out.add(at + " has no maxItems, and a rule runs for each of its elements");
                }
                node = node.items().or(node::mapValues).orElseThrow();
            } else {
                node = node.property(segment).orElseThrow();
            }
            at = at.isEmpty() ? segment : at + (segment.startsWith("[") ? "" : ".") + segment;
        }
        return out;
    }

    private static void walk(CelExpr e, Map<String, SchemaNode> scope, List<String> out) {
        switch (e.getKind()) {
            case CALL -> {
                CelExpr.CelCall call = e.call();
                if (SCANS.contains(call.function())) {
                    call.target().ifPresent(t -> requireLength(t, scope, out));
                    call.args().forEach(a -> requireLength(a, scope, out));
                }
                call.target().ifPresent(t -> walk(t, scope, out));
                call.args().forEach(a -> walk(a, scope, out));
            }
            case COMPREHENSION -> {
                CelComprehension loop = e.comprehension();
                walk(loop.iterRange(), scope, out);
                walk(loop.accuInit(), scope, out);
                Optional<SchemaNode> range = schemaOf(loop.iterRange(), scope);
                Map<String, SchemaNode> inner = new HashMap<>(scope);
                if (range.isEmpty()) {
                    if (loop.iterRange().getKind() != CelExpr.ExprKind.Kind.LIST) {
                        out.add("cannot tell the size of what is iterated at expression " + e.id());
                    }
                } else {
                    SchemaNode r = range.get();
                    boolean map = r.mapValues().isPresent();
                    if (r.bound(map ? "maxProperties" : "maxItems").isEmpty()) {
                        out.add(
                                "a rule iterates a list or map without "
                                        + (map ? "maxProperties" : "maxItems"));
                    }
                    (map ? Optional.<SchemaNode>empty() : r.items())
                            .ifPresent(items -> inner.put(loop.iterVar(), items));
                }
                walk(loop.loopCondition(), inner, out);
                walk(loop.loopStep(), inner, out);
                walk(loop.result(), inner, out);
            }
            case SELECT -> walk(e.select().operand(), scope, out);
            case LIST -> e.list().elements().forEach(x -> walk(x, scope, out));
            default -> {}
        }
    }

    private static void requireLength(CelExpr e, Map<String, SchemaNode> scope, List<String> out) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
            return;
        }
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("_?_:_")) {
            requireLength(e.call().args().get(1), scope, out);
            requireLength(e.call().args().get(2), scope, out);
            return;
        }
        Optional<SchemaNode> node = schemaOf(e, scope);
        if (node.isEmpty()) {
            out.add("cannot tell the length of a string scanned at expression " + e.id());
        } else if (node.get().bound("maxLength").isEmpty()) {
            out.add("a rule scans a string without maxLength (expression " + e.id() + ")");
        }
    }

    /** The schema node of {@code self}, a loop variable, or a field selected from those. */
    private static Optional<SchemaNode> schemaOf(CelExpr e, Map<String, SchemaNode> scope) {
        return switch (e.getKind()) {
            case IDENT -> Optional.ofNullable(scope.get(e.ident().name()));
            case SELECT ->
                    schemaOf(e.select().operand(), scope).flatMap(n -> n.child(e.select().field()));
            default -> Optional.empty();
        };
    }
}
