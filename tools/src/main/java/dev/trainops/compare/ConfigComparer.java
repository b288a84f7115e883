package dev.trainops.compare;

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
import dev.trainops.cost.TariffCalendar;
import dev.trainops.cost.JobFootprint;
import dev.trainops.forecast.EpochRate;
import dev.trainops.forecast.DurationModel;
import dev.trainops.forecast.HistoricRun;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.gpu.GpuSpeeds;
import dev.trainops.names.SafeName;
import dev.trainops.queue.JobFootprints;
import dev.trainops.queue.QuotaConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * compare_training_configs: each configuration's duration and cost on demand, off-peak and on
 * spot, estimated from the model's own run history (the closest past run, scaled where the GPU
 * type or count differs), with the Pareto-optimal ones marked and one recommended.
 */
public final class ConfigComparer {
    static final Duration CHECKPOINT_EVERY = Duration.ofMinutes(30);
    static final Duration RESTART_OVERHEAD = Duration.ofMinutes(5);

    private final RunHistorySource source;
    private final PriceBook prices;
    private final JobFootprints footprints;
    private final Clock clock;

    /** @param footprints what a job holds while it runs (GPU share, CPU, memory), priced as the ledger bills it */
    public ConfigComparer(RunHistorySource source, PriceBook prices, JobFootprints footprints, Clock clock) {
        this.source = source;
        this.prices = prices;
        this.footprints = footprints;
        this.clock = clock;
    }

    /** Whole GPUs with config/quotas.yaml's default CPU and memory per GPU. */
    public ConfigComparer(RunHistorySource source, PriceBook prices, Clock clock) {
        this(source, prices, JobFootprints.wholeGpus(QuotaConfig.defaults()), clock);
    }

    /** Estimating only from runs {@code principal} sees (rule 6): a model with none is NOT_FOUND, as an unknown one. */
    public ConfigComparer visibleTo(dev.trainops.access.Principal principal) {
        return principal.isAdmin() ? this : new ConfigComparer(RunHistorySource.visibleTo(source, principal), prices, footprints, clock);
    }

    public java.util.Currency currency() { return prices.currency(); }

    public Comparison compare(CompareRequest request) {
        return compare(request, null);
    }

    /** {@code migProfile}: every configuration on slices of that MIG profile, each its share of a GPU (the queue's estimates). */
    public Comparison compare(CompareRequest request, String migProfile) {
        Instant now = clock.instant();
        PriceList current = prices.current(now);
        List<Comparison.Option> options = new ArrayList<>();
        Instant asOf = null;
        boolean stale = false;
        for (int i = 0; i < request.configs().size(); i++) {
            CompareRequest.Config c = request.configs().get(i);
            String at = "configs[" + i + "]";
            String model = SafeName.parse(at + ".model", c.model(), "Use the model as its runs log it in params.model, e.g. llm.").value();
            String gpuType = c.gpuType() == null ? null : canonicalType(c.gpuType(), current, at);
            Instant scheduled = schedule(c.schedule(), now, current.calendar(), at);
            RunHistorySource.Found found = source.find(model);
            if (found.asOf() != null && (asOf == null || found.asOf().isBefore(asOf))) {
                asOf = found.asOf();
            }
            stale |= found.stale();
            options.add(estimate(i, c, model, gpuType, migProfile, scheduled, found.runs(), now, current));
        }
        List<Comparison.Option> marked = markPareto(options);
        List<Comparison.Option> estimated = marked.stream().filter(Comparison.Option::estimated).toList();
        if (estimated.isEmpty()) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No configuration could be estimated: " + marked.get(0).error(),
                    "Compare models that have past runs in " + source.name() + " (their params.model), e.g. llm or mnist.", false,
                    Map.of("argument", "configs[0].model"));
        }
        List<String> notes = new ArrayList<>();
        Recommendation pick = recommend(estimated);
        for (Comparison.Option o : estimated) {
            CheaperModes.of(o, prices.currency()).ifPresent(notes::add);
        }
        if (stale) {
            notes.add(source.name() + " did not answer; estimates use run history cached at " + asOf + ".");
        }
        return new Comparison(prices.currency().getCurrencyCode(), marked, pick.index(), pick.reason(),
                asOf == null ? now : asOf, stale, notes);
    }

    private Comparison.Option estimate(int index, CompareRequest.Config c, String model, String gpuType, String migProfile, Instant scheduled,
                                       List<HistoricRun> runs, Instant now, PriceList current) {
        String label = c.label() == null || c.label().isBlank() ? "config " + (index + 1) : c.label().trim();
        List<HistoricRun> usable = runs.stream().filter(HistoricRun::measurable)
                .sorted(Comparator.comparing(HistoricRun::start).reversed()).toList();
        if (usable.isEmpty()) {
            return failed(index, label, c, runs.isEmpty() ? "No past runs of model '" + model + "' in " + source.name() + "."
                    : "Runs of '" + model + "' have no completed epoch to measure.");
        }
        HistoricRun ref = usable.stream().max(Comparator.comparingInt((HistoricRun r) -> match(r, c, gpuType))
                .thenComparing(HistoricRun::start)).orElseThrow();
        String refType = ref.param("gpu_type", null);
        int refCount = integer(ref.param("gpu_count", "1"), 1);
        Integer refBatch = ref.params().containsKey("batch_size") ? integer(ref.param("batch_size", null), 0) : null;
        String type = gpuType != null ? gpuType : refType;
        int count = c.gpuCount() != null ? c.gpuCount() : refCount;
        Integer batch = c.batchSize() != null ? c.batchSize() : refBatch;
        if (type == null || !current.gpuHour().containsKey(type)) {
            return failed(index, label, c, "The reference run " + ref.runName() + " logged no priced gpu_type (" + refType + "); give gpu_type.");
        }
        DurationModel measured = DurationModel.of(ref, runs);
        EpochRate rate = measured.rate();
        double perEpoch = rate.secondsPerEpoch();
        double warmup = measured.warmupSeconds();
        List<String> assumptions = new ArrayList<>();
        String confidence = "HIGH";
        if (!type.equals(refType)) {
            Integer from = GpuSpeeds.tflops(refType);
            Integer to = GpuSpeeds.tflops(type);
            if (from == null || to == null) {
                return failed(index, label, c, "No speed figure for " + (from == null ? refType : type) + " to scale " + ref.runName() + " by.");
            }
            perEpoch *= (double) from / to;
            warmup *= (double) from / to;
            confidence = "LOW";
            assumptions.add("No run of " + model + " on " + type + ": scaled from " + ref.runName() + " on " + refType
                    + " by peak tensor TFLOPS (" + from + " vs " + to + "); memory- or input-bound runs change less than that.");
        }
        JobFootprint job = footprints.of(model, type, migProfile, count);
        // the GPUs the reference run held and the job will hold, as shares of physical GPUs (a shared
        // replica or a MIG slice is a fraction, and runs that much slower)
        double refGpus = share(ref, refCount);
        double gpus = job.gpus().doubleValue();
        if (Math.abs(gpus - refGpus) > 1e-9) {
            double speedUp = GpuSpeeds.parallelSpeed(refGpus) / GpuSpeeds.parallelSpeed(gpus);
            perEpoch *= speedUp;
            warmup *= speedUp;
            confidence = confidence.equals("LOW") ? "LOW" : "MEDIUM";
            assumptions.add("Scaled from " + gpusText(refGpus) + " to " + gpusText(gpus) + " GPU(s) assuming data parallelism keeps "
                    + Math.round(GpuSpeeds.SCALING_EFFICIENCY_PER_DOUBLING * 100) + "% of the ideal speed-up per doubling, and a share "
                    + "of a GPU its share of the speed.");
        }
        if (batch != null && refBatch != null && !batch.equals(refBatch)) {
            confidence = "LOW";
            assumptions.add("No run of " + model + " at batch size " + batch + ": time per epoch taken as at batch size " + refBatch
                    + " (" + ref.runName() + "); a larger batch is often faster per epoch on an under-used GPU.");
        }
        if (rate.method() == EpochRate.Method.JOB_AVERAGE) {
            assumptions.add("From trainops's own finished job " + ref.runId() + ": its run time over its " + rate.basedOnEpochs()
                    + " epochs, start-up and warm-up included.");
        } else if (rate.method() != EpochRate.Method.STEADY_STATE_MEDIAN) {
            assumptions.add("The reference run has one completed epoch; its rate is " + rate.method()
                    + measured.warmup().map(w -> ", warm-up ratio " + w.describe()).orElse("") + ".");
        }
        long duration = Math.round(warmup + perEpoch * c.epochs());
        BigDecimal hourly = prices.peakHourly(job, now);
        Comparison.Priced onDemand = priced(now, duration, job);
        Instant offPeakStart = current.calendar().nextOffPeak(now);
        Comparison.Priced offPeak = priced(offPeakStart, duration, job);
        SpotModel.Estimate s = SpotModel.estimate(Duration.ofSeconds(duration), hourly, current, CHECKPOINT_EVERY, RESTART_OVERHEAD);
        Comparison.SpotPriced spot = s.feasible() ? new Comparison.SpotPriced(s.expectedCost().amount(), s.wastedCost().amount(),
                now.plus(s.expectedWall()), s.expectedWall().toSeconds(), s.expectedInterruptions()) : null;
        if (spot == null) {
            assumptions.add("Spot: " + s.reason());
        }

        Comparison.Mode mode;
        BigDecimal selectedCost;
        Instant finish;
        String schedule = c.schedule() == null ? "now" : c.schedule().trim().toLowerCase(Locale.ROOT);
        if (Boolean.TRUE.equals(c.spot())) {
            if (spot == null) {
                return failed(index, label, c, "Spot is not viable: " + s.reason());
            }
            mode = Comparison.Mode.SPOT;
            Duration wait = Duration.between(now, scheduled);
            selectedCost = spot.expectedCost();
            finish = spot.finish().plus(wait);
        } else if (schedule.equals("off_peak")) {
            mode = Comparison.Mode.OFF_PEAK;
            selectedCost = offPeak.cost();
            finish = offPeak.finish();
        } else if (scheduled.equals(now)) {
            mode = Comparison.Mode.ON_DEMAND;
            selectedCost = onDemand.cost();
            finish = onDemand.finish();
        } else {
            Comparison.Priced at = priced(scheduled, duration, job);
            mode = current.calendar().classAt(scheduled) == RateClass.OFF_PEAK ? Comparison.Mode.OFF_PEAK : Comparison.Mode.ON_DEMAND;
            selectedCost = at.cost();
            finish = at.finish();
        }
        AccuracyGain gain = AccuracyGain.of(ref.accuracyMetric(), ref.param("baseline_accuracy", null), c.epochs());
        if (gain != null && gain.atEpoch() < c.epochs()) {
            assumptions.add("Accuracy as at epoch " + gain.atEpoch() + ", the last " + ref.runName() + " logged.");
        }
        BigDecimal perPoint = gain == null ? null : AccuracyGain.costPerPoint(new Money(selectedCost, prices.currency()), gain);
        Comparison.Reference reference = new Comparison.Reference(source.name(), ref.runId(), ref.runName(), refType, refCount, refBatch,
                measured.completedEpochs(), round1(rate.secondsPerEpoch()));
        return new Comparison.Option(index, label, c.model().trim(), c.epochs(), batch, type, count, true, null, reference,
                round1(perEpoch), duration, onDemand, offPeak, spot, mode, selectedCost, finish, gain, perPoint, false, confidence,
                assumptions);
    }

    /** How well a past run matches a configuration: the GPU type matters most, then batch size, then GPU count. */
    private static int match(HistoricRun r, CompareRequest.Config c, String gpuType) {
        int score = 0;
        if (gpuType != null && gpuType.equals(r.param("gpu_type", null))) {
            score += 4;
        }
        if (c.batchSize() != null && c.batchSize().toString().equals(r.param("batch_size", null))) {
            score += 2;
        }
        if (c.gpuCount() != null && c.gpuCount().toString().equals(r.param("gpu_count", "1"))) {
            score += 1;
        }
        return score;
    }

    /**
     * The physical GPUs a run held: its logged {@code gpu_share} (the sandbox logs it; a shared
     * replica or MIG slice is a fraction), else its GPU count as whole GPUs.
     */
    private static double share(HistoricRun run, int count) {
        try {
            String logged = run.param("gpu_share", null);
            return logged == null ? count : Double.parseDouble(logged.trim());
        } catch (NumberFormatException e) {
            return count;
        }
    }

    private Comparison.Priced priced(Instant start, long seconds, JobFootprint job) {
        List<PricedSlice> slices = prices.price(job, start, seconds, false);
        long offPeak = slices.stream().filter(s -> s.rateClass() == RateClass.OFF_PEAK).mapToLong(PricedSlice::seconds).sum();
        return new Comparison.Priced(PricedSlice.total(slices, prices.currency()).amount(), start, start.plusSeconds(seconds), seconds, offPeak);
    }

    private static Instant schedule(String schedule, Instant now, TariffCalendar calendar, String at) {
        String s = schedule == null ? "now" : schedule.trim().toLowerCase(Locale.ROOT);
        if (s.equals("now") || s.isEmpty()) {
            return now;
        }
        if (s.equals("off_peak")) {
            return calendar.nextOffPeak(now);
        }
        try {
            Instant t = Instant.parse(schedule.trim());
            if (t.isBefore(now.minus(Duration.ofMinutes(1)))) {
                throw ToolException.invalidArgument(at + ".schedule", "Argument '" + at + ".schedule' (" + t + ") is in the past.",
                        "Use 'now', 'off_peak', or a future instant such as " + now.plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS) + ".");
            }
            return t.isBefore(now) ? now : t;
        } catch (DateTimeParseException e) {
            throw ToolException.invalidArgument(at + ".schedule", "Argument '" + at + ".schedule' must be 'now', 'off_peak' or an "
                    + "ISO-8601 instant (got " + dev.trainops.catalog.Json.shorten(schedule) + ").", "For example schedule=off_peak or "
                    + "schedule=2026-12-01T22:00:00Z.");
        }
    }

    private static String canonicalType(String given, PriceList current, String at) {
        String t = given.trim();
        java.util.Optional<String> known = current.gpuType(t);
        if (known.isPresent()) {
            return known.get();
        }
        throw ToolException.invalidArgument(at + ".gpu_type", "Argument '" + at + ".gpu_type' is " + dev.trainops.catalog.Json.shorten(t)
                + ", which has no price.", "Use one of: " + String.join(", ", current.gpuHour().keySet()) + ".");
    }

    private Comparison.Option failed(int index, String label, CompareRequest.Config c, String error) {
        return new Comparison.Option(index, label, c.model(), c.epochs(), c.batchSize(), c.gpuType(), c.gpuCount(), false, error, null,
                0, 0, null, null, null, null, null, null, null, null, false, "NONE", List.of());
    }

    /** Marks every estimated option that no other beats on cost, finish and (where both know it) accuracy. */
    static List<Comparison.Option> markPareto(List<Comparison.Option> options) {
        List<Comparison.Option> out = new ArrayList<>();
        for (Comparison.Option o : options) {
            boolean optimal = o.estimated() && options.stream().filter(p -> p != o && p.estimated()).noneMatch(p -> dominates(p, o));
            out.add(new Comparison.Option(o.index(), o.label(), o.model(), o.epochs(), o.batchSize(), o.gpuType(), o.gpuCount(),
                    o.estimated(), o.error(), o.reference(), o.secondsPerEpoch(), o.durationSeconds(), o.onDemand(), o.offPeak(), o.spot(),
                    o.selected(), o.selectedCost(), o.selectedFinish(), o.accuracy(), o.costPerAccuracyPoint(), optimal, o.confidence(),
                    o.assumptions()));
        }
        return out;
    }

    /** p is at least as good as o in every known dimension and better in one. */
    static boolean dominates(Comparison.Option p, Comparison.Option o) {
        int cost = p.selectedCost().compareTo(o.selectedCost());
        int finish = p.selectedFinish().compareTo(o.selectedFinish());
        int accuracy = p.accuracy() != null && o.accuracy() != null ? o.accuracy().reachedPercent().compareTo(p.accuracy().reachedPercent()) : 0;
        return cost <= 0 && finish <= 0 && accuracy <= 0 && (cost < 0 || finish < 0 || accuracy < 0);
    }

    record Recommendation(Integer index, String reason) {
    }

    /**
     * Among the Pareto-optimal options: the lowest cost per accuracy point when every one of them
     * knows it, else the cheapest (the earliest finish breaks ties).
     */
    private Recommendation recommend(List<Comparison.Option> estimated) {
        List<Comparison.Option> pareto = estimated.stream().filter(Comparison.Option::paretoOptimal).toList();
        boolean accuracyKnown = pareto.stream().allMatch(o -> o.costPerAccuracyPoint() != null);
        Comparison.Option pick;
        String why;
        if (accuracyKnown && pareto.size() > 1) {
            pick = pareto.stream().min(Comparator.comparing(Comparison.Option::costPerAccuracyPoint)).orElseThrow();
            why = "the lowest cost per accuracy point (" + money(pick.costPerAccuracyPoint()) + " per point, "
                    + pick.accuracy().reachedPercent().setScale(1, RoundingMode.HALF_EVEN) + "% " + pick.accuracy().metric() + ")";
        } else {
            pick = pareto.stream().min(Comparator.comparing(Comparison.Option::selectedCost).thenComparing(Comparison.Option::selectedFinish))
                    .orElseThrow();
            why = "the cheapest of the Pareto-optimal options";
        }
        Comparison.Option fastest = estimated.stream().min(Comparator.comparing(Comparison.Option::selectedFinish)).orElseThrow();
        String reason = pick.label() + ": " + money(pick.selectedCost()) + " " + pick.selected().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + ", done by " + pick.selectedFinish() + "; " + why + ".";
        if (fastest != pick && fastest.selectedFinish().isBefore(pick.selectedFinish())) {
            long minutes = Duration.between(fastest.selectedFinish(), pick.selectedFinish()).toMinutes();
            reason += " " + fastest.label() + " finishes " + minutes + " min earlier for " + money(fastest.selectedCost().subtract(pick.selectedCost()))
                    + " more.";
        }
        if (pareto.size() == 1 && estimated.size() > 1) {
            reason += " It beats every other option on cost and time.";
        }
        return new Recommendation(pick.index(), reason);
    }

    private String money(BigDecimal amount) {
        return new Money(amount, prices.currency()).display();
    }

    private static int integer(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String gpusText(double gpus) {
        return BigDecimal.valueOf(gpus).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static double round1(double d) { return Math.round(d * 10) / 10.0; }

    public static Tool<CompareRequest, Comparison> tool(Supplier<ConfigComparer> comparer) {
        return new Tool<>("compare_training_configs", "Compare training configurations",
                "Compare training configurations before choosing one: for each (model, epochs, and optionally batch_size, gpu_type, "
                        + "gpu_count, spot, schedule) the duration and the cost on demand now, off-peak (22:00-06:00 at half price) and "
                        + "on spot (expected, interruptions included), estimated from the model's own past runs, with the accuracy the "
                        + "reference run reached and the cost per accuracy point when it logged accuracy. Marks the Pareto-optimal "
                        + "configurations (cost, finish time, accuracy) and recommends one with its reason.",
                CompareRequest.class, Comparison.class, ToolHints.READ_ONLY,
                (r, call) -> comparer.get().visibleTo(call.principal()).compare(r), ConfigComparer::summary, java.util.Set.of());
    }

    static String summary(Comparison c) {
        StringBuilder sb = new StringBuilder();
        for (Comparison.Option o : c.options()) {
            sb.append(o.label()).append(": ");
            if (!o.estimated()) {
                sb.append("not estimated (").append(o.error()).append(")\n");
                continue;
            }
            Money selected = new Money(o.selectedCost(), java.util.Currency.getInstance(c.currency()));
            sb.append(selected.display()).append(' ').append(o.selected().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .append(", ~").append(Math.round(o.durationSeconds() / 60.0)).append(" min")
                    .append(o.paretoOptimal() ? ", Pareto-optimal" : "").append('\n');
        }
        return sb.append("Recommended: ").append(c.recommendation()).toString();
    }
}
