package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.TariffCalendar;
import dev.trainops.kube.ClusterIndex;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * decide_job_priority and validate_job_resources, and check_training_quota and calculate_quota through
 * {@link QuotaPlanning}: answers that plan, change nothing.
 */
final class PlanningService {
    static final Duration URGENT_DEADLINE = Duration.ofHours(6);

    private final PriorityConfig priorities;
    private final QueueStore queue;
    private final Scheduler scheduler;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final PriceBook prices;
    private final Clock clock;
    private final Estimator estimator;
    private final DryRun dryRun;
    private final QuotaPlanning quota;

    public PlanningService(PriorityConfig priorities, QuotaConfig quotas, QueueStore queue, Scheduler scheduler, ClusterIndex index,
                           Function<String, Optional<BudgetStatus>> budgets, PriceBook prices, Clock clock, Estimator estimator,
                           JobFootprints footprints, DryRun dryRun) {
        this.quota = new QuotaPlanning(quotas, queue, scheduler, index, budgets, prices, clock, footprints);
        this.estimator = estimator;
        this.dryRun = dryRun;
        this.priorities = priorities;
        this.queue = queue;
        this.scheduler = scheduler;
        this.budgets = budgets;
        this.prices = prices;
        this.clock = clock;
    }

    public QuotaStatus check(QuotaRequest r) {
        return check(r, Principal.LOCAL);
    }

    /** check_training_quota: a team {@code principal} is not in is NOT_FOUND, as an unknown team is. */
    public QuotaStatus check(QuotaRequest r, Principal principal) {
        return quota.check(r, principal);
    }

    /** A team's use of each quota resource (gpu, cpu, memory_gib), as check_training_quota reports it. */
    List<QuotaStatus.Usage> quotaUsage(String team) {
        return quota.quotaUsage(team);
    }

    public QuotaWhatIf whatIf(QuotaWhatIfRequest r) {
        return whatIf(r, Principal.LOCAL);
    }

    /** calculate_quota: a team {@code principal} is not in is NOT_FOUND, as an unknown team is. */
    public QuotaWhatIf whatIf(QuotaWhatIfRequest r, Principal principal) {
        return quota.whatIf(r, principal);
    }

    public PriorityDecision decide(PriorityRequest r) {
        return decide(r, Principal.LOCAL);
    }

    /**
     * decide_job_priority names no team, so anyone may ask; the running jobs an URGENT job could
     * preempt are counted across the cluster but listed only where {@code principal} sees their team.
     */
    public PriorityDecision decide(PriorityRequest r, Principal principal) {
        Instant now = clock.instant();
        String model = r.model() == null ? "" : r.model().trim();
        if (model.isEmpty() || model.length() > 128) {
            throw ToolException.invalidArgument("model", "Argument 'model' must be a model name (1-128 characters).", "For example model=llm.");
        }
        String type = r.jobType() == null || r.jobType().isBlank() ? model : r.jobType().trim();
        Priority chosen;
        String why;
        if (r.requestedPriority() != null) {
            chosen = r.requestedPriority();
            why = chosen + " as asked.";
            Priority byType = priorities.forModel(type);
            if (byType != chosen) {
                why += " (A " + type + " job would get " + byType + " by default.)";
            }
        } else if (r.deadline() != null && !r.deadline().isBlank()) {
            Instant deadline;
            try {
                deadline = Instant.parse(r.deadline().trim());
            } catch (DateTimeParseException e) {
                throw ToolException.invalidArgument("deadline", "Argument 'deadline' must be an ISO-8601 instant (got "
                        + Json.shorten(r.deadline()) + ").", "For example deadline=" + now.plus(Duration.ofHours(4)).truncatedTo(
                        java.time.temporal.ChronoUnit.HOURS) + ".");
            }
            if (!deadline.isAfter(now.plus(URGENT_DEADLINE))) {
                chosen = Priority.URGENT;
                why = "URGENT: the deadline " + deadline + " is within " + URGENT_DEADLINE.toHours() + " hours.";
            } else {
                chosen = priorities.forModel(type);
                why = chosen + " for a " + type + " job; the deadline " + deadline + " leaves more than " + URGENT_DEADLINE.toHours()
                        + " hours.";
            }
        } else {
            chosen = priorities.forModel(type);
            why = chosen + " by job type: " + (priorities.jobTypes().isEmpty() ? "" : describeTypes()) + "; " + type + " -> " + chosen + ".";
        }
        List<PriorityDecision.Preemptible> victims = new ArrayList<>();
        int preemptible = 0;
        if (chosen == Priority.URGENT) {
            for (QueuedJob j : queue.read(c -> queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING))) {
                if (j.priority() == Priority.BACKGROUND) {
                    preemptible++;
                }
                if (j.priority() == Priority.BACKGROUND && principal.sees(j.team())) {
                    victims.add(new PriorityDecision.Preemptible(j.jobId(), j.runName(), j.team(), j.gpuType(), j.gpuCount(), j.started()));
                }
            }
            victims.sort(Comparator.comparing((PriorityDecision.Preemptible p) -> p.started() == null ? Instant.MAX : p.started()).reversed());
        }
        TariffCalendar calendar = prices.current(now).calendar();
        RateClass rate = calendar.classAt(now);
        Instant offPeak = rate == RateClass.OFF_PEAK ? null : calendar.nextOffPeak(now);
        List<String> cost = new ArrayList<>();
        cost.add("Priority does not change the price per GPU-hour; it changes when the job runs and what it may displace.");
        switch (chosen) {
            case URGENT -> cost.add("URGENT starts as soon as GPUs allow, at the rate in force then (now " + rate.name().toLowerCase(Locale.ROOT)
                    .replace('_', '-') + "), and may evict BACKGROUND jobs, whose lost work since their last checkpoint is paid again.");
            case NORMAL -> cost.add("NORMAL waits its turn behind URGENT work; with schedule=off_peak it runs at half price from "
                    + (offPeak == null ? "now" : offPeak) + ".");
            case BACKGROUND -> cost.add("BACKGROUND yields to URGENT work: it may be preempted and restart from its last checkpoint "
                    + "(checkpoint often); it suits off-peak runs at half price" + (offPeak == null ? "." : " from " + offPeak + "."));
            default -> {
            }
        }
        PriorityConfig.ClassSpec spec = priorities.spec(chosen);
        String explanation = why + (chosen == Priority.URGENT ? " It may preempt BACKGROUND jobs only (" + preemptible
                + " running now)." : chosen == Priority.BACKGROUND ? " It never preempts anything." : " It never preempts; it is admitted "
                + "before BACKGROUND work.");
        return new PriorityDecision(chosen, spec.name(), spec.value(), spec.preemptionPolicy(), explanation, victims, cost, rate, offPeak);
    }

    private String describeTypes() {
        List<String> parts = new ArrayList<>();
        priorities.jobTypes().entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        return String.join(", ", parts);
    }

    public Validation validate(ValidateRequest r) {
        return validate(r, Principal.LOCAL);
    }

    /** validate_job_resources: a team {@code principal} is not in is NOT_FOUND, as an unknown team is. */
    public Validation validate(ValidateRequest r, Principal principal) {
        Instant now = clock.instant();
        String model = r.model() == null ? "" : r.model().trim();
        if (model.isEmpty() || model.length() > 128) {
            throw ToolException.invalidArgument("model", "Argument 'model' must be a model name (1-128 characters).", "For example model=llm.");
        }
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        String team = r.team() == null || r.team().isBlank() ? null : quota.knownTeam(r.team(), "team", principal);
        if (Boolean.TRUE.equals(r.dryRun()) && team == null) {
            throw ToolException.invalidArgument("team", "dry_run needs 'team': the Job is created in the team's namespace.",
                    "Pass team, e.g. team=team-a, or leave dry_run out.");
        }
        List<Validation.Check> checks = new ArrayList<>();
        String type = null;
        MigProfiles.Asked asked = MigProfiles.parse(r.gpuType(), r.migProfile());
        String mig = asked.migProfile();
        if (asked.gpuType() != null) {
            try {
                type = quota.priced(asked.gpuType());
            } catch (ToolException e) {
                checks.add(new Validation.Check("gpu_type", false, e.getMessage()));
            }
        } else if (mig != null) {
            type = MigProfiles.typeOffering(mig, scheduler.rooms());
        }
        Optional<Estimator.Estimate> estimate = estimator.estimate(model, r.epochs(), r.batchSize(), type, mig, gpus, false, now);
        if (type == null && r.gpuType() == null) {
            type = estimate.map(Estimator.Estimate::gpuType).orElse(null);
            if (type == null) {
                checks.add(new Validation.Check("gpu_type", false, "Model '" + model + "' has no past runs to take a GPU type from; give gpu_type."));
            }
        }
        List<String> fitsOn = new ArrayList<>();
        List<String> freeNow = new ArrayList<>();
        if (type != null) {
            String t = type;
            List<Snapshot.NodeRoom> rooms = MigProfiles.matching(scheduler.rooms(), t, mig); // a MIG request: its profile's pools
            Snapshot snapshot = scheduler.snapshotNow();
            Map<String, Long> free = new HashMap<>();
            for (Snapshot.NodeRoom x : snapshot.nodes()) {
                free.put(x.key(), x.allocatable() - x.usedOutside());
            }
            for (QueuedJob a : snapshot.active()) {
                a.roomKeys().forEach(key -> free.merge(key, (long) -a.gpusPerNode(), Long::sum)); // rule 13: a share on each node
            }
            long perNode = MultiNode.spanPerNode(rooms, mig, gpus); // rule 13: whole nodes of perNode GPUs (0: one node)
            for (Snapshot.NodeRoom x : rooms) {
                if (perNode > 0 ? !x.spot() && !x.shared() && x.allocatable() == perNode : x.allocatable() >= gpus) {
                    fitsOn.add(x.node());
                    if (free.getOrDefault(x.key(), 0L) >= (perNode > 0 ? perNode : gpus)) {
                        freeNow.add(x.node());
                    }
                }
            }
            long largest = rooms.stream().mapToLong(Snapshot.NodeRoom::allocatable).max().orElse(0);
            String what = type + (mig == null ? " GPUs" : " MIG " + mig + " slices");
            checks.add(new Validation.Check("gpu_type", !rooms.isEmpty(), rooms.isEmpty() ? "No node in the cluster has " + what + "."
                    : rooms.size() + " node(s) have " + what + "."));
            if (!rooms.isEmpty() && perNode > 0) {
                long nodes = gpus / perNode;
                checks.add(new Validation.Check("fits_a_node", fitsOn.size() >= nodes, gpus + " " + type + " run on " + nodes + " whole nodes of "
                        + perNode + " (queue rule 13); " + fitsOn.size() + " such node(s), " + freeNow.size() + " whole and free now."));
            } else if (!rooms.isEmpty()) {
                checks.add(new Validation.Check("fits_a_node", !fitsOn.isEmpty(), fitsOn.isEmpty() ? "No " + type + " node holds " + gpus
                        + " GPUs; the largest has " + largest + (mig == null ? "; above one node, gpu_count must be a whole multiple of "
                        + "a node's GPUs (queue rule 13)." : ".") : gpus + " " + type + " fit on " + fitsOn.size() + " node(s); "
                        + freeNow.size() + " have them free now."));
            }
        }
        if (team != null) {
            Optional<Integer> limit = scheduler.quotaLimit(team);
            int inUse = scheduler.gpusInUse(team);
            if (limit.isPresent()) {
                boolean ever = gpus <= limit.get();
                checks.add(new Validation.Check("quota", ever, ever ? team + " holds " + inUse + " of its " + limit.get() + " GPU quota; "
                        + (inUse + gpus <= limit.get() ? "this job fits now." : "this job waits until " + (inUse + gpus - limit.get())
                        + " GPU(s) free up.") : team + "'s GPU quota is " + limit.get() + ": a " + gpus + "-GPU job never fits it."));
            } else {
                checks.add(new Validation.Check("quota", true, team + " has no GPU quota."));
            }
            Optional<BudgetStatus> budget = budgets.apply(team);
            if (budget.isPresent() && estimate.isPresent()) {
                boolean fits = estimate.get().cost().amount().compareTo(budget.get().remaining()) <= 0;
                checks.add(new Validation.Check("budget", fits, "Estimated " + estimate.get().cost().display() + "; " + team + " has "
                        + new Money(budget.get().remaining(), prices.currency()).display() + " left this " + budget.get().period().name()
                        .toLowerCase(Locale.ROOT).replace("ly", "") + "."));
            }
        }
        checks.add(new Validation.Check("gpu_limit_equals_request", true,
                "trainops sets the GPU limit equal to the request on every Job it creates."));
        if (estimate.isEmpty()) {
            checks.add(new Validation.Check("estimate", true, "No run history for '" + model + "': duration and cost cannot be estimated."));
        }
        List<Validation.Alternative> cheaper = new ArrayList<>();
        if (estimate.isPresent() && type != null) {
            BigDecimal base = estimate.get().cost().amount();
            TariffCalendar calendar = prices.current(now).calendar();
            Instant offPeak = calendar.nextOffPeak(now);
            estimator.estimate(model, r.epochs(), r.batchSize(), type, mig, gpus, false, offPeak).ifPresent(e -> cheaper.add(alt(
                    "The same on " + e.gpuType() + ", from the off-peak window at " + offPeak + ".", e.gpuType(), "off_peak", false, e, base)));
            estimator.estimate(model, r.epochs(), r.batchSize(), type, mig, gpus, true, now).ifPresent(e -> cheaper.add(alt(
                    "The same on spot (expected cost with interruptions; needs checkpoints).", e.gpuType(), null, true, e, base)));
            for (String other : scheduler.rooms().stream().map(Snapshot.NodeRoom::gpuType).distinct().sorted().toList()) {
                if (other.equals(type) || mig != null || !prices.current(now).gpuHour().containsKey(other)) {
                    continue;
                }
                boolean fitsOther = MigProfiles.matching(scheduler.rooms(), other, null).stream().anyMatch(x -> x.allocatable() >= gpus);
                if (fitsOther) {
                    estimator.estimate(model, r.epochs(), r.batchSize(), other, gpus, false, now).ifPresent(e -> cheaper.add(alt(
                            "On " + other + " instead (" + e.basis() + ").", other, null, false, e, base)));
                }
            }
            for (int batch : estimator.batchSizes(model, type)) {
                if (batch != r.batchSize()) {
                    estimator.estimate(model, r.epochs(), batch, type, mig, gpus, false, now).ifPresent(e -> cheaper.add(new Validation.Alternative(
                            "At batch size " + batch + ": the model's runs at " + batch + " cost less per epoch (" + e.basis() + ").", e.gpuType(), null,
                            false, e.cost().amount(), e.seconds(), base.subtract(e.cost().amount()), batch)));
                }
            }
            cheaper.removeIf(a -> a.estimatedCost().compareTo(base) >= 0);
            cheaper.sort(Comparator.comparing(Validation.Alternative::estimatedCost));
        }
        boolean feasible = checks.stream().allMatch(Validation.Check::ok);
        Map<String, Object> manifest = Boolean.TRUE.equals(r.dryRun()) && type != null ? dryRun.job(dryRunJob(model, team, type, mig, gpus,
                r, estimate)) : null;
        return new Validation(feasible, checks, type, gpus, fitsOn, freeNow, estimate.map(Estimator.Estimate::seconds).orElse(null),
                estimate.map(e -> e.cost().amount()).orElse(null), prices.currency().getCurrencyCode(), cheaper, manifest);
    }

    /** The job queue_training_job would store for this request (run name {@code <model>-dry-run}, the model's default priority). */
    private QueuedJob dryRunJob(String model, String team, String type, String mig, int gpus, ValidateRequest r,
                                Optional<Estimator.Estimate> e) {
        Priority priority = priorities.forModel(model);
        JobSpec spec = new JobSpec(team, model + "-dry-run", model, model, priority, priorities.spec(priority).value(), type, gpus,
                r.epochs(), r.batchSize(), mig == null ? Map.of() : Map.of(JobSpec.MIG_PROFILE_PARAM, mig), false, null, null, e.map(x -> x.cost().toMicros()).orElse(0L),
                e.map(Estimator.Estimate::seconds).orElse(0L), null, null, null);
        return QueuedJob.submitted(QueueService.newJobId(), spec, clock.instant());
    }

    private static Validation.Alternative alt(String what, String type, String schedule, boolean spot, Estimator.Estimate e, BigDecimal base) {
        return new Validation.Alternative(what, type, schedule, spot, e.cost().amount(), e.seconds(), base.subtract(e.cost().amount()), null);
    }
}
