/**
 * {@code kubectl schemachange}: list, describe, plan and steer SchemaChanges in a cluster. Steering
 * writes the same annotations a GitOps user or {@code kubectl annotate} would (see {@link
 * dev.schemachange.operator.AnnotationControls}), so the operator sees no difference; the plugin
 * only adds the checks a hand-typed annotation lacks (the name of the annotation, its value, and
 * whether the change's phase gives the action a meaning).
 */
package dev.schemachange.kubectl;
