package dev.schemachange.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to change one table's schema online; see CONTRACT.md. ETA and Next window are strings
 * on purpose: kubectl prints a date column in the future as {@code <invalid>}.
 */
@Group(SchemaChange.GROUP)
@Version(SchemaChange.VERSION)
@Kind("SchemaChange")
@Plural("schemachanges")
@Singular("schemachange")
@ShortNames("schg")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Progress",
        jsonPath = ".status.backfill.percent",
        type = Type.NUMBER)
@AdditionalPrinterColumn(name = "ETA", jsonPath = ".status.backfill.eta", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Next window",
        jsonPath = ".status.swap.nextWindowStart",
        type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class SchemaChange extends CustomResource<SchemaChangeSpec, SchemaChangeStatus>
        implements Namespaced {
    public static final String GROUP = "schemachange.dev";
    public static final String VERSION = "v1alpha1";

    // No initStatus(): a status created on read would differ from the server's (none), and the JSON
    // patch that
    // JOSDK computes for the first status write would then address /status/... on a missing
    // /status.
}
