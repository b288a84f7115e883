package dev.trainops.queue;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolHints;
import java.util.Set;
import java.util.function.Supplier;

/** decide_job_priority, check_training_quota, calculate_quota. */
final class PlanningTools {
    private PlanningTools() {
    }

    public static Tool<PriorityRequest, PriorityDecision> decideJobPriority(Supplier<PlanningService> service) {
        return new Tool<>("decide_job_priority", "Decide a job's priority",
                "Decide URGENT, NORMAL or BACKGROUND for a job before queueing it: by the requested priority, a deadline (within 6 h "
                        + "is URGENT), or its job type (by default llm URGENT, mnist NORMAL, validation BACKGROUND). Explains the choice, "
                        + "names the Kubernetes PriorityClass, lists the running BACKGROUND jobs an URGENT job could preempt, and says "
                        + "what the choice means for cost (rate now, next off-peak window).",
                PriorityRequest.class, PriorityDecision.class, ToolHints.READ_ONLY, (r, call) -> service.get().decide(r, call.principal()),
                d -> d.priority() + " (" + d.priorityClass() + "): " + d.explanation(), Set.of());
    }

    public static Tool<ValidateRequest, Validation> validateJobResources(Supplier<PlanningService> service) {
        return new Tool<>("validate_job_resources", "Validate a job's resources",
                "Check a training request before queueing it: whether its GPU type exists, whether it fits some node, the team's "
                        + "quota and budget (when a team is given), that the GPU limit equals the request; the nodes it fits on and "
                        + "those free now; the estimated duration and cost from the model's run history; and cheaper feasible "
                        + "alternatives (off-peak, spot, other GPU types). With mig_profile it checks MIG slices of that profile. An infeasible request is an answer with feasible=false and "
                        + "every reason, not an error.",
                ValidateRequest.class, Validation.class, ToolHints.READ_ONLY, (r, call) -> service.get().validate(r, call.principal()),
                v -> (v.feasible() ? "Feasible" : "Not feasible") + ": " + v.checks().stream().filter(c -> !c.ok() || v.feasible())
                        .map(Validation.Check::detail).limit(3).reduce((a, b) -> a + " " + b).orElse("")
                        + (v.estimatedCost() == null ? "" : " Estimated " + QueueTools.money(v.estimatedCost(), v.currency()) + ".")
                        + (v.cheaperAlternatives().isEmpty() ? "" : " Cheaper: " + v.cheaperAlternatives().get(0).description() + " "
                        + QueueTools.money(v.cheaperAlternatives().get(0).estimatedCost(), v.currency()) + "."), Set.of());
    }

    public static Tool<QuotaRequest, QuotaStatus> checkTrainingQuota(Supplier<PlanningService> service) {
        return new Tool<>("check_training_quota", "Check a team's quota",
                "A team's quota use: GPUs, CPU and memory used, limit, remaining and percent (from its ResourceQuota or "
                        + "config/quotas.yaml), warnings at or above 80%, its jobs still queued, and its budget status.",
                QuotaRequest.class, QuotaStatus.class, ToolHints.READ_ONLY, (r, call) -> service.get().check(r, call.principal()),
                s -> s.team() + ": " + s.resources().stream().map(u -> u.resource() + " " + u.used().stripTrailingZeros().toPlainString()
                        + (u.limit() == null ? "" : "/" + u.limit().stripTrailingZeros().toPlainString())).reduce((a, b) -> a + ", " + b).orElse("")
                        + "; " + s.queuedJobs() + " queued" + (s.warnings().isEmpty() ? "" : ". " + String.join(" ", s.warnings())), Set.of());
    }

    public static Tool<QuotaWhatIfRequest, QuotaWhatIf> calculateQuota(Supplier<PlanningService> service) {
        return new Tool<>("calculate_quota", "What-if on a team's quota",
                "What if a team ran `jobs` jobs of `gpu_count` GPUs for `hours`: does it fit its GPU quota on top of what it holds "
                        + "now, what is left afterwards, what it would be billed started now (GPUs, CPU and memory) and whether the budget "
                        + "holds it, and the "
                        + "smallest quota that would. Changes nothing.",
                QuotaWhatIfRequest.class, QuotaWhatIf.class, ToolHints.READ_ONLY, (r, call) -> service.get().whatIf(r, call.principal()),
                w -> w.team() + ": " + w.gpusAsked() + " more GPU(s) on top of " + w.gpusInUse() + (w.quotaGpus() == null ? "" : " of "
                        + w.quotaGpus()) + (w.fitsQuota() ? " fit the quota" : " do not fit the quota") + "; "
                        + QueueTools.money(w.estimatedCost(), w.currency()) + (w.fitsBudget() ? " fits the budget." : " does not fit the budget."), Set.of());
    }
}
