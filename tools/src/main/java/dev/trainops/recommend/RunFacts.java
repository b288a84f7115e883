package dev.trainops.recommend;

import dev.trainops.forecast.EpochRate;
import dev.trainops.forecast.EpochTimeline;
import dev.trainops.gpu.GpuSpecs;
import dev.trainops.mlflow.MlflowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the strategies reason about, derived once from a run's evidence: its configuration (from
 * the queue job when trainops ran it, else its params), its validation curve per epoch, its epoch
 * rate, GPU utilisation and memory, and the window its cost is measured over (the run as it ran;
 * for a running run, as planned).
 */
final class RunFacts {
    /** MLflow's system metrics report megabytes (10^6 bytes); GPU memory is in MiB. */
    static final double MIB_PER_MB = 1_000_000.0 / (1024 * 1024);

    /** A validation metric per epoch (epoch 1 first) and whether lower is better. */
    record Series(String key, boolean lowerIsBetter, List<Double> values, List<Instant> ends) {
        Series {
            values = List.copyOf(values);
            ends = List.copyOf(ends);
        }

        int epochs() {
            return values.size();
        }

        /** The best value of the whole series. */
        double best() {
            return values.stream().reduce(lowerIsBetter ? Math::min : Math::max).orElseThrow();
        }

        /** The first epoch (1-based) whose value is within {@code tolerance} (relative) of {@code target}, or 0. */
        int firstReaching(double target, double tolerance) {
            double slack = Math.abs(target) * tolerance;
            for (int i = 0; i < values.size(); i++) {
                double v = values.get(i);
                if (lowerIsBetter ? v <= target + slack : v >= target - slack) {
                    return i + 1;
                }
            }
            return 0;
        }
    }

    /** GPU utilisation samples in percent, pooled over the run's GPUs. */
    record Utilization(int samples, double mean, double max, double p90, double stdev, double shareBelow20, List<String> keys) {
        double busyFraction() {
            return Math.min(1.0, Math.max(0.0, mean / 100.0));
        }
    }

    record Settings(int patience, double minDelta) {
    }

    final RunEvidence run;
    final JobContext job;
    final Settings settings;
    final Instant now;
    final String model;
    final String team;
    /** The priced GPU type the run used, or null when it logged none trainops can price. */
    final String gpuType;
    final int gpuCount;
    final Integer batchSize;
    final String learningRate;
    final Integer plannedEpochs;
    final Series validation;
    final EpochTimeline timeline;
    final EpochRate rate;
    final Utilization utilization;
    final Double peakMemoryMb;
    final Long gpuMemoryMib;
    final Instant start;
    final long durationSeconds;
    final List<RunFacts> siblings;

    private RunFacts(RunEvidence run, JobContext job, Settings settings, Instant now, Function<String, String> priced,
                     List<RunFacts> siblings, JobGpuUsage outside) {
        this.run = run;
        this.job = job;
        this.settings = settings;
        this.now = now;
        this.siblings = List.copyOf(siblings);
        this.model = job != null ? job.model() : run.param("model");
        String team0 = job != null ? job.team() : run.param("team");
        this.team = team0 != null ? team0 : run.tags().get("team");
        String type = job != null ? job.gpuType() : run.param("gpu_type", "gpu");
        this.gpuType = type == null ? null : priced.apply(type);
        this.gpuCount = job != null ? job.gpuCount() : positive(run.param("gpu_count", "num_gpus", "gpus"), 1);
        this.batchSize = job != null ? Integer.valueOf(job.batchSize()) : integer(run.param("batch_size", "per_device_train_batch_size"));
        this.learningRate = run.param("learning_rate", "lr");
        this.plannedEpochs = job != null ? Integer.valueOf(job.epochs()) : integer(run.param("epochs", "num_epochs", "max_epochs", "num_train_epochs"));
        this.validation = validationSeries(run);
        List<MlflowRun.MetricPoint> epochMetric = validation != null ? run.metric(validation.key()) : run.metric("train_loss");
        if (run.start() != null && !epochMetric.isEmpty()) {
            EpochTimeline t = EpochTimeline.of(run.start(), epochMetric, run.metric("loss"), integer(run.param("steps_per_epoch")));
            this.timeline = t.completedEpochs() > 0 ? t : null;
        } else {
            this.timeline = null;
        }
        this.rate = timeline == null ? null : EpochRate.of(timeline);
        Utilization logged = utilization(run, gpuCount);
        Double loggedMemory = peakMemory(run, gpuCount);
        // a run without MLflow system metrics: the job's pods as DCGM saw them, over the run's window
        java.util.Optional<JobGpuUsage.Measured> measured = logged != null || job == null || run.start() == null ? java.util.Optional.empty()
                : outside.of(job, run.start(), run.end() != null ? run.end() : now);
        this.utilization = measured.map(m -> new Utilization(1, m.meanPercent(), m.meanPercent(), m.meanPercent(), 0,
                m.meanPercent() < 20 ? 1 : 0, List.of(m.source()))).orElse(logged);
        this.peakMemoryMb = loggedMemory != null ? loggedMemory : measured.map(JobGpuUsage.Measured::peakMemoryMib)
                .map(mib -> mib / MIB_PER_MB).orElse(null);
        this.gpuMemoryMib = GpuSpecs.memoryMib(gpuType);
        this.start = run.start();
        this.durationSeconds = duration();
    }

    static RunFacts of(RunEvidence run, List<RunEvidence> siblings, JobContext job, Settings settings, Instant now,
                       Function<String, String> priced, JobGpuUsage outside) {
        List<RunFacts> others = new ArrayList<>();
        for (RunEvidence s : siblings) {
            others.add(new RunFacts(s, null, settings, now, priced, List.of(), JobGpuUsage.NONE));
        }
        return new RunFacts(run, job, settings, now, priced, others, outside);
    }

    private long duration() {
        if (start == null) {
            return 0;
        }
        Instant lastEnd = timeline == null ? start : timeline.lastEpochEnd();
        if (!run.running()) {
            Instant end = run.end() != null && run.end().isAfter(start) ? run.end() : lastEnd;
            return seconds(start, end);
        }
        long elapsed = seconds(start, lastEnd);
        int remaining = remainingEpochs();
        return elapsed + (rate == null ? 0 : Math.round(rate.secondsPerEpoch() * remaining));
    }

    /** Whole seconds between two instants, cut as the ledger and the price book cut them. */
    static long seconds(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }

    boolean running() {
        return run.running();
    }

    int completedEpochs() {
        return timeline == null ? 0 : timeline.completedEpochs();
    }

    /** Planned epochs not yet run, for a running run; 0 when finished or unknown. */
    int remainingEpochs() {
        return running() && plannedEpochs != null ? Math.max(0, plannedEpochs - completedEpochs()) : 0;
    }

    /** When the measured part of the run ends: the last completed epoch. */
    Instant lastEpochEnd() {
        return timeline == null ? start : timeline.lastEpochEnd();
    }

    /** The end of epoch {@code n} (1-based). */
    Instant epochEnd(int n) {
        return timeline.epochEnds().get(n - 1);
    }

    /** Seconds of the first epoch beyond the steady rate: warm-up, which no strategy shortens. */
    long warmupSeconds() {
        if (timeline == null || rate == null) {
            return 0;
        }
        double first = timeline.epochDurations().get(0).toMillis() / 1000.0;
        return Math.max(0, Math.round(first - rate.secondsPerEpoch()));
    }

    String param(String... keys) {
        String v = run.param(keys);
        if (v == null && job != null) {
            for (String k : keys) {
                String p = job.params().get(k);
                if (p != null && !p.isBlank()) {
                    return p.trim();
                }
            }
        }
        return v;
    }

    /** The arguments of queue_training_job for running this again, with {@code suffix} on the run name. */
    Map<String, Object> queueArguments(String suffix) {
        Map<String, Object> args = new LinkedHashMap<>();
        if (model != null) {
            args.put("model", model);
        }
        args.put("run_name", run.runName() + "-" + suffix);
        if (team != null) {
            args.put("team", team);
        }
        Integer epochs = plannedEpochs != null ? plannedEpochs : completedEpochs() > 0 ? Integer.valueOf(completedEpochs()) : null;
        if (epochs != null) {
            args.put("epochs", epochs);
        }
        if (batchSize != null) {
            args.put("batch_size", batchSize);
        }
        if (gpuType != null) {
            args.put("gpu_type", gpuType);
        }
        args.put("gpu_count", gpuCount);
        if (job != null) {
            args.put("priority", job.priority());
        }
        return args;
    }

    /** "Then call queue_training_job with these arguments", or what is missing for it. */
    String queueHint(Map<String, Object> args) {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("model", "team", "epochs", "batch_size")) {
            if (!args.containsKey(required)) {
                missing.add(required);
            }
        }
        return missing.isEmpty() ? "queue_training_job takes these arguments as they are."
                : "queue_training_job also needs " + String.join(", ", missing) + " (the run did not log " + (missing.size() == 1 ? "it" : "them") + ").";
    }

    static Series validationSeries(RunEvidence run) {
        for (Map.Entry<String, Boolean> candidate : RunEvidence.VALIDATION) {
            List<MlflowRun.MetricPoint> points = run.metric(candidate.getKey());
            TreeMap<Long, MlflowRun.MetricPoint> byEpoch = new TreeMap<>();
            for (MlflowRun.MetricPoint p : points) {
                if (p.step() >= 1 && Double.isFinite(p.value())) {
                    byEpoch.merge(p.step(), p, (a, b) -> b.timestamp().isAfter(a.timestamp()) ? b : a);
                }
            }
            List<Double> values = new ArrayList<>();
            List<Instant> ends = new ArrayList<>();
            long expected = 1;
            for (var e : byEpoch.entrySet()) {
                if (e.getKey() != expected) {
                    break;
                }
                values.add(e.getValue().value());
                ends.add(e.getValue().timestamp());
                expected++;
            }
            if (!values.isEmpty()) {
                return new Series(candidate.getKey(), candidate.getValue(), values, ends);
            }
        }
        return null;
    }

    private static Utilization utilization(RunEvidence run, int gpuCount) {
        List<Double> samples = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < Math.min(gpuCount, RunEvidence.MAX_GPUS); i++) {
            List<MlflowRun.MetricPoint> points = run.metric(RunEvidence.utilizationKey(i));
            if (!points.isEmpty()) {
                keys.add(RunEvidence.utilizationKey(i));
            }
            points.stream().map(MlflowRun.MetricPoint::value).filter(Double::isFinite).forEach(samples::add);
        }
        if (samples.isEmpty()) {
            return null;
        }
        double mean = samples.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double max = samples.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double variance = samples.stream().mapToDouble(v -> (v - mean) * (v - mean)).average().orElse(0);
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(Double::compare);
        double p90 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(0.9 * sorted.size()) - 1));
        double below20 = samples.stream().filter(v -> v < 20).count() / (double) samples.size();
        return new Utilization(samples.size(), mean, max, p90, Math.sqrt(variance), below20, keys);
    }

    private static Double peakMemory(RunEvidence run, int gpuCount) {
        Double peak = null;
        for (int i = 0; i < Math.min(gpuCount, RunEvidence.MAX_GPUS); i++) {
            for (MlflowRun.MetricPoint p : run.metric(RunEvidence.memoryKey(i))) {
                if (Double.isFinite(p.value()) && (peak == null || p.value() > peak)) {
                    peak = p.value();
                }
            }
        }
        return peak;
    }

    static Integer integer(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int positive(String s, int otherwise) {
        Integer v = integer(s);
        return v == null || v < 1 ? otherwise : v;
    }

    static Double decimal(String s) {
        if (s == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** 16.6 -> "16.6%". */
    static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }

    /** Four significant digits at most, no trailing zeros: 2.7, 0.38, 1.141, 600. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        java.math.BigDecimal d = new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
