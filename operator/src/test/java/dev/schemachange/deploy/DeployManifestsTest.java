package dev.schemachange.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/ as users apply it: every YAML document parses as a Kubernetes object; the kustomize base
 * (followed here through its resources, so this part needs no kubectl) holds the generated CRD
 * unchanged and a Deployment that runs {@code operator} with leader election within its memory
 * budget, probed on its health endpoints, with a Service for its /metrics; the argocd-cm snippet
 * embeds health.lua verbatim; and where kubectl is on the PATH, {@code kubectl kustomize} renders
 * deploy/ and deploy/namespaced/ to objects that say the same.
 */
class DeployManifestsTest {
    static final Path ROOT = Path.of("..");
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path CRD = ROOT.resolve("crds").resolve("schemachanges.schemachange.dev-v1.yml");
    static final Set<String> CLUSTER_SCOPED =
            Set.of("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding");

    @Test
    void everyYamlDocumentUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles(DEPLOY);
        assertThat(files)
                .extracting(p -> DEPLOY.relativize(p).toString().replace(File.separatorChar, '/'))
                .contains(
                        "kustomization.yaml",
                        "base/kustomization.yaml",
                        "base/deployment.yaml",
                        "base/rbac.yaml",
                        "namespaced/kustomization.yaml",
                        "namespaced/role.yaml",
                        "argocd/argocd-cm.yaml",
                        "argocd/application.yaml");
        for (Path file : files) {
            List<HasMetadata> objects = parse(Files.readString(file));
            assertThat(objects).as(file.toString()).isNotEmpty();
            for (HasMetadata o : objects) {
                assertThat(o.getApiVersion()).as(file + ": apiVersion").isNotBlank();
                assertThat(o.getKind()).as(file + ": kind").isNotBlank();
                if (!Set.of("Kustomization", "Component").contains(o.getKind())) {
                    assertThat(o.getMetadata().getName()).as(file + ": metadata.name").isNotBlank();
                }
            }
        }
    }

    @Test
    void theBaseHoldsTheGeneratedCrdAndAnOperatorDeployment() throws IOException {
        List<HasMetadata> base = resources(DEPLOY);
        assertThat(one(base, CustomResourceDefinition.class)).isEqualTo(checkedInCrd());
        checkDeployment(one(base, Deployment.class));
        checkMetricsService(base);
        checkClusterRbac(base);
    }

    @Test
    void theArgoCdSnippetEmbedsHealthLuaVerbatim() throws IOException {
        ConfigMap cm =
                one(
                        parse(Files.readString(DEPLOY.resolve("argocd/argocd-cm.yaml"))),
                        ConfigMap.class);
        assertThat(cm.getMetadata().getName()).isEqualTo("argocd-cm");
        assertThat(cm.getData().get("resource.customizations.health.schemachange.dev_SchemaChange"))
                .as("argocd-cm.yaml differs from health.lua: regenerate it from health.lua")
                .isEqualTo(Files.readString(ArgoHealthTest.SCRIPT));
        GenericKubernetesResource app =
                one(
                        parse(Files.readString(DEPLOY.resolve("argocd/application.yaml"))),
                        GenericKubernetesResource.class);
        assertThat(app.getKind()).isEqualTo("Application");
        assertThat(app.<String>get("spec", "source", "path")).isEqualTo("deploy");
    }

    @Test
    void theDockerfileRunsTheJarAsTheDeploymentsUser() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains(
                        "COPY --chown=10001:10001 operator/target/osc-operator.jar /app/osc-operator.jar")
                .contains("USER 10001:10001")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/osc-operator.jar\"]")
                .contains("CMD [\"operator\"]");
        Deployment d = one(resources(DEPLOY), Deployment.class);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
                .isEqualTo(10001L);
    }

    @Test
    void kubectlKustomizeRendersBothVariants() throws Exception {
        assumeTrue(
                onPath("kubectl"),
                "kubectl is not on the PATH: the rendering is checked where it is");

        List<HasMetadata> cluster = parse(kustomize(DEPLOY));
        assertThat(cluster)
                .extracting(HasMetadata::getKind)
                .contains(
                        "Namespace",
                        "CustomResourceDefinition",
                        "ServiceAccount",
                        "ClusterRole",
                        "ClusterRoleBinding",
                        "Role",
                        "RoleBinding",
                        "Deployment",
                        "Service");
        assertThat(one(cluster, CustomResourceDefinition.class)).isEqualTo(checkedInCrd());
        Deployment d = one(cluster, Deployment.class);
        checkDeployment(d);
        checkMetricsService(cluster);
        assertThat(d.getMetadata().getNamespace()).isEqualTo("osc-system");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("osc-operator:0.1.0-SNAPSHOT");
        checkClusterRbac(cluster);
        for (HasMetadata o : cluster) {
            if (!CLUSTER_SCOPED.contains(o.getKind())) {
                assertThat(o.getMetadata().getNamespace())
                        .as(o.getKind() + " " + o.getMetadata().getName())
                        .isEqualTo("osc-system");
            }
        }

        List<HasMetadata> namespaced = parse(kustomize(DEPLOY.resolve("namespaced")));
        assertThat(namespaced)
                .extracting(HasMetadata::getKind)
                .doesNotContainAnyElementsOf(CLUSTER_SCOPED)
                .contains("ServiceAccount", "Role", "RoleBinding", "Deployment", "Service");
        String ns = one(namespaced, Deployment.class).getMetadata().getNamespace();
        assertThat(namespaced)
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(ns));
        Deployment nd = one(namespaced, Deployment.class);
        checkDeployment(nd);
        checkMetricsService(namespaced);
        EnvVar watch =
                env(
                        nd.getSpec().getTemplate().getSpec().getContainers().get(0),
                        "OSC_WATCH_NAMESPACES");
        assertThat(watch.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
        Role role =
                namespaced.stream()
                        .filter(Role.class::isInstance)
                        .map(Role.class::cast)
                        .filter(r -> r.getMetadata().getName().equals("osc-operator"))
                        .findFirst()
                        .orElseThrow();
        assertThat(verbs(role.getRules(), "", "secrets")).containsExactly("get");
        assertThat(verbs(role.getRules(), "schemachange.dev", "schemachanges"))
                .containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
        for (RoleBinding b : all(namespaced, RoleBinding.class)) {
            assertThat(b.getSubjects()).extracting(Subject::getNamespace).containsOnly(ns);
        }
    }

    // ---- checks ----

    static void checkDeployment(Deployment d) {
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("osc-operator");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().get(0);
        assertThat(c.getArgs()).containsExactly("operator");
        assertThat(env(c, "OSC_LEADER_ELECTION").getValue()).isEqualTo("true");
        assertThat(env(c, "OSC_LEASE_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
        assertThat(env(c, "JAVA_TOOL_OPTIONS").getValue()).contains("-Xmx192m");
        Quantity limit = c.getResources().getLimits().get("memory");
        assertThat(Quantity.getAmountInBytes(limit))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(new Quantity("320Mi")));
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        String tmpVolume =
                c.getVolumeMounts().stream()
                        .filter(m -> m.getMountPath().equals("/tmp"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no writable /tmp"))
                        .getName();
        Volume v =
                pod.getVolumes().stream()
                        .filter(x -> x.getName().equals(tmpVolume))
                        .findFirst()
                        .orElseThrow();
        assertThat(v.getEmptyDir()).isNotNull();
        checkProbes(c);
    }

    /**
     * Startup and liveness on /healthz, readiness on /readyz, all on the port OSC_HTTP_PORT makes
     * it listen on.
     */
    static void checkProbes(Container c) {
        int port = Integer.parseInt(env(c, "OSC_HTTP_PORT").getValue());
        assertThat(c.getPorts())
                .as("the HTTP port is declared")
                .anySatisfy(
                        p -> {
                            assertThat(p.getName()).isEqualTo("http");
                            assertThat(p.getContainerPort()).isEqualTo(port);
                        });
        assertThat(probe(c.getStartupProbe(), "startup")).isEqualTo("/healthz");
        assertThat(probe(c.getLivenessProbe(), "liveness")).isEqualTo("/healthz");
        assertThat(probe(c.getReadinessProbe(), "readiness")).isEqualTo("/readyz");
        // a startup probe must give the JVM and the client time: (period × failures) ≥ 30 s
        Probe startup = c.getStartupProbe();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                .isGreaterThanOrEqualTo(30);
    }

    private static String probe(Probe p, String what) {
        assertThat(p).as(what + " probe").isNotNull();
        assertThat(p.getHttpGet()).as(what + " probe is an httpGet").isNotNull();
        assertThat(p.getHttpGet().getPort().getStrVal()).as(what + " probe port").isEqualTo("http");
        return p.getHttpGet().getPath();
    }

    /** A Service that selects the operator's pods and sends port "metrics" to their HTTP port. */
    static void checkMetricsService(List<HasMetadata> objects) {
        Deployment d = one(objects, Deployment.class);
        Service svc = one(objects, Service.class);
        assertThat(svc.getMetadata().getNamespace()).isEqualTo(d.getMetadata().getNamespace());
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(svc.getSpec().getSelector());
        assertThat(svc.getSpec().getSelector()).isNotEmpty();
        assertThat(svc.getSpec().getPorts())
                .anySatisfy(
                        p -> {
                            assertThat(p.getName()).isEqualTo("metrics");
                            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
                        });
        assertThat(svc.getMetadata().getAnnotations())
                .containsEntry("prometheus.io/path", "/metrics");
    }

    /** What the operator needs cluster-wide and nothing more; Leases only in its own namespace. */
    static void checkClusterRbac(List<HasMetadata> objects) {
        List<PolicyRule> rules =
                all(objects, ClusterRole.class).stream()
                        .flatMap(r -> r.getRules().stream())
                        .toList();
        assertThat(verbs(rules, "schemachange.dev", "schemachanges"))
                .containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
        assertThat(verbs(rules, "schemachange.dev", "schemachanges/status"))
                .containsExactlyInAnyOrder("patch", "update");
        assertThat(verbs(rules, "schemachange.dev", "schemachanges/finalizers"))
                .containsExactly("update");
        assertThat(verbs(rules, "", "secrets")).containsExactly("get");
        assertThat(verbs(rules, "", "events")).containsExactlyInAnyOrder("create", "patch");
        assertThat(verbs(rules, "authorization.k8s.io", "selfsubjectrulesreviews"))
                .containsExactly("create");
        assertThat(verbs(rules, "coordination.k8s.io", "leases"))
                .as("leases are not cluster-wide")
                .isEmpty();
        assertThat(rules)
                .allSatisfy(
                        r -> {
                            assertThat(r.getVerbs()).doesNotContain("*");
                            assertThat(r.getResources()).doesNotContain("*");
                            assertThat(r.getApiGroups()).doesNotContain("*");
                        });
        List<String> ruleResources =
                rules.stream().flatMap(r -> r.getResources().stream()).distinct().toList();
        assertThat(ruleResources)
                .containsExactlyInAnyOrder(
                        "schemachanges",
                        "schemachanges/status",
                        "schemachanges/finalizers",
                        "secrets",
                        "events",
                        "selfsubjectrulesreviews");
        Role lease =
                all(objects, Role.class).stream()
                        .filter(
                                r ->
                                        !verbs(r.getRules(), "coordination.k8s.io", "leases")
                                                .isEmpty())
                        .findFirst()
                        .orElseThrow();
        assertThat(verbs(lease.getRules(), "coordination.k8s.io", "leases"))
                .containsExactlyInAnyOrder("get", "create", "update");
        Set<String> roles =
                all(objects, ClusterRole.class).stream()
                        .map(r -> r.getMetadata().getName())
                        .collect(Collectors.toSet());
        for (ClusterRoleBinding b : all(objects, ClusterRoleBinding.class)) {
            assertThat(roles).contains(b.getRoleRef().getName());
            assertThat(b.getSubjects())
                    .extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "ServiceAccount", "osc-operator", "osc-system"));
        }
    }

    static List<String> verbs(Collection<PolicyRule> rules, String group, String resource) {
        return rules.stream()
                .filter(
                        r ->
                                r.getApiGroups().contains(group)
                                        && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream())
                .distinct()
                .toList();
    }

    static EnvVar env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    // ---- loading ----

    static CustomResourceDefinition checkedInCrd() throws IOException {
        return one(parse(Files.readString(CRD)), CustomResourceDefinition.class);
    }

    /**
     * The objects a kustomization lists, following directories (their kustomization.yaml) and
     * files. Enough for deploy/, whose base has no patches; the overlay's patches are checked
     * through kubectl.
     */
    static List<HasMetadata> resources(Path dir) throws IOException {
        GenericKubernetesResource k =
                one(
                        parse(Files.readString(dir.resolve("kustomization.yaml"))),
                        GenericKubernetesResource.class);
        List<String> entries = k.get("resources");
        List<HasMetadata> out = new ArrayList<>();
        for (String entry : Objects.requireNonNull(entries, dir + ": no resources")) {
            Path p = dir.resolve(entry).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(resources(p));
            } else {
                out.addAll(parse(Files.readString(p)));
            }
        }
        return out;
    }

    static List<HasMetadata> parse(String yaml) {
        Object parsed =
                Serialization.unmarshal(
                        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> out = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.stream().filter(Objects::nonNull).forEach(o -> out.add((HasMetadata) o));
        } else if (parsed != null) {
            out.add((HasMetadata) parsed);
        }
        return out;
    }

    static <T> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertThat(found).as("exactly one " + type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    static <T> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
    }

    static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, command))
                .anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
    }

    static String kustomize(Path dir) throws IOException, InterruptedException {
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process p =
                    new ProcessBuilder("kubectl", "kustomize", dir.toString())
                            .redirectError(err.toFile())
                            .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("kubectl kustomize finishes").isTrue();
            assertThat(p.exitValue())
                    .as("kubectl kustomize " + dir + ": " + Files.readString(err))
                    .isZero();
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
