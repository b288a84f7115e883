package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.TariffCalendar;
import dev.trainops.names.SafeName;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A submission checked and priced before anything is stored (docs/architecture.md, "Life of a tool call"):
 * malformed input, a request that can never fit (queue rule 5), or an estimate above max_cost or
 * the budget left is a ToolException that names the argument and what to do; an estimate over
 * budget comes with cheaper options (off-peak, spot, fewer epochs, a batch size the model's history
 * shows is cheaper per epoch) the caller can submit as they are.
 */
final class SubmissionCheck {

    private final Scheduler scheduler;
    private final PriorityConfig priorities;
    private final QuotaConfig quotas;
    private final Estimator estimator;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final PriceBook prices;
    private final Clock clock;

    SubmissionCheck(Scheduler scheduler, PriorityConfig priorities, QuotaConfig quotas, Estimator estimator,
                    Function<String, Optional<BudgetStatus>> budgets, PriceBook prices, Clock clock) {
        this.scheduler = scheduler;
        this.priorities = priorities;
        this.quotas = quotas;
        this.estimator = estimator;
        this.budgets = budgets;
        this.prices = prices;
        this.clock = clock;
    }

    /** Checks and prices a submission by {@code principal} into a new QUEUED job (not stored). */
    QueuedJob prepare(QueueRequest r, String batchId, Integer batchIndex, String idempotencyKey, Principal principal) {
        Instant now = clock.instant();
        String team = TeamScope.knownTeam(r.team(), "team", knownTeams(), principal);
        String model = name(r.model(), "model");
        String runName = name(r.runName(), "run_name");
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        boolean spot = Boolean.TRUE.equals(r.spot());
        TariffCalendar calendar = prices.current(now).calendar();
        Instant notBefore = schedule(r.schedule(), now, calendar);
        MigProfiles.Asked asked = MigProfiles.parse(r.gpuType(), r.migProfile());
        String mig = asked.migProfile();
        String requestedType = asked.gpuType() != null ? gpuType(asked.gpuType())
                : mig != null ? MigProfiles.typeOffering(mig, scheduler.rooms()) : null;
        Optional<Estimator.Estimate> estimate = estimator.estimate(model, r.epochs(), r.batchSize(), requestedType, mig, gpus, spot,
                notBefore == null ? now : notBefore);
        String gpuType = requestedType != null ? requestedType : estimate.map(Estimator.Estimate::gpuType).orElseThrow(() ->
                ToolException.invalidArgument("gpu_type", "Model '" + model + "' has no past runs to take a GPU type from.",
                        "Give gpu_type, e.g. " + String.join(", ", clusterTypes()) + "."));
        fitsEver(team, gpuType, mig, gpus, spot);
        Long maxCost = r.maxCost() == null ? null : maxCost(r.maxCost());
        long costMicros = estimate.map(e -> e.cost().toMicros()).orElse(0L);
        if (maxCost != null && estimate.isPresent() && costMicros > maxCost) {
            throw overBudget("This job's estimated cost, " + estimate.get().cost().display() + ", is above its max_cost of "
                    + Money.micros(maxCost, prices.currency()).display() + ".", r, maxCost, estimate.get(), now);
        }
        Optional<BudgetStatus> budget = budgets.apply(team);
        if (budget.isPresent() && estimate.isPresent()) {
            long left = budget.get().remaining().movePointRight(Money.SCALE).longValue();
            if (costMicros > left) {
                throw overBudget("This job's estimated cost, " + estimate.get().cost().display() + ", is above what is left of team "
                        + team + "'s " + budget.get().period().name().toLowerCase(Locale.ROOT) + " budget: "
                        + Money.micros(Math.max(0, left), prices.currency()).display() + " of " + money(budget.get().limit()) + ".",
                        r, Math.max(0, left), estimate.get(), now);
            }
        }
        Priority priority = r.priority() != null ? r.priority() : priorities.forModel(model);
        Map<String, String> params = new LinkedHashMap<>(r.params() == null ? Map.of() : r.params());
        params.keySet().removeIf(k -> k.startsWith("trainops.")); // trainops's own keys are set here only
        if (mig != null) {
            params.put(JobSpec.MIG_PROFILE_PARAM, mig);
        }
        if (r.schedule() != null) {
            params.put("trainops.schedule", r.schedule().trim().toLowerCase(Locale.ROOT).equals("off_peak") ? "off_peak" : r.schedule().trim());
        }
        if (estimate.isEmpty()) {
            params.put("trainops.estimate", "none");
        } else if (estimate.get().atTimeLimit()) {
            params.put("trainops.estimate", "time_limit");
        }
        String experiment = params.getOrDefault("experiment", model);
        if (Json.MAPPER.writeValueAsString(params).length() > 4000) {
            throw ToolException.invalidArgument("params", "Argument 'params' is too large (over 4,000 characters as JSON).",
                    "Pass fewer or shorter parameters; put large configuration in a file the job reads.");
        }
        JobSpec spec = new JobSpec(team, runName, model, experiment, priority, priorities.spec(priority).value(), gpuType, gpus,
                r.epochs(), r.batchSize(), params, spot, notBefore, maxCost, costMicros, estimate.map(Estimator.Estimate::seconds).orElse(0L),
                idempotencyKey, batchId, batchIndex);
        return QueuedJob.submitted(QueueService.newJobId(), spec, now);
    }

    private ToolException overBudget(String message, QueueRequest r, long allowedMicros, Estimator.Estimate estimate, Instant now) {
        List<Map<String, Object>> options = new ArrayList<>();
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        String mig = MigProfiles.parse(r.gpuType(), r.migProfile()).migProfile();
        Optional<Estimator.Estimate> offPeak = estimator.estimate(r.model(), r.epochs(), r.batchSize(), estimate.gpuType(), mig, gpus, false,
                prices.current(now).calendar().nextOffPeak(now));
        offPeak.filter(e -> e.cost().toMicros() <= allowedMicros)
                .ifPresent(e -> options.add(option(r, Map.of("schedule", "off_peak"), e.cost(), "Wait for the off-peak window.")));
        Optional<Estimator.Estimate> spot = estimator.estimate(r.model(), r.epochs(), r.batchSize(), estimate.gpuType(), mig, gpus, true, now);
        // only where spot capacity of the type (and profile) exists: an option is something the caller can submit as it is
        boolean spotNodes = MultiNode.fitsEver(MigProfiles.matching(scheduler.rooms(), estimate.gpuType(), mig).stream()
                .filter(Snapshot.NodeRoom::spot).toList(), gpus);
        spot.filter(e -> spotNodes && e.cost().toMicros() <= allowedMicros)
                .ifPresent(e -> options.add(option(r, Map.of("spot", true), e.cost(), "Run on spot (expected cost, interruptions included).")));
        if (estimate.cost().toMicros() > 0) {
            int epochs = (int) Math.min(r.epochs() - 1L, r.epochs() * allowedMicros / estimate.cost().toMicros());
            if (epochs >= 1) {
                Optional<Estimator.Estimate> fewer = estimator.estimate(r.model(), epochs, r.batchSize(), estimate.gpuType(), mig, gpus, false,
                        now);
                fewer.filter(e -> e.cost().toMicros() <= allowedMicros)
                        .ifPresent(e -> options.add(option(r, Map.of("epochs", epochs), e.cost(), "Train " + epochs + " epochs instead of "
                                + r.epochs() + ".")));
            }
        }
        batchSizeOptions(r, allowedMicros, estimate, now).forEach(options::add);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("estimated_cost", estimate.cost().toWire());
        details.put("allowed", Money.micros(allowedMicros, prices.currency()).toWire());
        details.put("options", options);
        return new ToolException(ErrorCode.BUDGET_EXCEEDED, message, options.isEmpty()
                ? "Raise max_cost, ask for more budget, or train fewer epochs." : "Nothing was queued. Pick one of the options (each is a "
                + "set of queue_training_job arguments with its estimated cost) and submit it.", false, details);
    }

    /**
     * The plan's "use a smaller batch size": each batch size the model's history has runs at that
     * comes out cheaper for the same epochs (smaller or larger, as the evidence says) and fits.
     */
    private List<Map<String, Object>> batchSizeOptions(QueueRequest r, long allowedMicros, Estimator.Estimate estimate, Instant now) {
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        boolean spot = Boolean.TRUE.equals(r.spot());
        List<Map<String, Object>> out = new ArrayList<>();
        for (int batch : estimator.batchSizes(r.model(), estimate.gpuType())) {
            if (batch == r.batchSize()) {
                continue;
            }
            estimator.estimate(r.model(), r.epochs(), batch, estimate.gpuType(), MigProfiles.parse(r.gpuType(), r.migProfile()).migProfile(),
                            gpus, spot, now)
                    .filter(e -> e.cost().toMicros() < estimate.cost().toMicros() && e.cost().toMicros() <= allowedMicros)
                    .ifPresent(e -> out.add(option(r, Map.of("batch_size", batch), e.cost(), "Train at batch size " + batch + " instead of "
                            + r.batchSize() + ": the model's runs at " + batch + " cost less per epoch (" + e.basis() + ").")));
        }
        return out;
    }

    private Map<String, Object> option(QueueRequest r, Map<String, Object> change, Money cost, String what) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("model", r.model());
        args.put("run_name", r.runName());
        args.put("team", r.team());
        args.put("epochs", r.epochs());
        args.put("batch_size", r.batchSize());
        if (r.priority() != null) {
            args.put("priority", r.priority().name());
        }
        if (r.gpuCount() != null) {
            args.put("gpu_count", r.gpuCount());
        }
        if (r.gpuType() != null) {
            args.put("gpu_type", r.gpuType());
        }
        if (r.migProfile() != null) {
            args.put("mig_profile", r.migProfile());
        }
        if (r.maxCost() != null) {
            args.put("max_cost", r.maxCost());
        }
        if (Boolean.TRUE.equals(r.dryRun())) {
            args.put("dry_run", true); // an option picked from a dry run's answer is a dry run too
        }
        args.putAll(change);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("description", what);
        o.put("estimated_cost", cost.toWire());
        o.put("arguments", args);
        return o;
    }

    /** The latest start a schedule may name: the end of the year 9999, as for every date argument. */
    static final Instant LATEST_SCHEDULE = Instant.parse("9999-12-31T23:59:59Z");

    private Instant schedule(String schedule, Instant now, TariffCalendar calendar) {
        if (schedule == null || schedule.isBlank() || schedule.trim().equalsIgnoreCase("now")) {
            return null;
        }
        if (schedule.trim().equalsIgnoreCase("off_peak")) {
            Instant t = calendar.nextOffPeak(now);
            return t.equals(now) ? null : t;
        }
        try {
            Instant t = Instant.parse(schedule.trim());
            if (t.isBefore(now.minus(Duration.ofMinutes(1)))) {
                throw ToolException.invalidArgument("schedule", "Argument 'schedule' (" + t + ") is in the past.",
                        "Use 'now', 'off_peak', or a future instant.");
            }
            if (t.isAfter(LATEST_SCHEDULE)) {
                // Instant.parse takes years up to +1000000000, which no epoch-millisecond column holds (issue 14, "Bad input at scale")
                throw ToolException.invalidArgument("schedule", "Argument 'schedule' (" + Json.shorten(schedule.trim()) + ") is after the year 9999.",
                        "Use 'now', 'off_peak', or a future instant such as 2026-12-01T22:00:00Z.");
            }
            return t.isAfter(now) ? t : null;
        } catch (DateTimeParseException e) {
            throw ToolException.invalidArgument("schedule", "Argument 'schedule' must be 'now', 'off_peak' or an ISO-8601 instant (got "
                    + Json.shorten(schedule) + ").", "For example schedule=off_peak or schedule=2026-12-01T22:00:00Z.");
        }
    }

    private long maxCost(String value) {
        try {
            BigDecimal v = new BigDecimal(value.trim());
            if (v.signum() <= 0 || v.scale() > Money.SCALE) {
                throw new NumberFormatException();
            }
            return v.movePointRight(Money.SCALE).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw ToolException.invalidArgument("max_cost", "Argument 'max_cost' must be a positive decimal string with at most 6 "
                    + "decimals (got " + Json.shorten(value) + ").", "For example max_cost=\"5.00\" (in " + prices.currency() + ").");
        }
    }

    private Set<String> knownTeams() {
        Set<String> teams = new TreeSet<>(quotas.teams().keySet());
        scheduler.quotaTeams().forEach(teams::add);
        return teams;
    }

    private static String name(String value, String argument) {
        return SafeName.parse(argument, value, "For example " + argument + "=" + (argument.equals("model") ? "llm" : "llm-lr3e-4") + ".")
                .value();
    }

    private String gpuType(String value) {
        String t = value.trim();
        Optional<String> known = prices.current(clock.instant()).gpuType(t);
        if (known.isPresent()) {
            return known.get();
        }
        throw ToolException.invalidArgument("gpu_type", "Argument 'gpu_type' is " + Json.shorten(t) + ", which trainops does not price.",
                "Use one of: " + String.join(", ", clusterTypes()) + ".");
    }

    private List<String> clusterTypes() {
        return scheduler.rooms().stream().map(Snapshot.NodeRoom::gpuType).distinct().sorted().toList();
    }

    /**
     * Queue rule 5 (docs/architecture.md, "Queue state machine"): bigger than any node of the type,
     * or than the team's quota, is refused now instead of waiting forever.
     */
    private void fitsEver(String team, String gpuType, String mig, int gpus, boolean spot) {
        long largest = 0;
        String where = null;
        List<Snapshot.NodeRoom> pools = MigProfiles.matching(scheduler.rooms(), gpuType, mig);
        if (mig != null && pools.isEmpty()) {
            throw new ToolException(ErrorCode.NO_CAPACITY, "No node in the cluster offers MIG " + mig + " slices of " + gpuType + ".",
                    "MIG profiles here: " + MigProfiles.offered(scheduler.rooms()) + "; or leave mig_profile out for whole GPUs.", false,
                    Map.of("argument", "mig_profile"));
        }
        for (Snapshot.NodeRoom r : pools) {
            // a spot job runs on spot nodes only, any other on on-demand nodes only (docs/queue.md, "Spot and on-demand")
            if (r.spot() == spot && r.allocatable() > largest) {
                largest = r.allocatable();
                where = r.node();
            }
        }
        String kind = spot ? "spot " : "";
        if (where == null && spot && clusterTypes().contains(gpuType)) {
            throw new ToolException(ErrorCode.NO_CAPACITY, "No spot node in the cluster has " + gpuType + " GPUs.", "Submit it without "
                    + "spot: on-demand " + gpuType + " nodes are there.", false, Map.of("argument", "spot"));
        }
        if (where == null) {
            throw new ToolException(ErrorCode.NO_CAPACITY, "No node in the cluster has " + gpuType + " GPUs.", "GPU types here: "
                    + String.join(", ", clusterTypes()) + ".", false, Map.of("argument", "gpu_type"));
        }
        if (gpus > largest) {
            // queue rule 13: valid on whole nodes of the type, else refused naming gpu_count and the valid values
            MultiNode.checkAtSubmit(gpuType, mig, gpus, spot, pools, largest, where);
        }
        Optional<Integer> quota = scheduler.quotaLimit(team);
        if (quota.isPresent() && gpus > quota.get()) {
            throw new ToolException(ErrorCode.QUOTA_EXCEEDED, "Team " + team + "'s GPU quota is " + quota.get() + "; this job asks for "
                    + gpus + ".", "Ask for at most " + quota.get() + " GPUs, or ask for a larger quota.", false,
                    Map.of("argument", "gpu_count", "quota_gpus", quota.get()));
        }
    }

    private String money(BigDecimal amount) {
        return new Money(amount, prices.currency()).display();
    }
}
