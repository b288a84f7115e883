package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.names.JobId;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * queue_training_job, get_job_queue_status and cancel_training_job over the durable queue, with
 * docs/tools.md, "Submission outcomes": malformed input, a request that can never fit, or one above
 * max_cost or the budget left is an error and stores nothing; everything else is queued (and
 * admitted at once when it can be), with the reason it waits and warnings that never block. Each
 * call is scoped by its caller's principal (DESIGN.md rules 1 and 4, {@link TeamScope}); a change is
 * audited in the transaction that makes it (rule 7).
 */
final class QueueService {

    private final QueueStore queue;
    private final Scheduler scheduler;
    private final PriorityConfig priorities;
    private final QuotaConfig quotas;
    private final PriceBook prices;
    private final Clock clock;
    private final SubmissionCheck check;
    private final DryRun dryRun;

    public QueueService(QueueStore queue, Scheduler scheduler, PriorityConfig priorities, QuotaConfig quotas, Estimator estimator,
                        Function<String, Optional<BudgetStatus>> budgets, PriceBook prices, Clock clock, DryRun dryRun) {
        this.queue = queue;
        this.scheduler = scheduler;
        this.priorities = priorities;
        this.quotas = quotas;
        this.prices = prices;
        this.clock = clock;
        this.dryRun = dryRun;
        this.check = new SubmissionCheck(scheduler, priorities, quotas, estimator, budgets, prices, clock);
    }

    static String newJobId() {
        return Ids.random("tj-");
    }

    /** Checks and prices a submission by the local admin (tests); see {@link #prepare(QueueRequest, String, Integer, String, Principal)}. */
    public QueuedJob prepare(QueueRequest r, String batchId, Integer batchIndex, String idempotencyKey) {
        return prepare(r, batchId, batchIndex, idempotencyKey, Principal.LOCAL);
    }

    /**
     * Checks and prices a submission into a job to store; nothing is stored here, and nothing when
     * this throws. A team {@code principal} is not in is NOT_FOUND, as an unknown team is.
     */
    public QueuedJob prepare(QueueRequest r, String batchId, Integer batchIndex, String idempotencyKey, Principal principal) {
        return check.prepare(r, batchId, batchIndex, idempotencyKey, principal);
    }

    /** A submission by the local admin, unaudited (tests, the bench). */
    public QueueAnswer submit(QueueRequest r) {
        return submit(r, CallContext.NONE);
    }

    /** queue_training_job for {@code call}'s principal; the job and its audit entry commit together. */
    public QueueAnswer submit(QueueRequest r, CallContext call) {
        return submit(r, call, null);
    }

    /**
     * The same, for a Kubernetes object ({@code owner}, null for none) that its Jobs are to be owned by: the TrainingJob
     * controller's submissions (DESIGN.md, "Kubernetes API").
     */
    public QueueAnswer submit(QueueRequest r, CallContext call, Owner owner) {
        Principal principal = call.principal();
        if (Boolean.TRUE.equals(r.dryRun())) {
            QueuedJob job = prepare(r, null, null, null, principal);
            List<String> warnings = new ArrayList<>(List.of(DryRun.NOTE));
            historyWarning(job).ifPresent(warnings::add);
            return answer(job, warnings, dryRun.job(job), principal, TeamScope.lookup(queue, List.of()));
        }
        String key = r.idempotencyKey() == null || r.idempotencyKey().isBlank() ? null : r.idempotencyKey().trim();
        if (key != null) {
            Optional<QueuedJob> existing = queue.read(c -> queue.byIdempotencyKey(c, key));
            if (existing.isPresent()) {
                return answer(mine(existing.get(), principal), List.of(ALREADY), principal);
            }
        }
        QueuedJob prepared = prepare(r, null, null, key, principal).submittedBy(principal);
        QueuedJob job = owner == null ? prepared : owner.on(prepared);
        QueuedJob stored = mine(queue.insertOnce(job, call.audit()), principal);
        List<String> warnings = new ArrayList<>();
        if (!stored.jobId().equals(job.jobId())) {
            warnings.add(ALREADY);
        }
        scheduler.passAfterSubmission();
        QueuedJob now = queue.read(c -> queue.find(c, stored.jobId())).orElse(stored);
        quotaWarning(now.team()).ifPresent(warnings::add);
        historyWarning(now).ifPresent(warnings::add);
        return answer(now, warnings, principal);
    }

    private static final String ALREADY = "Already submitted with this idempotency_key: the job is returned as it stands.";

    /**
     * The job stored under an idempotency key, if it is one of {@code principal}'s teams'; another
     * team's key is refused without saying whose it is (rule 1).
     */
    private static QueuedJob mine(QueuedJob j, Principal principal) {
        if (!principal.sees(j.team())) {
            throw ToolException.invalidArgument("idempotency_key", "Argument 'idempotency_key' is already used by another submission.",
                    "Pick another idempotency_key, e.g. a UUID.");
        }
        return j;
    }

    /**
     * docs/money.md, "History without MLflow": a job priced at its time limit, or not priced at all,
     * says so; and one whose estimate is longer than its Job's deadline (its template's time limit)
     * says it will be stopped there (docs/queue.md, "Job templates").
     */
    Optional<String> historyWarning(QueuedJob j) {
        String how = j.params().get("trainops.estimate");
        if ("time_limit".equals(how)) {
            return Optional.of("Model '" + j.model() + "' has no run history: the estimate is its template's time limit ("
                    + j.estimatedSeconds() + " s), the most it can cost; the next job of this model is priced from this one.");
        }
        if ("none".equals(how)) {
            return Optional.of("Model '" + j.model() + "' has no run history and its template sets no time limit: queued with no cost "
                    + "estimate. " + (j.maxCostMicros() == null ? "" : "Its max_cost cannot be checked before it runs; it stops the job "
                    + "when the cost so far reaches it. ") + "Budgets count its usage as it runs.");
        }
        OptionalLong deadline = dryRun.deadlineSeconds(j);
        if (j.estimatedSeconds() > 0 && deadline.isPresent() && deadline.getAsLong() < j.estimatedSeconds()) {
            return Optional.of("The estimate, " + j.estimatedSeconds() + " s, is longer than the time limit of model '" + j.model()
                    + "''s job template (active_deadline_seconds " + deadline.getAsLong() + " s): Kubernetes stops the Job there, "
                    + "before it ends. Raise the limit in config/jobs.yaml or train fewer epochs.");
        }
        return Optional.empty();
    }

    public QueueStatus status(QueueStatusRequest r) {
        return status(r, Principal.LOCAL);
    }

    /**
     * get_job_queue_status: only the jobs of teams {@code principal} sees, counted and costed alone;
     * another team's job is "No job", and another team's name lists nothing, as an unknown one does.
     */
    public QueueStatus status(QueueStatusRequest r, Principal principal) {
        Instant now = clock.instant();
        String team = r.team() == null || r.team().isBlank() ? null : r.team().trim();
        String jobId = JobId.parseOptional("job_id", r.jobId()).map(JobId::value).orElse(null);
        List<QueuedJob> jobs = queue.read(c -> queue.currentAndSince(c, now.minus(Duration.ofHours(24))));
        List<QueuedJob> shown = TeamScope.visible(jobs, principal).stream()
                .filter(j -> (team == null || j.team().equals(team)) && (jobId == null || j.jobId().equals(jobId)))
                .sorted(Comparator.comparing((QueuedJob j) -> j.state() == JobState.QUEUED ? 0 : j.state().active() ? 1 : 2)
                        .thenComparing(AdmissionOrder.ORDER))
                .toList();
        if (jobId != null && shown.isEmpty()) {
            Optional<QueuedJob> old = queue.read(c -> queue.find(c, jobId)).filter(j -> principal.sees(j.team()));
            if (old.isEmpty()) {
                throw TeamScope.noJob(jobId, "List jobs with get_job_queue_status and no job_id.");
            }
            shown = List.of(old.get());
        }
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        Money queuedCost = Money.zero(prices.currency());
        for (QueuedJob j : shown) {
            counts.merge(j.state(), 1, Integer::sum);
            if (j.state() == JobState.QUEUED) {
                queuedCost = queuedCost.plus(Money.micros(j.estimatedCostMicros(), prices.currency()));
            }
        }
        var lookup = TeamScope.lookup(queue, jobs);
        return new QueueStatus(now, shown.stream().map(j -> answer(j, List.of(), null, principal, lookup)).toList(), counts,
                prices.currency().getCurrencyCode(), queuedCost.amount());
    }

    /** A cancel by the local admin, unaudited (tests). */
    public CancelAnswer cancel(CancelRequest r) {
        return cancel(r, CallContext.NONE);
    }

    /**
     * cancel_training_job for {@code call}'s principal: another team's job is "No job"; the change
     * and its audit entry commit together (a job that had ended changes nothing, and is recorded too).
     */
    public CancelAnswer cancel(CancelRequest r, CallContext call) {
        String jobId = JobId.parse("job_id", r.jobId()).value();
        String why = r.reason() == null || r.reason().isBlank() ? "no reason given" : r.reason().trim();
        Instant now = clock.instant();
        Change change = queue.store().inTransaction(QueueStore.ADMISSION_LOCK, c -> {
            QueuedJob j = queue.find(c, jobId).filter(x -> call.principal().sees(x.team()))
                    .orElseThrow(() -> TeamScope.noJob(jobId, "List jobs with get_job_queue_status."));
            if (j.state().terminal()) {
                call.audit().inTransaction(c, j.team());
                return new Change(j, j);
            }
            QueuedJob cancelled = j.ended(JobState.CANCELLED, Reason.CANCELLED_BY_USER, "Cancelled at " + now + ": " + why + ".",
                    j.started(), now);
            queue.update(c, cancelled);
            scheduler.record(c, List.of(cancelledEvent(cancelled, now)));
            call.audit().inTransaction(c, j.team());
            return new Change(j, cancelled);
        });
        QueuedJob was = change.before();
        QueuedJob after = change.after();
        if (after.state() != was.state()) {
            scheduler.publish(cancelledEvent(after, now));
        }
        String cleanup;
        if (was.state().terminal()) {
            cleanup = "Nothing to do: the job had already ended (" + was.state() + ").";
        } else if (was.state() == JobState.QUEUED) {
            cleanup = "Removed from the queue; it never ran.";
        } else {
            scheduler.deleteJob(was, call.principal());
            cleanup = "Deleted Job " + was.team() + "/" + was.kubeName() + " and its pods; its GPUs and quota free up once the pods are gone.";
        }
        Money cost = was.started() == null || was.state().terminal() ? Money.zero(prices.currency())
                : scheduler.accrued(was, now);
        return new CancelAnswer(jobId, was.state(), after.state(), cleanup, prices.currency().getCurrencyCode(), cost.amount());
    }

    private static JobEvent cancelledEvent(QueuedJob cancelled, Instant now) {
        return new JobEvent(JobEvent.Kind.CANCELLED, cancelled.jobId(), cancelled.team(), cancelled.runName(), cancelled.reasonDetail(), now);
    }

    /** One job before and after a change made in one transaction. */
    private record Change(QueuedJob before, QueuedJob after) {
    }

    QueueAnswer answer(QueuedJob j, List<String> warnings, Principal principal) {
        return answer(j, warnings, null, principal, TeamScope.lookup(queue, List.of()));
    }

    /**
     * A job as the tools report it to {@code principal}. A running job carries its cost so far, and
     * from 80% of its max_cost a warning saying it is stopped at 100% and how to continue
     * (docs/monitoring.md). {@code manifest}: a dry run's Job, else null. Its reason detail and
     * preemptor name no job of a team the principal does not see ({@link TeamScope#readable}).
     */
    QueueAnswer answer(QueuedJob j, List<String> given, Map<String, Object> manifest, Principal principal,
                       Function<String, Optional<QueuedJob>> jobs) {
        Money soFar = j.state() == JobState.RUNNING && j.started() != null ? scheduler.accrued(j, clock.instant()) : null;
        List<String> warnings = new ArrayList<>(given);
        if (soFar != null && j.maxCostMicros() != null && CapWatch.level(soFar, j.maxCostMicros()) != CapWatch.Level.BELOW) {
            warnings.add(CapWatch.warning(j, soFar, prices.currency()));
        }
        AdmissionPlanner.Wait wait = scheduler.lastPlan().waits().get(j.jobId());
        Integer position = j.state() == JobState.QUEUED && wait != null ? wait.position() : null;
        Instant eta = j.state() == JobState.QUEUED ? (wait == null ? null : wait.eta())
                : j.state().active() ? AdmissionPlanner.expectedEnd(j, clock.instant()) : null;
        return new QueueAnswer(j.jobId(), j.runName(), j.team(), j.model(), j.state(), j.priority(), priorities.spec(j.priority()).name(),
                j.gpuType(), j.gpuCount(), j.epochs(), position, eta, j.reason(), TeamScope.readable(j.reasonDetail(), j.jobId(), principal, jobs),
                j.node(), prices.currency().getCurrencyCode(),
                Money.micros(j.estimatedCostMicros(), prices.currency()).amount(), j.estimatedSeconds(),
                j.maxCostMicros() == null ? null : Money.micros(j.maxCostMicros(), prices.currency()).amount(),
                soFar == null ? null : soFar.amount(), j.notBefore(), j.submitted(), j.spec().submittedBy(),
                j.started(), j.ended(), TeamScope.preemptedBy(j, principal, jobs), j.preemptions(), j.batchId(), warnings, manifest);
    }

    /** docs/queue.md rule 7: the 80% warning fires once per crossing and re-arms below the line. */
    public Optional<String> quotaWarning(String team) {
        Optional<Integer> limit = scheduler.quotaLimit(team);
        if (limit.isEmpty() || limit.get() == 0) {
            return Optional.empty();
        }
        int used = scheduler.gpusInUse(team);
        boolean above = BigDecimal.valueOf(used).compareTo(quotas.warnAt().multiply(BigDecimal.valueOf(limit.get()))) >= 0;
        boolean fired = queue.quotaAlarm(team, above);
        return fired ? Optional.of("Team " + team + " now holds " + used + " of its " + limit.get() + " GPU quota ("
                + (100 * used / limit.get()) + "%, at or above " + quotas.warnAt().movePointRight(2).stripTrailingZeros().toPlainString()
                + "%).") : Optional.empty();
    }
}
