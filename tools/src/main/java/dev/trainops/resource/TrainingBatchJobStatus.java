package dev.trainops.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One job of a {@link TrainingBatch}, as its status lists it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingBatchJobStatus {
    @JsonPropertyDescription("The item's index in spec.jobs.")
    private Integer index;
    @JsonPropertyDescription("The trainops job id.")
    private String jobId;
    @JsonPropertyDescription("The queue's state of this job.")
    private String state;
    @JsonPropertyDescription("Why it is in that state.")
    private String reason;
    @JsonPropertyDescription("What it has cost so far.")
    private String costSoFar;

    public Integer getIndex() {
        return index;
    }

    public void setIndex(Integer index) {
        this.index = index;
    }

    public String getJobId() {
        return jobId;
    }

    public void setJobId(String jobId) {
        this.jobId = jobId;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getCostSoFar() {
        return costSoFar;
    }

    public void setCostSoFar(String costSoFar) {
        this.costSoFar = costSoFar;
    }
}
