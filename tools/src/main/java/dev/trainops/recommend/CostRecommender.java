package dev.trainops.recommend;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.queue.JobFootprints;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.cost.PriceList;
import dev.trainops.names.JobId;
import dev.trainops.names.SafeName;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * recommend_cost_optimization: runs every strategy on one run's evidence, prices each change with
 * the cost engine against the run as it ran (or as planned), and keeps those that save at least
 * 1%, largest saving first. A run none of them can improve gets an empty list and a sentence
 * saying why it is already efficient. The recommend package's one entry point (docs/architecture.md,
 * "Modules"); public besides it: the tool's request and answer ({@link RecommendRequest},
 * {@link Recommendations}, {@link RecommendationType}) and the seams others implement
 * ({@link RunEvidenceSource} and its {@link RunEvidence}, {@link JobContext}, {@link JobGpuUsage}).
 */
public final class CostRecommender {
    /** Savings below this share of the run are noise, not advice. */
    static final BigDecimal MIN_PERCENT = BigDecimal.ONE;
    static final int DEFAULT_PATIENCE = 3;
    static final int MAX_SIBLINGS = 20;

    private final RunEvidenceSource source;
    private final PriceBook prices;
    private final JobContext.Lookup jobs;
    private final Clock clock;
    private final JobGpuUsage outside;
    private final JobFootprints footprints;
    private final List<Strategy> strategies = List.of(new EarlyStopping(), new BatchSize(), new LearningRate(), new LowGpuUtilization(),
            new RightSizeGpu(), new OffPeak(), new Spot(), new MixedPrecision(), new DataLoading());

    public CostRecommender(RunEvidenceSource source, PriceBook prices, JobContext.Lookup jobs, Clock clock) {
        this(source, prices, jobs, clock, JobGpuUsage.NONE);
    }

    /** With {@code outside}, a run that logged no GPU system metrics is judged on its job's DCGM series. */
    public CostRecommender(RunEvidenceSource source, PriceBook prices, JobContext.Lookup jobs, Clock clock, JobGpuUsage outside) {
        this(source, prices, JobFootprints.wholeGpus(QuotaConfig.defaults()), jobs, clock, outside);
    }

    /** @param footprints what a run holds while it runs (GPU share, CPU, memory), priced as the ledger bills it */
    public CostRecommender(RunEvidenceSource source, PriceBook prices, JobFootprints footprints, JobContext.Lookup jobs, Clock clock,
                           JobGpuUsage outside) {
        this.footprints = footprints;
        this.outside = outside;
        this.source = source;
        this.prices = prices;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** Run evidence (metrics, params, siblings) from MLflow, every read through the reader's cache. */
    public static RunEvidenceSource mlflowEvidence(dev.trainops.mlflow.MlflowReader reader) {
        return mlflowEvidence(reader, ExperimentTeams.NONE);
    }

    /** Run evidence from MLflow, each run owned as {@code owners} and its tags say (rule 6). */
    public static RunEvidenceSource mlflowEvidence(dev.trainops.mlflow.MlflowReader reader, ExperimentTeams owners) {
        return new MlflowRunEvidence(reader, owners);
    }

    public Recommendations recommend(RecommendRequest request) {
        return recommend(request, Principal.LOCAL);
    }

    /**
     * Advice on a run {@code principal} may see (rules 1 and 6): another team's job or run, or a
     * run of no team for a non-admin, is the same NOT_FOUND as one that does not exist; siblings
     * are only runs it sees.
     */
    public Recommendations recommend(RecommendRequest request, Principal principal) {
        String id = SafeName.parse("run_id", request.runId(),
                "Pass the run's id (32 hex digits) or its name as MLflow shows it, e.g. run_id=mnist-bs32.").value();
        if (request.minDelta() != null && !Double.isFinite(request.minDelta())) {
            throw ToolException.invalidArgument("min_delta", "Argument 'min_delta' must be a finite number.", "Use e.g. min_delta=0.001.");
        }
        Optional<JobContext> job = Optional.empty();
        String lookFor = id;
        if (JobId.isValid(id)) {
            job = jobs.byJobId(id).filter(j -> principal.sees(j.team()));
            if (job.isEmpty()) {
                throw new ToolException(ErrorCode.NOT_FOUND, "No trainops job " + id + ".",
                        "Check the id with get_job_queue_status, or pass the MLflow run id or run name.", false, Map.of("argument", "run_id"));
            }
            lookFor = job.get().runName();
        }
        RunEvidenceSource.Lookup found = visible(source.lookup(lookFor, MAX_SIBLINGS), principal);
        if (found.run() == null) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No run '" + id + "' in " + source.name() + (job.isPresent()
                    ? " (job " + id + " has not logged its run " + lookFor + " yet)" : "") + ".",
                    "Pass an MLflow run id or run name (runs/search, or the MLflow UI), or a trainops job id that has started.", false,
                    Map.of("argument", "run_id"));
        }
        RunEvidence run = found.run();
        if (job.isEmpty()) {
            job = jobs.byRunName(run.runName()).filter(j -> principal.sees(j.team()));
        }
        Instant now = clock.instant();
        PriceList current = prices.current(now);
        RunFacts.Settings settings = new RunFacts.Settings(request.patience() == null ? DEFAULT_PATIENCE : request.patience(),
                request.minDelta() == null ? 0 : request.minDelta());
        RunFacts facts = RunFacts.of(run, found.siblings(), job.orElse(null), settings, now,
                type -> prices.at(run.start() == null ? now : run.start()).gpuType(type).orElse(null), outside);
        Instant asOf = found.asOf() == null ? now : found.asOf();
        List<String> notes = new ArrayList<>();
        if (found.stale()) {
            notes.add(source.name() + " did not answer; this rests on run history cached at " + asOf + ".");
        }
        String currency = prices.currency().getCurrencyCode();
        if (facts.gpuType == null || facts.start == null) {
            String why = facts.start == null ? "Run " + run.runName() + " has no start time, so its GPU time cannot be priced."
                    : "Run " + run.runName() + " logged no GPU type trainops prices (params.gpu_type = "
                    + run.param("gpu_type", "gpu") + "), so no saving can be priced. Log gpu_type as one of: "
                    + String.join(", ", current.gpuHour().keySet()) + ".";
            List<Recommendations.Check> checked = strategies.stream().map(s -> new Recommendations.Check(s.type(), false, why)).toList();
            return new Recommendations(summary(facts, found), currency, BigDecimal.ZERO.setScale(Money.SCALE), 0, List.of(), false, why,
                    checked, asOf, found.stale(), notes);
        }
        Costing costing = new Costing(prices, footprints.of(facts.model == null ? run.runName() : facts.model, facts.gpuType, facts.gpuCount));
        Money baseline = costing.cost(facts.start, facts.durationSeconds);
        List<Recommendations.Recommendation> out = new ArrayList<>();
        List<Recommendations.Check> checked = new ArrayList<>();
        for (Strategy s : strategies) {
            Strategy.Verdict verdict = baseline.isZero() ? new Strategy.Silent("The run has cost nothing yet.") : s.evaluate(facts, costing);
            if (verdict instanceof Strategy.Fired f) {
                Money saving = baseline.minus(f.costAfter());
                BigDecimal percent = saving.amount().multiply(BigDecimal.valueOf(100)).divide(baseline.amount(), 1, RoundingMode.HALF_EVEN);
                // exact, not the rounded percent: 0.99% must not pass as 1.0%
                boolean enough = saving.amount().multiply(BigDecimal.valueOf(100)).compareTo(baseline.amount().multiply(MIN_PERCENT)) >= 0;
                if (saving.amount().signum() <= 0 || !enough) {
                    checked.add(new Recommendations.Check(s.type(), false, f.trigger() + ", but the saving (" + saving.toWire() + " " + currency
                            + ", " + percent.toPlainString() + "%) is below " + MIN_PERCENT + "%."));
                    continue;
                }
                out.add(new Recommendations.Recommendation(s.type(), f.title(), f.trigger(), f.rationale(), f.evidence(),
                        new Recommendations.EstimatedSavings(saving.amount(), percent, currency, f.costAfter().amount(), f.durationSecondsAfter(),
                                f.basis()), f.confidence(), f.action()));
                checked.add(new Recommendations.Check(s.type(), true, f.trigger()));
            } else {
                checked.add(new Recommendations.Check(s.type(), false, ((Strategy.Silent) verdict).why()));
            }
        }
        out.sort(Comparator.comparing((Recommendations.Recommendation r) -> r.estimatedSavings().amount()).reversed());
        if (!facts.running()) {
            notes.add("Savings are for the next run like this one; the baseline is this run as it ran (GPUs, CPU and memory, as billed).");
        } else {
            notes.add("The run is still going: the baseline is the run as planned (" + facts.plannedEpochs + " epochs at its measured pace).");
        }
        if (out.size() > 1) {
            notes.add("The recommendations are alternatives to the same baseline: their savings overlap and do not add up.");
        }
        return new Recommendations(summary(facts, found), currency, baseline.amount(), facts.durationSeconds, out, out.isEmpty(),
                verdict(facts, out, checked, baseline), checked, asOf, found.stale(), notes);
    }

    private Recommendations.RunSummary summary(RunFacts f, RunEvidenceSource.Lookup found) {
        return new Recommendations.RunSummary(source.name(), f.run.runId(), f.run.runName(), f.run.status(), f.model, f.run.experimentId(),
                f.gpuType, f.gpuCount, f.batchSize, f.completedEpochs(), f.plannedEpochs, f.job == null ? null : f.job.jobId(),
                found.siblings().stream().map(RunEvidence::runName).toList());
    }

    private static String verdict(RunFacts f, List<Recommendations.Recommendation> out, List<Recommendations.Check> checked, Money baseline) {
        if (!out.isEmpty()) {
            Recommendations.Recommendation top = out.get(0);
            return top.title() + ": saves " + new Money(top.estimatedSavings().amount(), baseline.currency()).display() + " ("
                    + top.estimatedSavings().percent().toPlainString() + "%) of " + baseline.display() + (out.size() > 1 ? "; "
                    + (out.size() - 1) + " more below." : ".");
        }
        List<String> reasons = new ArrayList<>();
        if (f.utilization != null) {
            reasons.add("the GPU was busy " + RunFacts.percent(f.utilization.mean()) + " of the time");
        }
        checked.stream().filter(c -> c.type() == RecommendationType.EARLY_STOPPING).findFirst()
                .ifPresent(c -> reasons.add("early stopping: " + lowerFirst(c.why())));
        checked.stream().filter(c -> c.type() == RecommendationType.OFF_PEAK).findFirst()
                .ifPresent(c -> reasons.add("off-peak: " + lowerFirst(c.why())));
        return f.run.runName() + " is already efficient: no strategy found a saving of " + MIN_PERCENT + "% or more of its "
                + baseline.display() + (reasons.isEmpty() ? "." : " (" + String.join("; ", reasons) + ")");
    }

    private static String lowerFirst(String s) {
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        return t.isEmpty() ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }

    /** What of {@code found} {@code principal} may see: the run when it sees its team, and its visible siblings. */
    private static RunEvidenceSource.Lookup visible(RunEvidenceSource.Lookup found, Principal principal) {
        if (principal.isAdmin() || found.run() == null) {
            return found;
        }
        if (!principal.sees(found.run().team())) {
            return new RunEvidenceSource.Lookup(null, List.of(), found.asOf(), found.stale());
        }
        return new RunEvidenceSource.Lookup(found.run(), found.siblings().stream().filter(r -> principal.sees(r.team())).toList(),
                found.asOf(), found.stale());
    }

    public static Tool<RecommendRequest, Recommendations> tool(Supplier<CostRecommender> recommender) {
        return new Tool<>("recommend_cost_optimization", "Recommend how to train a run cheaper",
                "Find real savings for a training run ('train this cheaper'): give an MLflow run id or run name (or a trainops job id). "
                        + "Checks early stopping, batch size, learning rate, low GPU utilisation, right-sizing the GPU, off-peak hours, "
                        + "spot capacity, mixed precision and data loading against the run's own metrics, params, GPU system metrics and "
                        + "sibling runs of the same model. Each recommendation carries its trigger, evidence with the numbers, the saving "
                        + "in money (priced by the same engine as the bill; against this run as it ran, or as planned while running), a "
                        + "confidence, and an action (e.g. the queue_training_job arguments to use). Largest saving first; an efficient "
                        + "run gets an empty list and the reason.",
                RecommendRequest.class, Recommendations.class, ToolHints.READ_ONLY,
                (r, call) -> recommender.get().recommend(r, call.principal()), CostRecommender::summarize, java.util.Set.of());
    }

    static String summarize(Recommendations r) {
        StringBuilder sb = new StringBuilder();
        Money baseline = new Money(r.baselineCost(), java.util.Currency.getInstance(r.currency()));
        sb.append(r.run().runName()).append(" (").append(r.run().gpuType() == null ? "GPU unknown" : r.run().gpuCount() + "x " + r.run().gpuType())
                .append(", ").append(r.run().status().toLowerCase(java.util.Locale.ROOT)).append(", ").append(baseline.display()).append("): ");
        if (r.recommendations().isEmpty()) {
            return sb.append(r.verdict()).toString();
        }
        sb.append(r.recommendations().size()).append(" way(s) to save, largest first:\n");
        int i = 1;
        for (Recommendations.Recommendation rec : r.recommendations()) {
            if (i > 5) {
                sb.append("... and ").append(r.recommendations().size() - 5).append(" more in the structured content\n");
                break;
            }
            sb.append(i++).append(". ").append(rec.type()).append(": ").append(rec.title()).append(" (saves ")
                    .append(new Money(rec.estimatedSavings().amount(), baseline.currency()).display()).append(", ")
                    .append(rec.estimatedSavings().percent().toPlainString()).append("%, ").append(rec.confidence().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" confidence)\n");
        }
        return sb.append(r.recommendations().size() > 1 ? "Savings overlap; they do not add up." : "").toString().stripTrailing();
    }
}
