package dev.trainops.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The queue's view of a {@link TrainingBatch}, written by trainops through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingBatchStatus {
    @JsonPropertyDescription("The queue's state (QUEUED, SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED, PREEMPTED, ...), or REJECTED when the object was refused at submission.")
    private String state;
    @JsonPropertyDescription("Why it is in that state (a reason code, e.g. NO_CAPACITY, OVER_BUDGET).")
    private String reason;
    @JsonPropertyDescription("The reason in words, with the numbers.")
    private String reasonDetail;
    @JsonPropertyDescription("The trainops batch id (get_batch_status).")
    private String batchId;
    @JsonPropertyDescription("Jobs ended of all, e.g. 1/3.")
    private String progress;
    @JsonPropertyDescription("The all-in estimate of all its jobs at submission, in currency.")
    private String estimatedCost;
    @JsonPropertyDescription("What its jobs have cost so far, in currency.")
    private String costSoFar;
    @JsonPropertyDescription("The currency of the amounts.")
    private String currency;
    @JsonPropertyDescription("One entry per spec.jobs item, in order.")
    private List<TrainingBatchJobStatus> jobs;
    @JsonPropertyDescription("The metadata.generation the status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("Accepted (queued or refused), SpecApplied (False when the spec changed after submission).")
    private List<Condition> conditions;

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

    public String getReasonDetail() {
        return reasonDetail;
    }

    public void setReasonDetail(String reasonDetail) {
        this.reasonDetail = reasonDetail;
    }

    public String getBatchId() {
        return batchId;
    }

    public void setBatchId(String batchId) {
        this.batchId = batchId;
    }

    public String getProgress() {
        return progress;
    }

    public void setProgress(String progress) {
        this.progress = progress;
    }

    public String getEstimatedCost() {
        return estimatedCost;
    }

    public void setEstimatedCost(String estimatedCost) {
        this.estimatedCost = estimatedCost;
    }

    public String getCostSoFar() {
        return costSoFar;
    }

    public void setCostSoFar(String costSoFar) {
        this.costSoFar = costSoFar;
    }

    public String getCurrency() {
        return currency;
    }

    public void setCurrency(String currency) {
        this.currency = currency;
    }

    public List<TrainingBatchJobStatus> getJobs() {
        return jobs;
    }

    public void setJobs(List<TrainingBatchJobStatus> jobs) {
        this.jobs = jobs;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
