package dev.schemachange.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI part of the API server's validation of a custom resource: the CRD's structural schema
 * turned into the JSON Schema (draft 4, which OpenAPI v3.0 schemas are built on) that says the
 * same, and checked with networknt's validator.
 *
 * <p>What the API server does beyond plain JSON Schema is modelled here: {@code null} values of
 * fields that are not {@code nullable} are pruned before validation; fields the schema does not
 * know are refused, as kubectl's default strict field validation does ({@code unknown field}),
 * unless {@code x-kubernetes-preserve-unknown-fields}; {@code x-kubernetes-int-or-string} accepts
 * either; {@code apiVersion}, {@code kind} and {@code metadata} at the root are the API server's
 * own. A schema keyword this class does not model fails the conversion, so a new one in the CRD
 * cannot silently go unchecked.
 */
final class OpenApiSchema {
    /** Keywords copied as they are: JSON Schema draft 4 means by them what OpenAPI v3.0 does. */
    private static final Set<String> SAME =
            Set.of(
                    "type",
                    "required",
                    "enum",
                    "pattern",
                    "minLength",
                    "maxLength",
                    "minItems",
                    "maxItems",
                    "minProperties",
                    "maxProperties",
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "multipleOf");

    /** Keywords that do not validate (or that CelRules checks). */
    private static final Set<String> IGNORED =
            Set.of("description", "x-kubernetes-validations", "nullable");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaNode structural;
    private final Schema schema;

    OpenApiSchema(SchemaNode structural) {
        this.structural = structural;
        Map<String, Object> jsonSchema = jsonSchema(structural, true);
        try {
            this.schema =
                    SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                            .getSchema(JSON.writeValueAsString(jsonSchema), InputFormat.JSON);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every refusal of the schema for this object, after the API server's pruning of nulls. */
    List<Rejection> validate(Map<String, Object> object) {
        String json;
        try {
            json = JSON.writeValueAsString(pruneNulls(object, structural));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return schema.validate(json, InputFormat.JSON).stream()
                .map(OpenApiSchema::rejection)
                .toList();
    }

    /** The object as the API server validates it: nulls of fields that are not nullable pruned. */
    @SuppressWarnings("unchecked")
    static Object pruneNulls(Object value, SchemaNode node) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) map)
                    .forEach(
                            (k, v) -> {
                                SchemaNode child = node == null ? null : node.child(k).orElse(null);
                                if (v != null || (child != null && child.flag("nullable"))) {
                                    out.put(k, pruneNulls(v, child));
                                }
                            });
            return out;
        }
        if (value instanceof List<?> list) {
            SchemaNode items = node == null ? null : node.items().orElse(null);
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(pruneNulls(v, items)));
            return out;
        }
        return value;
    }

    private static Map<String, Object> jsonSchema(SchemaNode node, boolean root) {
        Map<String, Object> out = new LinkedHashMap<>();
        node.json()
                .forEach(
                        (key, value) -> {
                            if (SAME.contains(key)) {
                                out.put(key, value);
                            } else if (!IGNORED.contains(key) && !modelled(key)) {
                                throw new IllegalArgumentException(
                                        "schema keyword "
                                                + key
                                                + " is not modelled by OpenApiSchema: add what the API"
                                                + " server does with it");
                            }
                        });
        if (node.flag("x-kubernetes-int-or-string")) {
            out.put("anyOf", List.of(Map.of("type", "integer"), Map.of("type", "string")));
        }
        if (!node.properties().isEmpty()) {
            Map<String, Object> properties = new LinkedHashMap<>();
            node.properties()
                    .forEach((k, v) -> properties.put(k, jsonSchema(SchemaNode.of(v), false)));
            if (root) {
                properties.putIfAbsent("apiVersion", Map.of("type", "string"));
                properties.putIfAbsent("kind", Map.of("type", "string"));
                properties.putIfAbsent("metadata", Map.of("type", "object"));
            }
            out.put("properties", properties);
        }
        node.items().ifPresent(items -> out.put("items", jsonSchema(items, false)));
        node.mapValues()
                .ifPresent(values -> out.put("additionalProperties", jsonSchema(values, false)));
        if ("object".equals(node.type())
                && node.mapValues().isEmpty()
                && !node.flag("x-kubernetes-preserve-unknown-fields")) {
            out.put("additionalProperties", false);
        }
        if ("set".equals(node.json().get("x-kubernetes-list-type"))) {
            out.put("uniqueItems", true);
        }
        return out;
    }

    private static boolean modelled(String key) {
        return switch (key) {
            case "properties",
                    "items",
                    "additionalProperties",
                    "x-kubernetes-int-or-string",
                    "x-kubernetes-preserve-unknown-fields" ->
                    true;
            case "x-kubernetes-list-type" -> true; // atomic: nothing to check; set: uniqueItems
            default -> false;
        };
    }

    private static Rejection rejection(Error error) {
        String field = path(error.getInstanceLocation().toString());
        if ("additionalProperties".equals(error.getKeyword()) && error.getProperty() != null) {
            String unknown =
                    field.isEmpty() ? error.getProperty() : field + "." + error.getProperty();
            return new Rejection(unknown, "unknown field", "unknown field \"" + unknown + "\"");
        }
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            String missing =
                    field.isEmpty() ? error.getProperty() : field + "." + error.getProperty();
            return new Rejection(missing, "required", "Required value");
        }
        return new Rejection(field, error.getKeyword(), error.getMessage());
    }

    /** "/spec/split/0/table" (networknt's JSON pointer) to "spec.split[0].table" (kubectl's). */
    static String path(String pointer) {
        StringBuilder out = new StringBuilder();
        for (String segment : pointer.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            String name = segment.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                out.append('[').append(name).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(name);
            }
        }
        return out.toString();
    }
}
