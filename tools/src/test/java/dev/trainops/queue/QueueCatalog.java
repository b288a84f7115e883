package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.access.RateLimiter;
import dev.trainops.access.Role;
import dev.trainops.audit.AuditLog;
import dev.trainops.audit.AuditTrail;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolOutcome;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The queue's nine tools in a {@link ToolCatalog} over a {@link QueueHarness}, with the catalog's
 * guards writing to the store's audit log, and the two queue resources as the server publishes
 * them (CatalogModule): what a caller of each role and team gets (DESIGN.md, "Identity and tenancy").
 */
final class QueueCatalog {
    static final Principal ADMIN = Principal.admin("root");
    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    static final Principal BOB = new Principal("bob", Set.of("team-b"), Role.MEMBER);
    static final Principal VERA = new Principal("vera", Set.of("team-a"), Role.VIEWER);

    final QueueHarness q;
    final BatchService batches;
    final PlanningService planning;
    final AuditLog audit;
    final ToolCatalog catalog;

    QueueCatalog(QueueHarness q) {
        this(q, null);
    }

    /** With {@code trail} instead of the store's audit log (null: the store's). */
    QueueCatalog(QueueHarness q, AuditTrail trail) {
        this.q = q;
        this.batches = new BatchService(q.queue, q.service, q.scheduler, q.prices, q.clock);
        this.planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index,
                q::budgetStatus, q.prices, q.clock, q::estimate, q.footprints(), q.dryRun);
        this.audit = new AuditLog(q.store);
        this.catalog = new ToolCatalog(List.of(QueueTools.queueTrainingJob(() -> q.service), QueueTools.getJobQueueStatus(() -> q.service),
                QueueTools.cancelTrainingJob(() -> q.service), QueueTools.submitBatchTraining(() -> batches),
                QueueTools.getBatchStatus(() -> batches), PlanningTools.validateJobResources(() -> planning),
                PlanningTools.decideJobPriority(() -> planning), PlanningTools.checkTrainingQuota(() -> planning),
                PlanningTools.calculateQuota(() -> planning)),
                List.of(new CatalogResource("trainops://queue", "Job queue", "The queue.", "get_job_queue_status", Map.of()),
                        new CatalogResource(JobEvent.RESOURCE_PREFIX + "{job_id}", "Training job", "One job.", "get_job_queue_status",
                                vars -> Map.of("job_id", vars.get("job_id")), null)),
                ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(RateLimiter.NONE, trail == null ? audit : trail, q.clock));
    }

    ToolOutcome call(Principal who, String tool, Map<String, Object> args) {
        return catalog.invoke(tool, args, CallContext.of(who));
    }

    ToolOutcome read(Principal who, String uri) {
        return catalog.readResource(uri, CallContext.of(who));
    }

    /** The structured answer of a call that must succeed. */
    static Map<String, Object> ok(ToolOutcome outcome) {
        if (outcome instanceof ToolOutcome.Success s) {
            return s.structured();
        }
        throw new AssertionError("expected a success, got " + outcome.text());
    }

    /** The error of a call that must fail. */
    static ToolError error(ToolOutcome outcome) {
        if (outcome instanceof ToolOutcome.Failure f) {
            return f.error();
        }
        throw new AssertionError("expected a failure, got " + outcome.text());
    }

    static Map<String, Object> job(String team, String run, int gpus, String priority) {
        return Map.of("model", "llm", "run_name", run, "team", team, "epochs", 2, "batch_size", 64, "gpu_type", "H100", "gpu_count", gpus,
                "priority", priority);
    }

    /** Queues a job as the admin and returns its id. */
    String queue(String team, String run, int gpus, String priority) {
        return (String) ok(call(ADMIN, "queue_training_job", job(team, run, gpus, priority))).get("job_id");
    }
}
