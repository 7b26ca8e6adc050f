package dev.schemachange.api;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code x-kubernetes-validations} rules of a CRD, compiled and evaluated the way the API
 * server does, with Google's CEL for Java.
 *
 * <p>Each rule is type-checked with {@code self} (and {@code oldSelf}) typed by the OpenAPI schema
 * of the node it sits on: an object with properties is a struct whose fields are its properties (so
 * a misspelled field does not compile), an object with {@code additionalProperties} a map, an array
 * a list, {@code integer} int, {@code number} double, {@code x-kubernetes-int-or-string} dyn. The
 * functions are CEL's standard ones and macros plus the string extension library that the API
 * server also has; any other function a rule calls (the API server's quantity, URL, IP or list
 * libraries) fails to compile here, so a rule using one cannot go untested: add it to {@link #env}
 * first, with the API server's semantics.
 *
 * <p>Evaluation follows the API server: a rule runs for every value present at its node (every
 * element of a list); a rule that mentions {@code oldSelf} is a transition rule and runs only on an
 * update where the old object has a value at the same place, reached through object fields and map
 * keys only (plain lists do not correlate); a rule that errors refuses the object, as an evaluation
 * error does there.
 */
final class CelRules {
    /**
     * A rule where it sits: {@code path} as in a field path, with {@code [*]} for list elements.
     */
    record Rule(
            String path,
            SchemaNode node,
            String expression,
            String message,
            String fieldPath,
            boolean transition) {}

    /** A rule and its checked AST, or why it does not compile. */
    record Compiled(Rule rule, CelAbstractSyntaxTree ast, Cel cel, String error) {}

    private final SchemaNode root;
    private final List<Compiled> compiled = new ArrayList<>();

    CelRules(SchemaNode root) {
        this.root = root;
        collect(root, "").forEach(rule -> compiled.add(compile(rule)));
    }

    List<Compiled> all() {
        return List.copyOf(compiled);
    }

    /** Every rule found under {@code node}, outermost first. */
    static List<Rule> collect(SchemaNode node, String path) {
        List<Rule> out = new ArrayList<>();
        for (Map<String, Object> r : node.rules()) {
            if (r.containsKey("messageExpression") || r.containsKey("optionalOldSelf")) {
                throw new IllegalArgumentException(
                        path
                                + ": messageExpression and optionalOldSelf are not modelled by CelRules");
            }
            String expression = (String) r.get("rule");
            out.add(
                    new Rule(
                            path,
                            node,
                            expression,
                            (String) r.get("message"),
                            (String) r.get("fieldPath"),
                            expression.contains("oldSelf")));
        }
        node.properties()
                .forEach(
                        (k, v) ->
                                out.addAll(
                                        collect(
                                                SchemaNode.of(v),
                                                path.isEmpty() ? k : path + "." + k)));
        node.items().ifPresent(items -> out.addAll(collect(items, path + "[*]")));
        node.mapValues().ifPresent(values -> out.addAll(collect(values, path + "[*]")));
        return out;
    }

    /** Compiles one rule in the environment the API server gives it. */
    static Compiled compile(Rule rule) {
        Map<String, CelType> structs = new LinkedHashMap<>();
        CelType self =
                type(
                        rule.node(),
                        "schemachange.dev." + rule.path().replace("[*]", ".@items"),
                        structs);
        Cel cel = env(self, structs);
        try {
            CelAbstractSyntaxTree ast = cel.compile(rule.expression()).getAst();
            if (!ast.getResultType().equals(SimpleType.BOOL)) {
                return new Compiled(
                        rule,
                        null,
                        cel,
                        "the rule is " + ast.getResultType().name() + ", not bool");
            }
            return new Compiled(rule, ast, cel, null);
        } catch (CelValidationException e) {
            return new Compiled(rule, null, cel, e.getMessage());
        }
    }

    private static Cel env(CelType self, Map<String, CelType> structs) {
        return CelFactory.legacyCelBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(new Structs(ImmutableList.copyOf(structs.values())))
                .addVar("self", self)
                .addVar("oldSelf", self)
                .addCompilerLibraries(CelExtensions.strings())
                .addRuntimeLibraries(CelExtensions.strings())
                .build();
    }

    /** The CEL type the API server gives a value of this schema. */
    static CelType type(SchemaNode node, String name, Map<String, CelType> structs) {
        if (node.flag("x-kubernetes-int-or-string")) {
            return SimpleType.DYN;
        }
        if (node.json().containsKey("format")) {
            throw new IllegalArgumentException(
                    name
                            + ": format "
                            + node.json().get("format")
                            + " is not modelled by CelRules");
        }
        String type = node.type();
        if (type == null) {
            return SimpleType.DYN;
        }
        return switch (type) {
            case "string" -> SimpleType.STRING;
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "boolean" -> SimpleType.BOOL;
            case "array" ->
                    ListType.create(
                            node.items()
                                    .map(items -> type(items, name + ".@items", structs))
                                    .orElse(SimpleType.DYN));
            case "object" -> {
                if (node.mapValues().isPresent()) {
                    yield MapType.create(
                            SimpleType.STRING,
                            type(node.mapValues().get(), name + ".@values", structs));
                }
                if (node.properties().isEmpty()) {
                    yield SimpleType.DYN;
                }
                Map<String, CelType> fields = new LinkedHashMap<>();
                node.properties()
                        .forEach(
                                (k, v) ->
                                        fields.put(
                                                k,
                                                type(SchemaNode.of(v), name + "." + k, structs)));
                StructType struct =
                        StructType.create(
                                name,
                                ImmutableSet.copyOf(fields.keySet()),
                                field -> Optional.ofNullable(fields.get(field)));
                structs.put(name, struct);
                yield struct;
            }
            default -> throw new IllegalArgumentException(name + ": unknown type " + type);
        };
    }

    /**
     * Every refusal of the rules for this object; {@code old} is the stored object on an update,
     * null on a create.
     */
    List<Rejection> validate(Map<String, Object> object, Map<String, Object> old) {
        List<String> broken =
                compiled.stream().filter(c -> c.error() != null).map(c -> c.rule().path()).toList();
        if (!broken.isEmpty()) {
            throw new IllegalStateException("rules that do not compile at " + broken);
        }
        List<Rejection> out = new ArrayList<>();
        walk(root, "", object, old, out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private void walk(SchemaNode node, String path, Object value, Object old, List<Rejection> out) {
        if (value == null) {
            return;
        }
        String pattern = path.replaceAll("\\[[0-9]+]", "[*]").replaceAll("\\[\"[^\"]*\"]", "[*]");
        for (Compiled c : compiled) {
            if (c.rule().path().equals(pattern)) {
                evaluate(c, path, value, old).ifPresent(out::add);
            }
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> oldMap =
                    old instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            boolean isMap = node.mapValues().isPresent();
            ((Map<String, Object>) map)
                    .forEach(
                            (k, v) ->
                                    node.child(k)
                                            .ifPresent(
                                                    child ->
                                                            walk(
                                                                    child,
                                                                    isMap
                                                                            ? path + "[\"" + k
                                                                                    + "\"]"
                                                                            : path.isEmpty()
                                                                                    ? k
                                                                                    : path + "."
                                                                                            + k,
                                                                    v,
                                                                    oldMap.get(k),
                                                                    out)));
        } else if (value instanceof List<?> list) {
            SchemaNode items = node.items().orElse(null);
            for (int i = 0; items != null && i < list.size(); i++) {
                walk(items, path + "[" + i + "]", list.get(i), null, out);
            }
        }
    }

    private static Optional<Rejection> evaluate(Compiled c, String path, Object value, Object old) {
        Rule rule = c.rule();
        if (rule.transition() && old == null) {
            return Optional.empty();
        }
        String field = rule.fieldPath() == null ? path : path + rule.fieldPath();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("self", value);
        if (old != null) {
            vars.put("oldSelf", old);
        }
        try {
            Object result = c.cel().createProgram(c.ast()).eval(vars);
            return Boolean.TRUE.equals(result)
                    ? Optional.empty()
                    : Optional.of(new Rejection(field, rule.expression(), rule.message()));
        } catch (CelEvaluationException e) {
            return Optional.of(
                    new Rejection(path, rule.expression(), "evaluation error: " + e.getMessage()));
        }
    }

    /**
     * The struct types of one rule's {@code self}, so that the checker can resolve their fields.
     */
    private record Structs(ImmutableCollection<CelType> types) implements CelTypeProvider {
        @Override
        public Optional<CelType> findType(String typeName) {
            return types.stream().filter(t -> t.name().equals(typeName)).findFirst();
        }
    }
}
