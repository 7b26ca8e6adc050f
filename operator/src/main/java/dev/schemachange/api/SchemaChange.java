package dev.schemachange.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A request to change one table's schema online; see CONTRACT.md. */
@Group(SchemaChange.GROUP)
@Version(SchemaChange.VERSION)
@Kind("SchemaChange")
@Plural("schemachanges")
@Singular("schemachange")
@ShortNames("schg")
public class SchemaChange extends CustomResource<SchemaChangeSpec, SchemaChangeStatus> implements Namespaced {
    public static final String GROUP = "schemachange.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected SchemaChangeStatus initStatus() {
        return new SchemaChangeStatus();
    }
}
