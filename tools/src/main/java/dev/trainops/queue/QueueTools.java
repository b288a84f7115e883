package dev.trainops.queue;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Set;
import java.util.function.Supplier;

/** The queue's MCP tools. */
final class QueueTools {
    private QueueTools() {
    }

    public static Tool<QueueRequest, QueueAnswer> queueTrainingJob(Supplier<QueueService> service) {
        return new Tool<>("queue_training_job", "Queue a training job",
                "Submit a training job to trainops's durable, budget-aware queue. It is checked (team, GPU type, whether it can ever "
                        + "fit a node and the team's quota), priced from the model's run history, and refused with BUDGET_EXCEEDED and "
                        + "cheaper options when its estimate is above max_cost or the budget left. Otherwise it is stored and admitted "
                        + "in priority order (URGENT, NORMAL, BACKGROUND; URGENT may preempt BACKGROUND) when GPUs, quota and budget "
                        + "allow; schedule='off_peak' waits for the cheap 22:00-06:00 window; mig_profile (e.g. 1g.10gb with gpu_type "
                        + "A100-80GB) runs it on that many MIG slices instead of whole GPUs, billed at their share. Returns the job id, its state, its place "
                        + "in the queue, an ETA, the reason it waits, the estimated cost, and warnings (e.g. quota above 80%).",
                QueueRequest.class, QueueAnswer.class, new ToolHints(false, false, false, false), (r, call) -> service.get().submit(r, call),
                a -> a.jobId() + " (" + a.runName() + ", " + a.team() + ", " + a.priority() + "): " + a.state()
                        + (a.position() == null ? "" : ", position " + a.position())
                        + (a.reason() == null || a.state() != JobState.QUEUED ? "" : ", waiting: " + a.reason())
                        + (a.node() == null ? "" : " on " + a.node())
                        + "; estimated " + money(a.estimatedCost(), a.currency())
                        + (a.warnings().isEmpty() ? "" : ". " + String.join(" ", a.warnings())), Set.of())
                // its BUDGET_EXCEEDED carries cheaper argument sets (QueueService.overBudget): an MCP client may pick one
                .with(Tool.Feature.ELICITS_CHEAPER_OPTION);
    }

    public static Tool<QueueStatusRequest, QueueStatus> getJobQueueStatus(Supplier<QueueService> service) {
        return new Tool<>("get_job_queue_status", "Job queue status",
                "Every job queued, admitted, running, or ended in the last 24 hours (optionally one team's, or one job): state, "
                        + "priority, GPUs, node, and for waiting jobs their position, ETA and a machine-readable reason (NO_CAPACITY, "
                        + "QUOTA_EXCEEDED, BUDGET_EXCEEDED, UTILIZATION_GATE, OFF_PEAK_WAIT, WAITING_FOR_PREEMPTION, BATCH_ORDER, "
                        + "PREEMPTED) with the numbers behind it; for running jobs their cost so far, with a warning from 80% of "
                        + "their max_cost (stopped with MAX_COST_REACHED at 100%); the total estimated cost still queued. Ask it why a "
                        + "job is pending.",
                QueueStatusRequest.class, QueueStatus.class, ToolHints.READ_ONLY, (r, call) -> service.get().status(r, call.principal()),
                s -> s.jobs().size() + " job(s): " + s.counts() + "; queued cost " + money(s.totalQueuedCost(), s.currency()) + "."
                        + s.jobs().stream().filter(j -> j.state() == JobState.QUEUED).limit(3)
                        .map(j -> " " + j.jobId() + " #" + j.position() + " " + j.reason()).reduce("", String::concat)
                        + s.jobs().stream().filter(j -> j.state() == JobState.RUNNING && !j.warnings().isEmpty()).limit(3)
                        .map(j -> " " + j.jobId() + ": " + String.join(" ", j.warnings())).reduce("", String::concat), Set.of());
    }

    public static Tool<CancelRequest, CancelAnswer> cancelTrainingJob(Supplier<QueueService> service) {
        return new Tool<>("cancel_training_job", "Cancel a training job",
                "Cancel a queued, admitted or running job: a queued one leaves the queue; an admitted or running one has its "
                        + "Kubernetes Job and pods deleted (its GPUs and quota free once the pods are gone). Returns the previous and "
                        + "new state, what was cleaned up, and what it cost so far. Cancelling an ended job changes nothing.",
                CancelRequest.class, CancelAnswer.class, new ToolHints(false, true, true, false), (r, call) -> service.get().cancel(r, call),
                a -> a.jobId() + ": " + a.previousState() + " -> " + a.newState() + ". " + a.cleanup() + " Cost so far "
                        + money(a.costSoFar(), a.currency()) + ".", Set.of());
    }

    public static Tool<BatchRequest, BatchStatus> submitBatchTraining(Supplier<BatchService> service) {
        return new Tool<>("submit_batch_training", "Submit a batch of training jobs",
                "Submit several training jobs as one batch (all stored together or none): sequential by default, each job "
                        + "starting only after the one before it has ended, or parallel, each admitted on its own. Each job takes "
                        + "queue_training_job's arguments and is checked the same way; an error names the job (jobs[2].team). "
                        + "Survives server restarts: nothing finished or running is submitted again. Returns the batch id and each "
                        + "item's job id and state.",
                BatchRequest.class, BatchStatus.class, new ToolHints(false, false, false, false),
                (r, call) -> service.get().submit(r, call), QueueTools::batchSummary, Set.of(Tool.Feature.REPORTS_PROGRESS));
    }

    public static Tool<BatchStatusRequest, BatchStatus> getBatchStatus(Supplier<BatchService> service) {
        return new Tool<>("get_batch_status", "Batch status",
                "The items of a batch in order with their job ids, states and reasons, counts by state, whether it is done, and "
                        + "what resumes after an interruption.",
                BatchStatusRequest.class, BatchStatus.class, ToolHints.READ_ONLY, (r, call) -> service.get().status(r, call.principal()),
                QueueTools::batchSummary, Set.of());
    }

    static String batchSummary(BatchStatus b) {
        return b.batchId() + " (" + b.name() + ", " + (b.parallel() ? "parallel" : "sequential") + ", " + b.items().size() + " jobs): "
                + b.counts() + (b.done() ? ", done" : "") + "; estimated " + money(b.estimatedCost(), b.currency()) + "."
                + (b.warnings().isEmpty() ? "" : " " + String.join(" ", b.warnings()));
    }

    static String money(BigDecimal amount, String currency) {
        return new Money(amount, Currency.getInstance(currency)).display();
    }
}
