package dev.schemachange.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the operator process runs: which namespaces it watches (empty = all), whether and how it
 * elects a leader, and whether status patches use server-side apply (the real API server: yes; the
 * mock server in tests: no).
 */
public record OperatorOptions(
        Set<String> namespaces,
        LeaderElectionConfiguration leaderElection,
        boolean serverSideApply) {
    public static final String NAMESPACES_ENV = "OSC_WATCH_NAMESPACES";
    public static final String LEASE_NAMESPACE_ENV = "OSC_LEASE_NAMESPACE";
    public static final String LEADER_ELECTION_ENV = "OSC_LEADER_ELECTION";

    /**
     * "false" only against API servers without server-side apply, such as the mock server in tests.
     */
    public static final String SERVER_SIDE_APPLY_ENV = "OSC_SERVER_SIDE_APPLY";

    public static final String LEASE_NAME = "schemachange-operator";

    public OperatorOptions {
        namespaces = Set.copyOf(namespaces);
    }

    /**
     * From the environment: {@value #NAMESPACES_ENV} (comma separated, default all), leader
     * election on unless {@value #LEADER_ELECTION_ENV}=false, its Lease in {@value
     * #LEASE_NAMESPACE_ENV} or the pod's namespace, server-side apply for status unless {@value
     * #SERVER_SIDE_APPLY_ENV}=false.
     */
    public static OperatorOptions fromEnvironment(Map<String, String> env) {
        Set<String> namespaces =
                Arrays.stream(env.getOrDefault(NAMESPACES_ENV, "").split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet());
        boolean elect =
                !"false".equalsIgnoreCase(env.getOrDefault(LEADER_ELECTION_ENV, "true").trim());
        LeaderElectionConfiguration leader =
                elect
                        ? leaderElection(
                                env.get(LEASE_NAMESPACE_ENV), null, true, Duration.ofSeconds(15))
                        : null;
        boolean ssa =
                !"false".equalsIgnoreCase(env.getOrDefault(SERVER_SIDE_APPLY_ENV, "true").trim());
        return new OperatorOptions(namespaces, leader, ssa);
    }

    /**
     * @param leaseNamespace null: the client's namespace (in a pod: its own)
     * @param exitOnStopLeading true in production: a replica that lost the lease must stop working
     *     at once
     */
    public static LeaderElectionConfiguration leaderElection(
            String leaseNamespace,
            String identity,
            boolean exitOnStopLeading,
            Duration leaseDuration) {
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
                .withLeaseNamespace(leaseNamespace)
                .withIdentity(identity)
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(5))
                .withExitOnStopLeading(exitOnStopLeading)
                .build();
    }
}
