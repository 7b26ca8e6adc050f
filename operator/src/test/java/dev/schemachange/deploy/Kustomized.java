package dev.schemachange.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** DeployManifestsTest's kubectl kustomize, for tests of deploy/ in other packages. */
public final class Kustomized {
    private Kustomized() {}

    public static boolean kubectlOnPath() {
        return DeployManifestsTest.onPath("kubectl");
    }

    /** The objects {@code kubectl kustomize dir} renders (it must exit 0). */
    public static List<HasMetadata> render(Path dir) throws IOException, InterruptedException {
        return DeployManifestsTest.parse(DeployManifestsTest.kustomize(dir));
    }
}
