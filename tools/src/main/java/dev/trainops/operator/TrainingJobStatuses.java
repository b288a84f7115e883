package dev.trainops.operator;

import dev.trainops.queue.QueueAnswer;
import dev.trainops.resource.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A TrainingJob's status as the queue sees its job (DESIGN.md, "Kubernetes API"): state, reason and its numbers,
 * job id, position, ETA, estimate and cost so far, and two conditions, {@code Accepted} (queued, or refused at
 * submission: state {@code REJECTED}) and {@code SpecApplied} (False once the spec changed after submission: a submitted
 * job is never submitted again). A condition's transition time moves only when its status flips, so computing the same
 * status twice gives the same object, and the controller writes only what changed.
 */
final class TrainingJobStatuses {
    static final String REJECTED = "REJECTED";
    static final String ACCEPTED = "Accepted";
    static final String SPEC_APPLIED = "SpecApplied";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private TrainingJobStatuses() {
    }

    /**
     * The status of an object whose job the queue answers {@code a} for.
     *
     * @param costSoFar           what the job has cost (running: so far; ended: in all), or null when not known now
     * @param submittedGeneration the generation that was submitted
     * @param generation          the object's generation now
     */
    static TrainingJobStatus following(TrainingJobStatus previous, QueueAnswer a, BigDecimal costSoFar, long submittedGeneration,
                                       long generation, String acceptedMessage, Instant now) {
        TrainingJobStatus s = new TrainingJobStatus();
        s.setState(a.state().name());
        s.setReason(a.reason() == null ? null : a.reason().name());
        s.setReasonDetail(a.reasonDetail());
        s.setJobId(a.jobId());
        s.setPosition(a.position());
        s.setEta(a.eta() == null ? null : a.eta().toString());
        s.setEstimatedCost(amount(a.estimatedCost()));
        BigDecimal cost = costSoFar != null ? costSoFar : a.costSoFar();
        // once known, a cost stays (a preempted job back in the queue has still cost what it cost)
        s.setCostSoFar(cost != null ? amount(cost) : previous == null ? null : previous.getCostSoFar());
        s.setCurrency(a.currency());
        s.setObservedGeneration(submittedGeneration);
        List<Condition> conditions = previous == null || previous.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(previous.getConditions());
        set(conditions, ACCEPTED, true, "Queued", acceptedMessage, submittedGeneration, now);
        if (generation > submittedGeneration) {
            set(conditions, SPEC_APPLIED, false, "SpecChangedAfterSubmission", "The spec changed after submission (generation "
                    + generation + "; generation " + submittedGeneration + " was submitted as job " + a.jobId() + "): a submitted job "
                    + "is not submitted again. To run the new spec, delete this TrainingJob (its job is cancelled) and apply it again.",
                    generation, now);
        } else {
            set(conditions, SPEC_APPLIED, true, "Submitted", "Generation " + submittedGeneration + " was submitted as job " + a.jobId()
                    + ".", generation, now);
        }
        s.setConditions(conditions);
        return s;
    }

    /** The status of an object refused at submission: {@code reason} (an error code) and {@code detail}, with the numbers. */
    static TrainingJobStatus rejected(TrainingJobStatus previous, String reason, String detail, long generation, Instant now) {
        TrainingJobStatus s = new TrainingJobStatus();
        s.setState(REJECTED);
        s.setReason(reason);
        s.setReasonDetail(detail);
        s.setObservedGeneration(generation);
        List<Condition> conditions = previous == null || previous.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(previous.getConditions());
        set(conditions, ACCEPTED, false, "Rejected", detail, generation, now);
        conditions.removeIf(c -> SPEC_APPLIED.equals(c.getType()));
        s.setConditions(conditions);
        return s;
    }

    /** Whether two statuses say the same. */
    static boolean same(TrainingJobStatus a, TrainingJobStatus b) {
        return Objects.equals(a == null ? null : JSON.asJson(a), b == null ? null : JSON.asJson(b));
    }

    /** An amount of money as the status shows it: two decimals ("12.40"). */
    static String amount(BigDecimal value) {
        return value == null ? null : value.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Sets the condition {@code type}; its transition time moves only when its status changes. */
    static void set(List<Condition> conditions, String type, boolean status, String reason, String message, long generation, Instant now) {
        String value = status ? "True" : "False";
        Condition old = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(value);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(generation);
        c.setLastTransitionTime(old != null && value.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now.toString());
        if (old != null) {
            conditions.set(conditions.indexOf(old), c);
        } else {
            conditions.add(c);
        }
    }
}
