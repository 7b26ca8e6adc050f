package dev.schemachange.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state, mirrored from the engine's state row; see CONTRACT.md. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchemaChangeStatus {
    private Long observedGeneration;
    private String phase;
    private List<Condition> conditions = new ArrayList<>();
    private BackfillStatus backfill;
    private SwapStatus swap;

    /** A split's tables, each with its rows copied and the chunks its verification re-copied. */
    private List<PartStatus> parts;

    private String oldTable;
    private String message;

    /**
     * What the change works on and where its state lives ("host:port/schema.table via workSchema");
     * a later spec naming another target is refused while the change runs.
     */
    private String target;

    /**
     * Hash of the spec the status describes; after the swap a spec with another hash is refused.
     */
    private String specHash;

    /** What osc plan shows, in short: set at Validating, so describe shows it before the copy. */
    private PlanStatus plan;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long v) {
        observedGeneration = v;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String v) {
        phase = v;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> v) {
        conditions = v == null ? new ArrayList<>() : v;
    }

    public BackfillStatus getBackfill() {
        return backfill;
    }

    public void setBackfill(BackfillStatus v) {
        backfill = v;
    }

    public SwapStatus getSwap() {
        return swap;
    }

    public void setSwap(SwapStatus v) {
        swap = v;
    }

    public List<PartStatus> getParts() {
        return parts;
    }

    public void setParts(List<PartStatus> v) {
        parts = v;
    }

    public String getOldTable() {
        return oldTable;
    }

    public void setOldTable(String v) {
        oldTable = v;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String v) {
        message = v;
    }

    public String getTarget() {
        return target;
    }

    public void setTarget(String v) {
        target = v;
    }

    public PlanStatus getPlan() {
        return plan;
    }

    public void setPlan(PlanStatus v) {
        plan = v;
    }

    public String getSpecHash() {
        return specHash;
    }

    public void setSpecHash(String v) {
        specHash = v;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BackfillStatus(
            String cursor,
            Long rowsCopied,
            Long rowsEstimated,
            Double percent,
            Long rowsPerSecond,
            String eta,
            Integer chunkRows,
            Integer chunksRepaired) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartStatus(String table, Long rowsCopied, Integer chunksRepaired) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SwapStatus(
            String nextWindowStart, Integer attempts, String swappedAt, Long lockMillis) {}

    /**
     * The plan's summary: strategy and why, the table's size, the disk space the change needs and
     * what is free (null: not knowable over SQL), the expected copy time, the number of statements.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlanStatus(
            String strategy,
            String why,
            Long rowsEstimated,
            Long dataBytes,
            Long indexBytes,
            Long diskNeededBytes,
            Long diskFreeBytes,
            String copyTime,
            Integer statements) {}
}
