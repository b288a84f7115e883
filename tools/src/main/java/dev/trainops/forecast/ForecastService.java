package dev.trainops.forecast;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PriceList;
import dev.trainops.cost.PricedSlice;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.SpotModel;
import dev.trainops.cost.JobFootprint;
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
import java.util.function.Function;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.names.JobId;
import dev.trainops.queue.JobFootprints;
import dev.trainops.queue.QuotaConfig;

/**
 * The forecast package's one entry point (docs/architecture.md, "Modules"): forecast_training_cost
 * finds the history, measures the steady-state epoch time, and prices the remaining epochs against
 * the tariff calendar ahead (cost rule 7); it also makes the run histories the app chooses between
 * ({@link #mlflowHistory}, {@link #knowingJobs}). Public besides it: the tool's request and answer,
 * the history seam ({@link RunHistorySource}, {@link HistoricRun}) and the duration model that
 * compare and recommend share ({@link EpochRate}, {@link EpochTimeline}, {@link DurationModel},
 * {@link WarmupRatio}).
 */
public final class ForecastService {
    static final Duration CHECKPOINT_EVERY = Duration.ofMinutes(30);
    static final Duration RESTART_OVERHEAD = Duration.ofMinutes(5);

    private final RunHistorySource source;
    private final PriceBook prices;
    private final JobFootprints footprints;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final Clock clock;

    /**
     * @param footprints what a job of the model holds while it runs (GPU share, CPU, memory), priced as the ledger bills it
     * @param budgets the budget status of a team, when it has one (read without firing thresholds)
     */
    public ForecastService(RunHistorySource source, PriceBook prices, JobFootprints footprints,
                           Function<String, Optional<BudgetStatus>> budgets, Clock clock) {
        this.source = source;
        this.prices = prices;
        this.footprints = footprints;
        this.budgets = budgets;
        this.clock = clock;
    }

    /** Whole GPUs with config/quotas.yaml's default CPU and memory per GPU. */
    public ForecastService(RunHistorySource source, PriceBook prices, Function<String, Optional<BudgetStatus>> budgets, Clock clock) {
        this(source, prices, JobFootprints.wholeGpus(QuotaConfig.defaults()), budgets, clock);
    }

    public ForecastService(RunHistorySource source, PriceBook prices, Clock clock) {
        this(source, prices, team -> Optional.empty(), clock);
    }

    /** What the queue knows of a job: the run it logs to, its model and its team. */
    public record JobRef(String runName, String model, String team) {
        /** A job of no known team: admins only see it. */
        public JobRef(String runName, String model) {
            this(runName, model, null);
        }
    }

    /** Run history from MLflow, every read through the reader's cache. */
    public static RunHistorySource mlflowHistory(MlflowReader reader) {
        return mlflowHistory(reader, dev.trainops.access.ExperimentTeams.NONE);
    }

    /** Run history from MLflow, each run owned as {@code owners} and its tags say (rule 6). */
    public static RunHistorySource mlflowHistory(MlflowReader reader, dev.trainops.access.ExperimentTeams owners) {
        return new MlflowRunHistory(reader, owners);
    }

    /**
     * {@code runs}, and a queued or running trainops job named by its id (tj-...): its own run once
     * it has logged epochs, else the past runs of its model.
     */
    public static RunHistorySource knowingJobs(RunHistorySource runs, Function<String, Optional<JobRef>> jobs) {
        return new JobAwareHistory(runs, jobs);
    }

    /**
     * The forecast {@code principal} may see (rule 6): from its teams' runs and jobs only; a name
     * that stands only for other teams' runs is the same NOT_FOUND as an unknown one.
     */
    public Forecast forecast(ForecastRequest request, dev.trainops.access.Principal principal) {
        return principal.isAdmin() ? forecast(request)
                : new ForecastService(RunHistorySource.visibleTo(source, principal), prices, footprints, budgets, clock).forecast(request);
    }

    public Forecast forecast(ForecastRequest request) {
        String name = request.jobName() == null ? "" : request.jobName().trim();
        if (name.isEmpty()) {
            throw ToolException.invalidArgument("job_name", "Argument 'job_name' is empty.",
                    "Give a run name or id, or a model name with past runs such as llm.");
        }
        RunHistorySource.Found found = source.find(name);
        List<HistoricRun> runs = found.runs();
        // a run whose epochs can be placed; the most recent first
        List<HistoricRun> usable = runs.stream().filter(HistoricRun::measurable)
                .sorted(Comparator.comparing(HistoricRun::start).reversed()).toList();
        if (usable.isEmpty()) {
            throw new ToolException(ErrorCode.NOT_FOUND, runs.isEmpty()
                    ? "No run, job or model named '" + name + "' in " + source.name() + (name.startsWith("tj-") ? " or the job queue" : "") + "."
                    : "'" + name + "' has no completed epoch to measure yet.",
                    runs.isEmpty() ? "Use a run name or id from MLflow, or a model name with past runs (e.g. llm, mnist)."
                            : "Retry after its first epoch ends.", false, Map.of("argument", "job_name"));
        }
        HistoricRun run = usable.get(0);
        DurationModel duration = DurationModel.of(run, modelRuns(runs, run));
        EpochRate rate = duration.rate();
        String gpuType = run.param("gpu_type", null);
        int gpuCount = integer(run.param("gpu_count", "1"));
        PriceList current = prices.current(clock.instant());
        if (gpuType == null || !current.gpuHour().containsKey(gpuType)) {
            throw new ToolException(ErrorCode.NOT_FOUND, "Run " + run.runName() + " logged no priced gpu_type ("
                    + gpuType + ").", "Price list types: " + String.join(", ", current.gpuHour().keySet()) + ".");
        }
        int n = request.remainingEpochs();
        Instant start = run.running() ? EpochTimeline.of(run.start(), run.epochMetric(), List.of(), null).lastEpochEnd() : clock.instant();
        long seconds = duration.remainingSeconds(n);
        long low = Math.round(rate.lowSeconds() * n);
        long high = Math.round(rate.highSeconds() * n);
        // priced as the ledger will bill it: the job's GPU share, CPU and memory (docs/money.md, "Estimates and the bill")
        JobFootprint job = footprints.of(run.param("model", name), gpuType, gpuCount);
        List<PricedSlice> slices = prices.price(job, start, seconds, false);
        Money cost = PricedSlice.total(slices, prices.currency());
        Money lowCost = prices.cost(job, start, low, false);
        Money highCost = prices.cost(job, start, high, false);
        BigDecimal hourly = prices.peakHourly(job, clock.instant());
        Money atPeak = new Money(hourly.multiply(BigDecimal.valueOf(seconds)).divide(BigDecimal.valueOf(3600), 12, java.math.RoundingMode.HALF_EVEN), prices.currency());
        Money perEpochAtPeak = n == 0 ? Money.zero(prices.currency())
                : new Money(hourly.multiply(BigDecimal.valueOf(rate.secondsPerEpoch())).divide(BigDecimal.valueOf(3600), 12, java.math.RoundingMode.HALF_EVEN), prices.currency());

        Map<RateClass, long[]> secondsBy = new EnumMap<>(RateClass.class);
        Map<RateClass, Money> costBy = new EnumMap<>(RateClass.class);
        for (PricedSlice s : slices) {
            secondsBy.computeIfAbsent(s.rateClass(), k -> new long[1])[0] += s.seconds();
            costBy.merge(s.rateClass(), s.cost(), Money::plus);
        }
        List<Forecast.Part> parts = new ArrayList<>();
        costBy.forEach((rc, m) -> parts.add(new Forecast.Part(rc, secondsBy.get(rc)[0], m.amount())));

        Forecast.Spot spot = null;
        if (n > 0) {
            SpotModel.Estimate e = SpotModel.estimate(Duration.ofSeconds(seconds), hourly, current, CHECKPOINT_EVERY, RESTART_OVERHEAD);
            if (e.feasible()) {
                spot = new Forecast.Spot(e.expectedCost().amount(), e.wastedCost().amount(), e.expectedWall().toSeconds(), e.expectedInterruptions());
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add(switch (rate.method()) {
            case STEADY_STATE_MEDIAN -> "Median of " + rate.basedOnEpochs() + " epochs after the first (warm-up left out).";
            case STEP_RATE_AFTER_WARMUP -> "Only one epoch so far: rate from the step timestamps of its second half.";
            case FIRST_EPOCH_LEARNED_WARMUP -> "Only one epoch so far: epoch 1 divided by the warm-up ratio of the model's finished runs, "
                    + duration.warmup().map(WarmupRatio::describe).orElse("") + "; the interval spans how far they disagree.";
            case FIRST_EPOCH_ONLY -> "Only one epoch, no step-level metrics and no finished run of the model to learn its warm-up from: "
                    + "epoch 1 includes warm-up, so this is on the high side.";
            case JOB_AVERAGE -> "From trainops's own finished job " + run.runId() + " (" + rate.basedOnEpochs() + " epochs): its run time "
                    + "over its epochs, start-up and warm-up included, so on the high side for epochs of a running job.";
        });
        if (JobId.isValid(name)) {
            notes.add(run.running() ? "Job " + name + " is running: the forecast rests on its own run, " + run.runName() + "."
                    : "Job " + name + " has no epochs of its own yet: the forecast uses the most recent run of its model, " + run.runName() + ".");
        } else if (!run.runName().equals(name) && !run.runId().equals(name)) {
            notes.add("No run is named '" + name + "'; the forecast uses the most recent run of that model, " + run.runName() + ".");
        }
        if (costBy.containsKey(RateClass.OFF_PEAK) && costBy.containsKey(RateClass.PEAK)) {
            notes.add("The run would cross a tariff boundary; part of it is priced off-peak.");
        }
        if (found.stale()) {
            notes.add(source.name() + " did not answer; the history is the copy read at " + found.asOf() + ".");
        }
        List<String> others = usable.stream().skip(1).map(HistoricRun::runName).toList();
        Forecast.BudgetImpact impact = budgetImpact(run.param("team", null), n, cost, perEpochAtPeak, rate.secondsPerEpoch());
        Integer batch = run.params().containsKey("batch_size") ? integer(run.param("batch_size", null)) : null;
        return new Forecast(name, new Forecast.BasedOn(source.name(), run.runId(), run.runName(), run.status(), run.param("model", name),
                gpuType, gpuCount, batch, others), duration.completedEpochs(), n, round1(rate.secondsPerEpoch()), rate.method(), seconds,
                start, start.plusSeconds(seconds), prices.currency().getCurrencyCode(), cost.amount(),
                new Forecast.ConfidenceInterval(lowCost.amount(), highCost.amount(), low, high), atPeak.amount(), perEpochAtPeak.amount(),
                parts, spot, impact, found.asOf() == null ? clock.instant() : found.asOf(), found.stale(), notes);
    }

    /**
     * The runs a run with one epoch learns its model's warm-up from: those found when they hold
     * other runs of its model, else the model's runs from the source (docs/money.md, "Forecasts after one epoch").
     */
    private List<HistoricRun> modelRuns(List<HistoricRun> found, HistoricRun run) {
        String model = run.param("model", null);
        if (run.epochMetric().isEmpty() || model == null
                || EpochTimeline.of(run.start(), run.epochMetric(), List.of(), null).completedEpochs() != 1
                || found.stream().anyMatch(r -> r != run && model.equals(r.param("model", null)))) {
            return found;
        }
        try {
            return source.find(model).runs();
        } catch (ToolException e) {
            return found; // a model name the source cannot search for: no warm-up to learn
        }
    }

    /** "Current pace: $1.30/epoch. Continuing 5 more epochs: $6.50", and what it does to the team's budget. */
    private Forecast.BudgetImpact budgetImpact(String team, int epochs, Money cost, Money perEpochAtPeak, double secondsPerEpoch) {
        String pace = "Current pace: " + perEpochAtPeak.display() + "/epoch at peak (about " + Math.round(secondsPerEpoch)
                + " s/epoch). Continuing " + epochs + " more epoch" + (epochs == 1 ? "" : "s") + ": " + cost.display() + ".";
        Optional<BudgetStatus> status = team == null ? Optional.empty() : budgets.apply(team);
        if (status.isEmpty()) {
            return new Forecast.BudgetImpact(pace + (team == null ? " The run names no team, so no budget applies."
                    : " Team " + team + " has no budget."), team, null, null, null, null, null);
        }
        BudgetStatus b = status.get();
        Money limit = new Money(b.limit(), prices.currency());
        Money after = new Money(b.spent().add(b.committed()), prices.currency()).plus(cost);
        BigDecimal percent = after.amount().multiply(BigDecimal.valueOf(100)).divide(b.limit(), 2, java.math.RoundingMode.HALF_EVEN);
        BudgetState state = BudgetState.of(after, limit);
        String effect = " Team " + team + "'s " + b.period().name().toLowerCase(java.util.Locale.ROOT) + " budget: "
                + new Money(b.spent().add(b.committed()), prices.currency()).display() + " of " + limit.display() + " used; after this "
                + after.display() + " (" + percent + "%, " + state + ")"
                + (state == BudgetState.BLOCKED ? ": the queue would not admit it." : ".");
        return new Forecast.BudgetImpact(pace + effect, team, b.limit(), b.remaining(), limit.minus(after).amount(), percent, state);
    }

    private static Integer integer(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }

    public static Tool<ForecastRequest, Forecast> tool(java.util.function.Supplier<ForecastService> service) {
        return new Tool<>("forecast_training_cost", "Forecast training cost",
                "Forecast the time and cost of more epochs of a training job: give a running job or run (name or id) or a model "
                        + "name with past runs (e.g. 'llm') and the number of remaining epochs. It measures the steady-state time per "
                        + "epoch from the run's metric history (warm-up left out), prices the remaining time against the tariff calendar "
                        + "ahead (peak, off-peak 22:00-06:00), and returns the estimate with a confidence interval, the cost at peak, a "
                        + "per-rate breakdown and the spot alternative. Call it before queueing a job with a budget.",
                ForecastRequest.class, Forecast.class, ToolHints.READ_ONLY, (r, call) -> service.get().forecast(r, call.principal()),
                f -> f.remainingEpochs() + " more epochs of " + f.jobName() + " (" + f.basedOn().gpuCount() + "x " + f.basedOn().gpuType()
                        + ", ~" + Math.round(f.secondsPerEpoch()) + " s/epoch): " + display(f.estimatedCost(), f.currency())
                        + " (" + display(f.confidenceInterval().low(), f.currency()) + "-" + display(f.confidenceInterval().high(), f.currency())
                        + "), about " + Math.round(f.estimatedDurationSeconds() / 60.0) + " min; at peak "
                        + display(f.estimatedCostAtPeak(), f.currency()) + " (" + display(f.costPerEpochAtPeak(), f.currency()) + "/epoch)."
                        + (f.budgetImpact().stateAfter() == null ? "" : " Budget of " + f.budgetImpact().team() + " after it: "
                        + f.budgetImpact().percentUsedAfter() + "% (" + f.budgetImpact().stateAfter() + ").")
                        + (f.stale() ? " (history from cache, " + f.asOf() + ")" : ""), java.util.Set.of());
    }

    private static String display(BigDecimal amount, String currency) {
        return new Money(amount, java.util.Currency.getInstance(currency)).display();
    }
}
