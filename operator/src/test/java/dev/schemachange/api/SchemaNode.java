package dev.schemachange.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** One node of a CRD's structural OpenAPI v3 schema, read as the plain map YAML gives. */
record SchemaNode(Map<String, Object> json) {
    @SuppressWarnings("unchecked")
    static SchemaNode of(Object json) {
        return new SchemaNode((Map<String, Object>) json);
    }

    String type() {
        return (String) json.get("type");
    }

    boolean flag(String key) {
        return Boolean.TRUE.equals(json.get(key));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> properties() {
        return (Map<String, Object>) json.getOrDefault("properties", Map.of());
    }

    Optional<SchemaNode> property(String name) {
        return Optional.ofNullable(properties().get(name)).map(SchemaNode::of);
    }

    Optional<SchemaNode> items() {
        return Optional.ofNullable(json.get("items")).map(SchemaNode::of);
    }

    /** The value schema of a map ({@code additionalProperties} with a schema), if this is one. */
    Optional<SchemaNode> mapValues() {
        return json.get("additionalProperties") instanceof Map<?, ?> values
                ? Optional.of(SchemaNode.of(values))
                : Optional.empty();
    }

    /** The node an element, map value or field of this node's value is checked against. */
    Optional<SchemaNode> child(String field) {
        if ("array".equals(type())) {
            return items();
        }
        return mapValues().or(() -> property(field));
    }

    OptionalLong bound(String key) {
        return json.get(key) instanceof Number n
                ? OptionalLong.of(n.longValue())
                : OptionalLong.empty();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules() {
        return (List<Map<String, Object>>) json.getOrDefault("x-kubernetes-validations", List.of());
    }
}
