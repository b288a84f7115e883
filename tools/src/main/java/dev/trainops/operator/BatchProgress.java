package dev.trainops.operator;

import dev.trainops.catalog.ToolException;
import dev.trainops.queue.BatchStatus;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.resource.TrainingBatchJobStatus;
import dev.trainops.resource.TrainingBatchStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TrainingBatch's status from the queue's batch (get_batch_status's data): each job's state, {@code progress} (jobs
 * ended of all, e.g. 1/3), the estimate, the cost so far, and one overall state; or REJECTED with the queue's reason
 * and numbers; the conditions and amounts as a TrainingJob's ({@link TrainingJobStatuses}) (docs/kubernetes.md, "TrainingBatch").
 */
final class BatchProgress {
    private BatchProgress() {
    }

    /** Whether a status is final: nothing the queue does changes it any more. */
    static boolean finished(TrainingBatchStatus s) {
        if (s == null || s.getState() == null) {
            return false;
        }
        return TrainingJobStatuses.REJECTED.equals(s.getState())
                || java.util.Arrays.stream(JobState.values()).anyMatch(j -> j.terminal() && j.name().equals(s.getState()));
    }

    /**
     * The status of an accepted batch: the queue's view of it, at {@code generation} submitted, with the object now at
     * {@code current}.
     *
     * @param costs each job's cost so far by job id (a job that never ran: absent)
     */
    static TrainingBatchStatus of(BatchStatus batch, Map<String, BigDecimal> costs, long submitted, long current,
                                  TrainingBatchStatus before, Instant now) {
        TrainingBatchStatus s = new TrainingBatchStatus();
        s.setBatchId(batch.batchId());
        List<QueueAnswer> items = batch.items();
        List<TrainingBatchJobStatus> jobs = new ArrayList<>();
        BigDecimal soFar = BigDecimal.ZERO;
        int ended = 0;
        for (int i = 0; i < items.size(); i++) {
            QueueAnswer a = items.get(i);
            TrainingBatchJobStatus j = new TrainingBatchJobStatus();
            j.setIndex(i);
            j.setJobId(a.jobId());
            j.setState(a.state().name());
            j.setReason(a.reason() == null ? null : a.reason().name());
            BigDecimal cost = costs.get(a.jobId());
            if (cost != null) {
                j.setCostSoFar(TrainingJobStatuses.amount(cost));
                soFar = soFar.add(cost);
            }
            jobs.add(j);
            if (a.state().terminal()) {
                ended++;
            }
        }
        s.setJobs(jobs);
        s.setProgress(ended + "/" + items.size());
        JobState state = overall(items.stream().map(QueueAnswer::state).toList());
        s.setState(state.name());
        // why it waits (the first job not ended) or how it ended (the first job that did not succeed)
        items.stream().filter(a -> state.terminal() ? a.state() != JobState.SUCCEEDED : state == JobState.QUEUED && !a.state().terminal())
                .findFirst().ifPresent(a -> {
                    s.setReason(a.reason() == null ? null : a.reason().name());
                    s.setReasonDetail(a.reasonDetail());
                });
        s.setEstimatedCost(TrainingJobStatuses.amount(batch.estimatedCost()));
        s.setCostSoFar(TrainingJobStatuses.amount(soFar));
        s.setCurrency(batch.currency());
        s.setObservedGeneration(submitted);
        List<Condition> conditions = conditions(before);
        TrainingJobStatuses.set(conditions, TrainingJobStatuses.ACCEPTED, true, "Queued", "Queued as batch " + batch.batchId() + ".",
                submitted, now);
        if (current > submitted) {
            TrainingJobStatuses.set(conditions, TrainingJobStatuses.SPEC_APPLIED, false, "SpecChangedAfterSubmission", "The spec "
                    + "changed (generation " + current + ") after generation " + submitted + " was submitted as batch " + batch.batchId()
                    + "; a submitted batch is not changed. Delete this TrainingBatch and create it again to run the new spec.", current, now);
        } else {
            TrainingJobStatuses.set(conditions, TrainingJobStatuses.SPEC_APPLIED, true, "Submitted", "Generation " + submitted
                    + " was submitted as batch " + batch.batchId() + ".", current, now);
        }
        s.setConditions(conditions);
        return s;
    }

    /**
     * The overall state: every job ended: FAILED if one failed, else CANCELLED if one was cancelled, else SUCCEEDED;
     * otherwise RUNNING while one runs, then SCHEDULED, PREEMPTED, QUEUED.
     */
    static JobState overall(List<JobState> states) {
        if (states.stream().allMatch(JobState::terminal)) {
            return states.contains(JobState.FAILED) ? JobState.FAILED
                    : states.contains(JobState.CANCELLED) ? JobState.CANCELLED : JobState.SUCCEEDED;
        }
        for (JobState s : List.of(JobState.RUNNING, JobState.SCHEDULED, JobState.PREEMPTED)) {
            if (states.contains(s)) {
                return s;
            }
        }
        return JobState.QUEUED;
    }

    /** A refused object: REJECTED with the queue's code and its message (and hint) with the numbers. */
    static TrainingBatchStatus rejected(ToolException error, long generation, TrainingBatchStatus before, Instant now) {
        String detail = error.getMessage() + (error.hint() == null || error.hint().isBlank() ? "" : " " + error.hint());
        return rejected(error.code().name(), detail, generation, before, now);
    }

    static TrainingBatchStatus rejected(String reason, String detail, long generation, TrainingBatchStatus before, Instant now) {
        TrainingBatchStatus s = new TrainingBatchStatus();
        s.setState(TrainingJobStatuses.REJECTED);
        s.setReason(reason);
        s.setReasonDetail(detail);
        s.setObservedGeneration(generation);
        List<Condition> conditions = conditions(before);
        TrainingJobStatuses.set(conditions, TrainingJobStatuses.ACCEPTED, false, "Rejected", detail, generation, now);
        conditions.removeIf(c -> TrainingJobStatuses.SPEC_APPLIED.equals(c.getType()));
        s.setConditions(conditions);
        return s;
    }

    private static List<Condition> conditions(TrainingBatchStatus before) {
        return before == null || before.getConditions() == null ? new ArrayList<>() : new ArrayList<>(before.getConditions());
    }

    /** The same generation refused before, unchanged: nothing to submit again. */
    static boolean rejectedAt(TrainingBatchStatus s, long generation) {
        return s != null && TrainingJobStatuses.REJECTED.equals(s.getState()) && Objects.equals(s.getObservedGeneration(), generation);
    }
}
