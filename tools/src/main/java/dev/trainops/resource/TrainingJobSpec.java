package dev.trainops.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

/**
 * What to train: the arguments of {@code queue_training_job} in camelCase. The team is the object's namespace
 * ({@code team}, if given, must name it); the idempotency key is the object's uid; {@code runName} defaults to the
 * object's name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingJobSpec {
    /** A decimal amount such as 5 or 5.00 (the CRD's pattern for maxCost). */
    public static final String DECIMAL = "^[0-9]{1,12}(\\.[0-9]{1,6})?$";

    @Required
    @JsonPropertyDescription("The model to train, as its runs log it (e.g. llm, mnist).")
    private String model;
    @JsonPropertyDescription("The MLflow run name; default: the object's name.")
    private String runName;
    @JsonPropertyDescription("The team; if given it must equal the object's namespace (the team is the namespace).")
    private String team;
    @Required
    @Min(1)
    @Max(10000)
    private Integer epochs;
    @Required
    @Min(1)
    @Max(1048576)
    private Integer batchSize;
    @Pattern("^(URGENT|NORMAL|BACKGROUND)$")
    @JsonPropertyDescription("URGENT, NORMAL or BACKGROUND; default by model.")
    private String priority;
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("GPUs on one node (or MIG slices with migProfile); default 1.")
    private Integer gpuCount;
    @JsonPropertyDescription("GPU type, e.g. H100, A100-80GB, L4, T4; default: the type of the model's most recent run.")
    private String gpuType;
    @JsonPropertyDescription("Training parameters passed to the job (learning_rate, checkpoint_dir, ...).")
    private Map<String, String> params;
    @JsonPropertyDescription("Run on spot capacity (cheaper, may be interrupted). Default false.")
    private Boolean spot;
    @JsonPropertyDescription("now (default), off_peak, or an ISO-8601 instant to start no earlier than.")
    private String schedule;
    @Pattern(DECIMAL)
    @JsonPropertyDescription("A cap on this job's cost, a decimal string in the budget's currency (e.g. \"5.00\").")
    private String maxCost;
    @JsonPropertyDescription("A MIG slice instead of whole GPUs, e.g. 1g.10gb; gpuCount is then the number of slices.")
    private String migProfile;

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getRunName() {
        return runName;
    }

    public void setRunName(String runName) {
        this.runName = runName;
    }

    public String getTeam() {
        return team;
    }

    public void setTeam(String team) {
        this.team = team;
    }

    public Integer getEpochs() {
        return epochs;
    }

    public void setEpochs(Integer epochs) {
        this.epochs = epochs;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }

    public String getPriority() {
        return priority;
    }

    public void setPriority(String priority) {
        this.priority = priority;
    }

    public Integer getGpuCount() {
        return gpuCount;
    }

    public void setGpuCount(Integer gpuCount) {
        this.gpuCount = gpuCount;
    }

    public String getGpuType() {
        return gpuType;
    }

    public void setGpuType(String gpuType) {
        this.gpuType = gpuType;
    }

    public Map<String, String> getParams() {
        return params;
    }

    public void setParams(Map<String, String> params) {
        this.params = params;
    }

    public Boolean getSpot() {
        return spot;
    }

    public void setSpot(Boolean spot) {
        this.spot = spot;
    }

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public String getMaxCost() {
        return maxCost;
    }

    public void setMaxCost(String maxCost) {
        this.maxCost = maxCost;
    }

    public String getMigProfile() {
        return migProfile;
    }

    public void setMigProfile(String migProfile) {
        this.migProfile = migProfile;
    }
}
