package dev.schemachange.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code osc kubectl ...}, which the {@code kubectl-schemachange} script runs so that kubectl finds
 * it as the plugin {@code kubectl schemachange ...}.
 */
@Command(
        name = "kubectl",
        mixinStandardHelpOptions = true,
        description = {
            "kubectl schemachange: list, describe, plan and steer SchemaChanges.",
            "Steering writes the documented schemachange.dev/* annotations, as kubectl annotate"
                    + " would, after checking that the change's phase gives the action a meaning."
        },
        subcommands = {
            ListCommand.class,
            DescribeCommand.class,
            ApproveCommand.class,
            ScheduleCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            RollbackCommand.class,
            PlanCommand.class
        })
public final class KubectlCommand implements Runnable {
    @CommandLine.Spec CommandSpec spec;

    @Option(
            names = {"-n", "--namespace"},
            scope = ScopeType.INHERIT,
            description = "the namespace (default: the kubeconfig context's, else default)")
    String namespace;

    @Option(
            names = "--kubeconfig",
            scope = ScopeType.INHERIT,
            description = "the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
    Path kubeconfig;

    @Option(
            names = "--context",
            scope = ScopeType.INHERIT,
            description = "the kubeconfig context (default: its current-context)")
    String context;

    private final Clients clients;
    private final BufferedReader stdin;
    private final Clock clock;

    /** The shipped plugin: the kubeconfig, the terminal, the system clock. */
    public KubectlCommand() {
        this(
                Clients::fromKubeconfig,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                Clock.systemUTC());
    }

    KubectlCommand(Clients clients, BufferedReader stdin, Clock clock) {
        this.clients = clients;
        this.stdin = stdin;
        this.clock = clock;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What a subcommand does with a connected client; returns the exit code. */
    interface Work {
        int run(Session session) throws Exception;
    }

    /** One invocation: its client, namespace, streams and clock. */
    record Session(
            KubernetesClient client,
            Changes changes,
            String namespace,
            PrintWriter out,
            PrintWriter err,
            BufferedReader stdin,
            Clock clock) {}

    /**
     * Runs {@code work} with a client for the kubeconfig; a refusal or an API error is one line on
     * stderr and exit code 1.
     */
    int run(CommandSpec sub, Work work) {
        PrintWriter out = sub.commandLine().getOut();
        PrintWriter err = sub.commandLine().getErr();
        try (KubernetesClient client = clients.connect(kubeconfig, context)) {
            String ns = namespace;
            if (ns == null || ns.isBlank()) {
                ns = client.getNamespace() == null ? "default" : client.getNamespace();
            }
            return work.run(new Session(client, new Changes(client), ns, out, err, stdin, clock));
        } catch (Refusal e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (KubernetesClientException e) {
            err.println("error: " + apiError(e));
            return 1;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static String apiError(KubernetesClientException e) {
        if (e.getCode() == 403) {
            return "forbidden: "
                    + e.getStatus().getMessage()
                    + " (the plugin needs get/list/patch on schemachanges.schemachange.dev)";
        }
        if (e.getCode() == 0) {
            return "cannot reach the API server: "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage())
                    + " (check --kubeconfig/--context, as for kubectl)";
        }
        return e.getMessage();
    }
}
