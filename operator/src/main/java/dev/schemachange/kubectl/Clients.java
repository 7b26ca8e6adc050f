package dev.schemachange.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the plugin's API client comes from: the kubeconfig, as kubectl reads it, by default. */
@FunctionalInterface
interface Clients {
    /**
     * @param kubeconfig {@code --kubeconfig}, or null for {@code $KUBECONFIG} / ~/.kube/config
     * @param context {@code --context}, or null for the kubeconfig's current context
     */
    KubernetesClient connect(Path kubeconfig, String context);

    /** fabric8 reads KUBECONFIG (several files too), the current context and its namespace. */
    static KubernetesClient fromKubeconfig(Path kubeconfig, String context) {
        Config config;
        if (kubeconfig == null) {
            config = Config.autoConfigure(context);
        } else {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new Refusal("--kubeconfig " + kubeconfig + ": no such file");
            }
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
