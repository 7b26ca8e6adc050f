package dev.schemachange.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.operator.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * The plugin against a fabric8 mock API server in CRUD mode with the SchemaChange CRD: changes are
 * created as a user applies them and given the status the operator would write.
 */
final class PluginCluster implements AutoCloseable {
    final MockCluster cluster = new MockCluster();

    /** What one invocation printed and returned. */
    record Result(int exit, String out, String err) {}

    PluginCluster(String... namespaces) {
        for (String ns : namespaces) {
            cluster.namespace(ns);
        }
    }

    /** A change on shop.{@code table}; {@code extra} is more spec YAML, indented by two. */
    SchemaChange create(String namespace, String name, String table, String extra) {
        String yaml =
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: %s, namespace: %s}
                spec:
                  database: {host: mysql.shop.svc, port: 3306, schema: shop, credentialsSecret: db}
                  table: %s
                  alter: "ADD COLUMN note VARCHAR(20) NULL"
                %s"""
                        .formatted(name, namespace, table, extra.indent(2));
        try {
            return cluster.client.resource(Manifests.parse(yaml)).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the status subresource as the operator does. */
    SchemaChange status(String namespace, String name, Phase phase, Consumer<StatusBuilder> more) {
        SchemaChange c = get(namespace, name);
        StatusBuilder b = new StatusBuilder(phase);
        more.accept(b);
        c.setStatus(b.status);
        return cluster.client.resource(c).updateStatus();
    }

    SchemaChange status(String namespace, String name, Phase phase) {
        return status(namespace, name, phase, b -> {});
    }

    void annotate(String namespace, String name, Map<String, String> annotations) {
        cluster.client
                .resources(SchemaChange.class)
                .inNamespace(namespace)
                .withName(name)
                .edit(
                        c -> {
                            c.getMetadata().getAnnotations().putAll(annotations);
                            return c;
                        });
    }

    SchemaChange get(String namespace, String name) {
        SchemaChange c =
                cluster.client
                        .resources(SchemaChange.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
        assertThat(c).as(namespace + "/" + name).isNotNull();
        return c;
    }

    Map<String, String> annotations(String namespace, String name) {
        Map<String, String> a = get(namespace, name).getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    /** {@code kubectl schemachange ARGS} with {@code stdin} as the terminal's input. */
    Result run(String stdin, Clock clock, String... args) {
        KubectlCommand plugin =
                new KubectlCommand(
                        (kubeconfig, context) ->
                                new KubernetesClientBuilder()
                                        .withConfig(cluster.client.getConfiguration())
                                        .build(),
                        new BufferedReader(new StringReader(stdin)),
                        clock);
        return run(new CommandLine(plugin), args);
    }

    static Result run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Override
    public void close() {
        cluster.close();
    }

    /** The status fields a test sets, with the conditions the operator writes in that phase. */
    static final class StatusBuilder {
        final SchemaChangeStatus status = new SchemaChangeStatus();
        private final List<Condition> conditions = new ArrayList<>();

        StatusBuilder(Phase phase) {
            status.setPhase(phase.name());
            status.setObservedGeneration(1L);
        }

        StatusBuilder backfill(long copied, long estimated, double percent, String eta) {
            status.setBackfill(
                    new SchemaChangeStatus.BackfillStatus(
                            "[1]", copied, estimated, percent, 5_000L, eta, 2_000, 0));
            return this;
        }

        StatusBuilder swap(String nextWindow, int attempts, String swappedAt) {
            status.setSwap(
                    new SchemaChangeStatus.SwapStatus(
                            nextWindow, attempts, swappedAt, swappedAt == null ? null : 41L));
            return this;
        }

        StatusBuilder condition(String type, boolean value, String reason, String message) {
            conditions.add(
                    new ConditionBuilder()
                            .withType(type)
                            .withStatus(value ? "True" : "False")
                            .withReason(reason)
                            .withMessage(message)
                            .withLastTransitionTime("2026-11-24T10:00:00Z")
                            .build());
            status.setConditions(conditions);
            return this;
        }

        StatusBuilder message(String m) {
            status.setMessage(m);
            return this;
        }
    }
}
