package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static dev.schemachange.operator.ScriptedEngine.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas share one Lease: only the leader reconciles, and the other takes over when the
 * leader stops.
 */
@MariaDb
class LeaderElectionTest {
    private static final String LEASE_NAMESPACE = "osc-system";
    private static final Duration LEASE = Duration.ofSeconds(2);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final MockCluster cluster = new MockCluster();
    private final ScriptedEngine engineA =
            new ScriptedEngine(c -> progress(Phase.Backfilling, null));
    private final ScriptedEngine engineB =
            new ScriptedEngine(c -> progress(Phase.Backfilling, null));
    private SchemaChangeOperator replicaA;
    private SchemaChangeOperator replicaB;

    private SchemaChangeOperator replica(String identity, ScriptedEngine engine) {
        // exitOnStopLeading=false: in production a replica that loses the lease exits; here it
        // would end the JVM
        OperatorOptions options =
                new OperatorOptions(
                        Set.of(),
                        OperatorOptions.leaderElection(LEASE_NAMESPACE, identity, false, LEASE),
                        false);
        return new SchemaChangeOperator(
                cluster.client, engine, OperatorTestSupport.settings(clock), options);
    }

    private String leaseHolder() {
        var lease =
                cluster.client
                        .leases()
                        .inNamespace(LEASE_NAMESPACE)
                        .withName(OperatorOptions.LEASE_NAME)
                        .get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @AfterEach
    void stop() {
        if (replicaB != null) {
            replicaB.close();
        }
        cluster.close();
    }

    @Test
    void onlyTheLeaderReconcilesAndTheOtherTakesOver(TestDatabase db) {
        // JOSDK checks with a SelfSubjectRulesReview that it may use Leases; the mock server has no
        // RBAC
        cluster.server
                .expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("*")
                                .endResourceRule()
                                .endStatus()
                                .build())
                .always();
        cluster.namespace(NAMESPACE);
        cluster.namespace(LEASE_NAMESPACE);
        OperatorTestSupport.secret(cluster, db);
        db.exec("CREATE TABLE orders (id INT PRIMARY KEY)");

        replicaA = replica("replica-a", engineA);
        replicaA.start();
        await().atMost(Duration.ofSeconds(20)).until(this::leaseHolder, "replica-a"::equals);
        replicaB = replica("replica-b", engineB);
        replicaB.start();

        cluster.apply(change("led", db, "orders", "alter: \"ADD COLUMN x INT\""));
        await().atMost(Duration.ofSeconds(20)).until(() -> engineA.slices.size() >= 3);
        assertThat(engineB.slices).as("the follower does not reconcile").isEmpty();

        replicaA.close();
        int slicesOfA = engineA.slices.size();

        await().atMost(Duration.ofSeconds(30)).until(this::leaseHolder, "replica-b"::equals);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engineB.slices.isEmpty());
        assertThat(engineB.targets)
                .first()
                .satisfies(t -> assertThat(t.owner()).isEqualTo("shop/led"));
        assertThat(engineA.slices).as("the old leader stopped working").hasSize(slicesOfA);
    }
}
