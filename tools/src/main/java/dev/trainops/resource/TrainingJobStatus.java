package dev.trainops.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The queue's view of a {@link TrainingJob}, written by trainops through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingJobStatus {
    @JsonPropertyDescription("The queue's state (QUEUED, SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED, PREEMPTED, ...), or REJECTED when the object was refused at submission.")
    private String state;
    @JsonPropertyDescription("Why it is in that state (a reason code, e.g. NO_CAPACITY, OVER_BUDGET).")
    private String reason;
    @JsonPropertyDescription("The reason in words, with the numbers.")
    private String reasonDetail;
    @JsonPropertyDescription("The trainops job id (get_job_queue_status, cancel_training_job).")
    private String jobId;
    @JsonPropertyDescription("Place in the team's queue while waiting (1 = next).")
    private Integer position;
    @JsonPropertyDescription("When it is expected to start (waiting) or end (running), ISO-8601.")
    private String eta;
    @JsonPropertyDescription("The all-in estimate at submission, in currency.")
    private String estimatedCost;
    @JsonPropertyDescription("What it has cost so far, in currency.")
    private String costSoFar;
    @JsonPropertyDescription("The currency of the amounts.")
    private String currency;
    @JsonPropertyDescription("The metadata.generation the status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("Accepted (queued or refused), SpecApplied (False when the spec changed after submission: a submitted job is not re-submitted).")
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

    public String getJobId() {
        return jobId;
    }

    public void setJobId(String jobId) {
        this.jobId = jobId;
    }

    public Integer getPosition() {
        return position;
    }

    public void setPosition(Integer position) {
        this.position = position;
    }

    public String getEta() {
        return eta;
    }

    public void setEta(String eta) {
        this.eta = eta;
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
