package dev.schemachange.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Kubernetes API server does with a SchemaChange on {@code kubectl apply}, for the tests
 * that have none: the OpenAPI schema first, then the CEL rules, in the checked-in CRD.
 *
 * <p>As there, the CEL rules are not run when the schema found an error that could make them unsafe
 * or too costly to evaluate (a wrong type, a value outside an enum, a string or list over its
 * maximum): the answer then says that some rules were not checked.
 */
final class ApiServer {
    static final String RULES_NOT_CHECKED =
            "some validation rules were not checked because the object was invalid; correct the"
                    + " existing errors to complete validation";

    /** Schema errors after which the API server does not evaluate the CEL rules. */
    private static final Set<String> BLOCKING =
            Set.of("type", "enum", "maxLength", "maxItems", "maxProperties");

    private final SchemaNode schema;
    private final OpenApiSchema openApi;
    private final CelRules rules;

    ApiServer(SchemaNode schema) {
        this.schema = schema;
        this.openApi = new OpenApiSchema(schema);
        this.rules = new CelRules(schema);
    }

    static ApiServer withCheckedInCrd() {
        return new ApiServer(CrdSchema.checkedIn());
    }

    List<Rejection> create(Map<String, Object> object) {
        return admit(object, null);
    }

    List<Rejection> update(Map<String, Object> old, Map<String, Object> object) {
        return admit(object, old);
    }

    /** The same, for a manifest's YAML (the SchemaChange in it). */
    List<Rejection> create(String manifest) {
        return create(CrdSchema.schemaChange(manifest));
    }

    List<Rejection> update(String old, String manifest) {
        return update(CrdSchema.schemaChange(old), CrdSchema.schemaChange(manifest));
    }

    @SuppressWarnings("unchecked")
    private List<Rejection> admit(Map<String, Object> object, Map<String, Object> old) {
        List<Rejection> out = new ArrayList<>(openApi.validate(object));
        if (out.stream().anyMatch(r -> BLOCKING.contains(r.by()))) {
            out.add(new Rejection("", "x-kubernetes-validations", RULES_NOT_CHECKED));
            return out;
        }
        out.addAll(
                rules.validate(
                        (Map<String, Object>) OpenApiSchema.pruneNulls(object, schema),
                        old == null
                                ? null
                                : (Map<String, Object>) OpenApiSchema.pruneNulls(old, schema)));
        return out;
    }
}
