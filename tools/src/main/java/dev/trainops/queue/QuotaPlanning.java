package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * check_training_quota and calculate_quota: a team's use of its quota (GPUs, CPU, memory) and what
 * more jobs would do to it and to its budget. Changes nothing.
 */
final class QuotaPlanning {
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private final QuotaConfig quotas;
    private final QueueStore queue;
    private final Scheduler scheduler;
    private final ClusterIndex index;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final PriceBook prices;
    private final Clock clock;
    private final JobFootprints footprints;

    QuotaPlanning(QuotaConfig quotas, QueueStore queue, Scheduler scheduler, ClusterIndex index,
                  Function<String, Optional<BudgetStatus>> budgets, PriceBook prices, Clock clock, JobFootprints footprints) {
        this.quotas = quotas;
        this.queue = queue;
        this.scheduler = scheduler;
        this.index = index;
        this.budgets = budgets;
        this.prices = prices;
        this.clock = clock;
        this.footprints = footprints;
    }

    /** check_training_quota. */
    QuotaStatus check(QuotaRequest r, Principal principal) {
        String team = knownTeam(r.team(), "team", principal);
        Limits limits = limits(team);
        List<QuotaStatus.Usage> usage = quotaUsage(team, limits);
        List<String> warnings = new ArrayList<>();
        BigDecimal line = quotas.warnAt().movePointRight(2);
        for (QuotaStatus.Usage u : usage) {
            if (u.percent() != null && u.percent().compareTo(line) >= 0) {
                warnings.add(team + " uses " + u.percent().stripTrailingZeros().toPlainString() + "% of its " + u.resource() + " quota ("
                        + u.used().stripTrailingZeros().toPlainString() + " of " + u.limit().stripTrailingZeros().toPlainString() + ").");
            }
        }
        List<QueuedJob> waiting = queue.read(c -> queue.inStates(c, JobState.QUEUED)).stream().filter(j -> j.team().equals(team)).toList();
        return new QuotaStatus(team, limits.source, usage, waiting.size(), waiting.stream().mapToInt(QueuedJob::gpuCount).sum(), warnings,
                budgets.apply(team).orElse(null));
    }

    /** A team's use of each quota resource (gpu, cpu, memory_gib), as check_training_quota reports it. */
    List<QuotaStatus.Usage> quotaUsage(String team) {
        return quotaUsage(team, limits(team));
    }

    private List<QuotaStatus.Usage> quotaUsage(String team, Limits limits) {
        Optional<Integer> gpuLimit = scheduler.quotaLimit(team);
        Map<String, BigDecimal> used = cpuAndMemoryInUse(team);
        List<QuotaStatus.Usage> usage = new ArrayList<>();
        usage.add(usage("gpu", BigDecimal.valueOf(scheduler.gpusInUse(team)), gpuLimit.map(BigDecimal::valueOf).orElse(null)));
        usage.add(usage("cpu", used.get("cpu"), limits.cpu));
        usage.add(usage("memory_gib", used.get("memory"), limits.memoryGib));
        return usage;
    }

    /**
     * calculate_quota: the jobs' cost is what the ledger would bill them started now (docs/money.md,
     * "Estimates and the bill"): each job's footprint (its GPU units as shares where the queue places
     * that type, the default job template's CPU and memory) over the hours, through the same engine
     * as every other estimate ({@link PriceBook#cost(JobFootprint, Instant, long, boolean)}).
     */
    QuotaWhatIf whatIf(QuotaWhatIfRequest r, Principal principal) {
        String team = knownTeam(r.team(), "team", principal);
        int jobs = r.jobs() == null ? 1 : r.jobs();
        BigDecimal hours = BigDecimal.valueOf(r.hours() == null ? 1.0 : r.hours());
        int asked = jobs * r.gpuCount();
        int inUse = scheduler.gpusInUse(team);
        Optional<Integer> limit = scheduler.quotaLimit(team);
        Instant now = clock.instant();
        String type = r.gpuType() == null ? mostCommonType() : priced(r.gpuType());
        long seconds = hours.multiply(SECONDS_PER_HOUR).setScale(0, RoundingMode.HALF_UP).longValueExact();
        JobFootprint job = footprints.of(JobTemplates.DEFAULT, type, r.gpuCount());
        Money cost = prices.cost(job, now, seconds, false).times(BigDecimal.valueOf(jobs));
        Optional<BudgetStatus> budget = budgets.apply(team);
        BigDecimal left = budget.map(b -> b.remaining().subtract(cost.amount())).orElse(null);
        List<String> notes = new ArrayList<>();
        if (r.gpuType() == null) {
            notes.add("Priced as " + type + ", the GPU type with the most GPUs in the cluster; pass gpu_type to price another.");
        }
        notes.add("Priced as the ledger bills " + (jobs == 1 ? "the job" : "each job") + " started now: " + job.gpus().stripTrailingZeros()
                .toPlainString() + " " + type + " GPU(s), " + job.cpuCores().stripTrailingZeros().toPlainString() + " CPU cores and "
                + job.memoryGib().stripTrailingZeros().toPlainString() + " GiB (the default job template's per GPU), peak and off-peak "
                + "hours as they fall.");
        if (limit.isEmpty()) {
            notes.add(team + " has no GPU quota: any number fits it.");
        }
        int largest = MigProfiles.matching(scheduler.rooms(), type, null).stream().mapToInt(x -> (int) x.allocatable()).max().orElse(0);
        if (r.gpuCount() > largest) {
            notes.add("No " + type + " node holds " + r.gpuCount() + " GPUs (the largest has " + largest + "): a job that size never starts.");
        }
        return new QuotaWhatIf(team, asked, inUse, limit.orElse(null), limit.isEmpty() || inUse + asked <= limit.get(),
                limit.map(l -> l - inUse - asked).orElse(null), type, prices.currency().getCurrencyCode(), cost.amount(),
                left == null || left.signum() >= 0, left, Math.max(limit.orElse(0), inUse + asked), notes);
    }

    private String mostCommonType() {
        Map<String, Long> totals = new HashMap<>();
        scheduler.rooms().stream().filter(r -> r.migProfile() == null).forEach(r -> totals.merge(r.gpuType(), r.allocatable(), Long::sum));
        return totals.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse("H100");
    }

    /** The price list's name for {@code gpuType}, else INVALID_ARGUMENT naming the types it prices. */
    String priced(String gpuType) {
        Optional<String> known = prices.current(clock.instant()).gpuType(gpuType);
        if (known.isPresent()) {
            return known.get();
        }
        throw ToolException.invalidArgument("gpu_type", "Argument 'gpu_type' is " + Json.shorten(gpuType) + ", which trainops does not price.",
                "Use one of: " + String.join(", ", prices.current(clock.instant()).gpuHour().keySet()) + ".");
    }

    /** {@code value} as a team with a quota that {@code principal} may name, else NOT_FOUND ({@link TeamScope#knownTeam}). */
    String knownTeam(String value, String argument, Principal principal) {
        Set<String> known = new TreeSet<>(quotas.teams().keySet());
        known.addAll(scheduler.quotaTeams());
        return TeamScope.knownTeam(value, argument, known, principal);
    }

    private record Limits(String source, BigDecimal cpu, BigDecimal memoryGib) {
    }

    private Limits limits(String team) {
        for (ResourceQuota rq : index.resourceQuotas()) {
            if (team.equals(rq.getMetadata().getNamespace()) && rq.getSpec() != null && rq.getSpec().getHard() != null) {
                Map<String, Quantity> hard = rq.getSpec().getHard();
                Quantity cpu = hard.getOrDefault("requests.cpu", hard.get("cpu"));
                Quantity memory = hard.getOrDefault("requests.memory", hard.get("memory"));
                return new Limits("ResourceQuota " + team + "/" + rq.getMetadata().getName(),
                        cpu == null ? null : Quantity.getAmountInBytes(cpu), memory == null ? null : gib(memory));
            }
        }
        QuotaConfig.TeamQuota q = quotas.teams().get(team);
        return q == null ? new Limits("none", null, null)
                : new Limits("config/quotas.yaml", Quantity.getAmountInBytes(q.cpu()), gib(q.memory()));
    }

    private Map<String, BigDecimal> cpuAndMemoryInUse(String team) {
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        for (Pod p : index.podsInNamespace(team)) {
            if (!PodResources.holdsResources(p) || p.getSpec() == null) {
                continue;
            }
            for (Container c : p.getSpec().getContainers()) {
                Map<String, Quantity> req = c.getResources() == null || c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
                if (req.get("cpu") != null) {
                    cpu = cpu.add(Quantity.getAmountInBytes(req.get("cpu")));
                }
                if (req.get("memory") != null) {
                    memory = memory.add(gib(req.get("memory")));
                }
            }
        }
        return Map.of("cpu", cpu, "memory", memory);
    }

    private static BigDecimal gib(Quantity q) {
        return Quantity.getAmountInBytes(q).divide(GIB, 3, RoundingMode.HALF_EVEN);
    }

    private static QuotaStatus.Usage usage(String resource, BigDecimal used, BigDecimal limit) {
        if (limit == null || limit.signum() == 0) {
            return new QuotaStatus.Usage(resource, used, limit, null, null);
        }
        return new QuotaStatus.Usage(resource, used, limit, limit.subtract(used),
                used.multiply(BigDecimal.valueOf(100)).divide(limit, 2, RoundingMode.HALF_EVEN));
    }
}
