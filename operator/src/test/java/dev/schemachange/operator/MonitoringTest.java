package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.schemachange.api.Manifests;
import dev.schemachange.deploy.Kustomized;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/monitoring as Prometheus and Grafana get it: {@code kubectl kustomize} renders the
 * operator with the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap; and every
 * metric the dashboard's and the rules' PromQL names is one the operator really serves, compared
 * with the sample names of a {@code /metrics} scrape of an operator started here on a mock cluster.
 */
class MonitoringTest {
    static final Path MONITORING = Path.of("..", "deploy", "monitoring");
    static final Path COMPONENT = MONITORING.resolve("component");
    static final Set<String> ALERTS =
            Set.of(
                    "SchemaChangeFailed",
                    "SchemaChangeDegraded",
                    "SchemaChangeBackfillStalled",
                    "SchemaChangeSwapAttemptsExhausted",
                    "SchemaChangeAwaitingApproval");
    private static final Set<String> PROMQL_WORDS =
            Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    @Test
    void kubectlKustomizeRendersTheOperatorWithServiceMonitorRulesAndDashboard() throws Exception {
        assumeTrue(Kustomized.kubectlOnPath(), "kubectl is not on the PATH");
        List<HasMetadata> objects = Kustomized.render(MONITORING);

        ConfigMap dashboard = only(objects, ConfigMap.class, "osc-operator-dashboard");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("osc-system");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(
                        Serialization.jsonMapper()
                                .readTree(dashboard.getData().get("osc-operator-dashboard.json")))
                .isEqualTo(dashboardJson());

        GenericKubernetesResource rule = generic(objects, "PrometheusRule");
        assertThat(rule.getMetadata().getNamespace()).isEqualTo("osc-system");
        assertThat(alerts(Serialization.jsonMapper().valueToTree(rule)).keySet())
                .containsExactlyInAnyOrderElementsOf(ALERTS);

        GenericKubernetesResource monitor = generic(objects, "ServiceMonitor");
        Service metrics = only(objects, Service.class, "osc-operator-metrics");
        JsonNode spec = Serialization.jsonMapper().valueToTree(monitor).get("spec");
        Map<String, String> selector =
                Serialization.jsonMapper()
                        .convertValue(
                                spec.get("selector").get("matchLabels"),
                                new com.fasterxml.jackson.core.type.TypeReference<
                                        Map<String, String>>() {});
        assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(spec.get("namespaceSelector").get("matchNames").get(0).asText())
                .isEqualTo(metrics.getMetadata().getNamespace());
        assertThat(spec.get("endpoints").get(0).get("port").asText())
                .isIn(metrics.getSpec().getPorts().stream().map(p -> p.getName()).toList());
        assertThat(spec.get("endpoints").get(0).get("path").asText()).isEqualTo("/metrics");
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsServedByTheOperator() throws Exception {
        Set<String> used = new TreeSet<>();
        JsonNode dashboard = dashboardJson();
        dashboard.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
        for (JsonNode v : dashboard.get("templating").get("list")) {
            JsonNode q = v.path("query").path("query");
            Matcher m =
                    Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")
                            .matcher(q.asText());
            if (m.find()) {
                used.add(m.group(1));
            }
        }
        JsonNode rule =
                Serialization.yamlMapper()
                        .readTree(Files.readString(COMPONENT.resolve("prometheusrule.yaml")));
        alerts(rule).values().forEach(expr -> used.addAll(metricNames(expr)));
        assertThat(used)
                .as("the names the expressions use")
                .contains(
                        "osc_change_phase",
                        "osc_change_progress_ratio",
                        "osc_change_eta_timestamp_seconds",
                        "osc_change_rows_per_second",
                        "osc_change_chunk_rows",
                        "osc_change_waiting_seconds_total",
                        "osc_change_waiting_for",
                        "osc_change_swap_attempts",
                        "osc_change_swap_max_attempts",
                        "osc_change_swap_stall_seconds",
                        "osc_change_last_progress_timestamp_seconds",
                        "osc_change_condition");

        assertThat(served()).containsAll(used);
    }

    @Test
    void metricNamesAreReadFromPromql() {
        assertThat(
                        metricNames(
                                "sum by (reason) (rate(osc_change_waiting_seconds_total{namespace=~\"$namespace\","
                                        + " name=~\"a|b\"}[$__rate_interval])) and on (namespace, name)"
                                        + " (time() - x_seconds) > 900 unless y == bool 1"))
                .containsExactlyInAnyOrder("osc_change_waiting_seconds_total", "x_seconds", "y");
    }

    /** The sample names of a real scrape once the operator reconciled one change. */
    private static Set<String> served() throws Exception {
        Clock clock = Clock.systemUTC();
        try (MockCluster cluster = OperatorTestSupport.cluster();
                OperatorMetrics metrics = new OperatorMetrics(clock)) {
            SchemaChangeOperator operator =
                    new SchemaChangeOperator(
                            cluster.client,
                            MigratorEngine.factory(clock),
                            OperatorTestSupport.settings(
                                    new dev.schemachange.testing.MovableClock(
                                            java.time.Instant.now())),
                            OperatorTestSupport.options(),
                            metrics);
            OperatorHttpServer server = OperatorHttpServer.serve(0, operator);
            try {
                operator.start();
                // no Secret: the change is Degraded, and its series exist all the same
                cluster.apply(
                        Manifests.parse(
                                """
                                apiVersion: schemachange.dev/v1alpha1
                                kind: SchemaChange
                                metadata: {name: watched, namespace: shop}
                                spec:
                                  database: {host: 127.0.0.1, port: 1, schema: shop, credentialsSecret: none}
                                  table: orders
                                  alter: "ADD COLUMN note VARCHAR(20) NULL"
                                """));
                HttpClient http = HttpClient.newHttpClient();
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
                String text =
                        await().atMost(Duration.ofSeconds(60))
                                .pollInterval(Duration.ofMillis(200))
                                .until(
                                        () ->
                                                http.send(
                                                                HttpRequest.newBuilder(uri).build(),
                                                                HttpResponse.BodyHandlers
                                                                        .ofString())
                                                        .body(),
                                        t -> t.contains("osc_change_condition{"));
                return text.lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .map(l -> l.split("[{ ]", 2)[0])
                        .collect(Collectors.toCollection(TreeSet::new));
            } finally {
                operator.close();
                server.close();
            }
        }
    }

    /**
     * The metric names in a PromQL expression: identifiers outside strings, label matchers, ranges
     * and label lists that are not functions (followed by a parenthesis) or keywords.
     */
    static Set<String> metricNames(String expr) {
        String e =
                expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                        .replaceAll("\\{[^}]*}", " ")
                        .replaceAll("\\[[^]]*]", " ")
                        .replaceAll(
                                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
                                " ")
                        .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()").matcher(e);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static JsonNode dashboardJson() throws Exception {
        return Serialization.jsonMapper()
                .readTree(Files.readString(COMPONENT.resolve("dashboard.json")));
    }

    /** alert name → expr of a PrometheusRule. */
    private static Map<String, String> alerts(JsonNode rule) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode group : rule.get("spec").get("groups")) {
            for (JsonNode r : group.get("rules")) {
                out.put(r.get("alert").asText(), r.get("expr").asText());
            }
        }
        return out;
    }

    private static <T extends HasMetadata> T only(
            List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (type.isInstance(o) && name.equals(o.getMetadata().getName())) {
                found.add(type.cast(o));
            }
        }
        assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
        return found.get(0);
    }

    private static GenericKubernetesResource generic(List<HasMetadata> objects, String kind) {
        List<GenericKubernetesResource> found =
                objects.stream()
                        .filter(o -> kind.equals(o.getKind()))
                        .map(
                                o ->
                                        Serialization.jsonMapper()
                                                .convertValue(o, GenericKubernetesResource.class))
                        .toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }
}
