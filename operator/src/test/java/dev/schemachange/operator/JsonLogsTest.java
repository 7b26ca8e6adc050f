package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.SECRET;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.logging.LogFormat;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OSC_LOG_FORMAT=json} on a real {@code osc operator} process: what a log shipper reads from
 * the pod.
 */
@MariaDb
class JsonLogsTest {

    @Test
    void everyLineOfAnOperatorRunIsOneJsonObjectAndTheChangesLinesNameIt(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.createWorkloadTable("jsonlog", 2_000);
        try (MockCluster cluster = new MockCluster()) {
            cluster.namespace(NAMESPACE);
            cluster.secret(
                    NAMESPACE,
                    SECRET,
                    Map.of("username", db.server().user(), "password", db.server().password()));
            cluster.apply(
                    change(
                            "jsonlog-note",
                            db,
                            "jsonlog",
                            """
                    alter: "ADD COLUMN note VARCHAR(64) NULL"
                    retention: {keepOldTableFor: "0"}
                    """));
            try (OperatorProcess operator =
                    OperatorProcess.start(cluster, dir, "json", Map.of(LogFormat.ENV, "json"))) {
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> {
                                    SchemaChange sc =
                                            cluster.change(NAMESPACE, "jsonlog-note").get();
                                    return sc.getStatus() != null
                                            && "Completed".equals(sc.getStatus().getPhase());
                                });
                List<JsonNode> lines = parse(operator.output());

                assertThat(lines)
                        .allSatisfy(
                                line ->
                                        assertThat(line.fieldNames())
                                                .toIterable()
                                                .contains("time", "level", "logger", "message"));
                List<JsonNode> named = lines.stream().filter(l -> l.has("name")).toList();
                assertThat(named)
                        .as("the change's own lines")
                        .isNotEmpty()
                        .allSatisfy(
                                l -> {
                                    assertThat(l.get("namespace").asText()).isEqualTo(NAMESPACE);
                                    assertThat(l.get("name").asText()).isEqualTo("jsonlog-note");
                                });
                assertThat(named)
                        .extracting(l -> l.get("message").asText())
                        .anyMatch(m -> m.startsWith("event Completed:"))
                        .anyMatch(m -> m.contains("swapped in"));
            }
        }
    }

    private static List<JsonNode> parse(String output) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            JsonNode node =
                    mapper.readTree(line); // throws on anything but one JSON object per line
            assertThat(node.isObject()).as(line).isTrue();
            lines.add(node);
        }
        assertThat(lines).isNotEmpty();
        return lines;
    }
}
