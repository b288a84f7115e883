package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BATCH_SIZE: the GPU is busy less than half the time at a batch of 64 or less, and its memory has
 * room for a larger one. With a small batch the per-step overhead (input pipeline, Python, kernel
 * launches) dominates; k times the batch means 1/k of the steps. The speed-up comes from a sibling
 * run of the same model on the same GPU type at the larger batch when one exists (measured), else
 * from a model: time = busy share + idle share / k.
 */
final class BatchSize implements Strategy {
    static final double MAX_UTILIZATION = 50;
    static final int MAX_BATCH = 64;
    static final int FACTOR = 4;
    /** The larger batch must fit in this share of the GPU's memory, with activations growing linearly. */
    static final double MEMORY_HEADROOM = 0.8;

    @Override
    public RecommendationType type() {
        return RecommendationType.BATCH_SIZE;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        Silent silent = Strategy.unlessUtilizationBelow(run, MAX_UTILIZATION, ": a larger batch would not speed it up much.");
        if (silent != null) {
            return silent;
        }
        RunFacts.Utilization u = run.utilization;
        if (run.batchSize == null) {
            return new Silent("The run logged no batch_size param.");
        }
        if (run.batchSize > MAX_BATCH) {
            return new Silent("batch_size " + run.batchSize + " is already above " + MAX_BATCH + ".");
        }
        if (run.peakMemoryMb == null || run.gpuMemoryMib == null) {
            return new Silent("GPU memory use or the GPU's memory is unknown, so the headroom for a larger batch cannot be checked.");
        }
        double usedMib = run.peakMemoryMb * RunFacts.MIB_PER_MB;
        int k = FACTOR;
        while (k >= 2 && usedMib * k > MEMORY_HEADROOM * run.gpuMemoryMib) {
            k /= 2;
        }
        if (k < 2) {
            return new Silent("Peak memory " + Math.round(usedMib) + " MiB of " + run.gpuMemoryMib + " MiB leaves no room for twice the batch.");
        }
        if (run.rate == null) {
            return new Silent("No completed epoch to measure the time per epoch from.");
        }
        int bigger = run.batchSize * k;
        String trigger = "mean GPU utilisation " + RunFacts.percent(u.mean()) + " < " + RunFacts.percent(MAX_UTILIZATION) + " at batch_size "
                + run.batchSize + " <= " + MAX_BATCH + ", peak memory " + Math.round(usedMib) + " of " + run.gpuMemoryMib + " MiB";
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric " + String.join(", ", u.keys()), "mean " + RunFacts.percent(u.mean()) + " over " + u.samples()
                + " samples, max " + RunFacts.percent(u.max())));
        evidence.add(Strategy.evidence("param batch_size", Integer.toString(run.batchSize)));
        evidence.add(Strategy.evidence("metric system/gpu_0_memory_usage_megabytes", "peak " + Math.round(run.peakMemoryMb) + " MB of "
                + run.gpuMemoryMib + " MiB on " + run.gpuType));
        double perEpoch = run.rate.secondsPerEpoch();
        double factor;
        Recommendations.Confidence confidence;
        String how;
        Optional<RunFacts> sibling = sibling(run, bigger);
        if (sibling.isPresent()) {
            RunFacts s = sibling.get();
            double measured = s.rate.secondsPerEpoch();
            if (measured >= perEpoch) {
                return new Silent("Run " + s.run.runName() + " of the same model at batch_size " + s.batchSize + " was no faster per epoch ("
                        + RunFacts.number(measured) + " s vs " + RunFacts.number(perEpoch) + " s).");
            }
            factor = measured / perEpoch;
            confidence = Recommendations.Confidence.HIGH;
            bigger = s.batchSize;
            how = "measured: run " + s.run.runName() + " at batch_size " + s.batchSize + " took " + RunFacts.number(measured)
                    + " s per epoch vs " + RunFacts.number(perEpoch) + " s";
            evidence.add(Strategy.evidence("run " + s.run.runName(), "batch_size " + s.batchSize + ", " + RunFacts.number(measured)
                    + " s per epoch on " + s.gpuType + accuracyNote(run, s)));
            if (worse(run, s)) {
                confidence = Recommendations.Confidence.MEDIUM;
            }
        } else {
            factor = (1 - u.busyFraction()) / k + u.busyFraction();
            confidence = Recommendations.Confidence.MEDIUM;
            how = "modelled: the GPU's busy share stays, the idle share (per-step overhead) shrinks " + k + "x";
        }
        long work = run.durationSeconds - run.warmupSeconds();
        long after = run.warmupSeconds() + Math.round(work * factor);
        Money costAfter = costing.cost(run.start, after);
        Map<String, Object> args = run.queueArguments("bs" + bigger);
        args.put("batch_size", bigger);
        double speedup = 1 / factor;
        return new Fired("Use batch_size=" + bigger + " instead of " + run.batchSize + ": about " + RunFacts.number(round1(speedup))
                + "x faster per epoch", trigger,
                "The GPU was busy only " + RunFacts.percent(u.mean()) + " of the time at batch_size " + run.batchSize
                        + ", so per-step overhead dominates; " + bigger + " per batch means " + (bigger / run.batchSize) + "x fewer steps ("
                        + how + "). Peak memory " + Math.round(usedMib) + " MiB leaves room on the " + run.gpuMemoryMib + " MiB "
                        + run.gpuType + ". Scale the learning rate with the batch (linear scaling rule) and check accuracy.",
                evidence, costAfter, after, "The same run with the epoch time " + (sibling.isPresent() ? "measured" : "modelled")
                        + " at batch_size " + bigger + " (x" + RunFacts.number(round2(factor)) + "), warm-up kept, priced from the run's start.",
                confidence, new Recommendations.Action("queue_training_job", args,
                        "Run it with batch_size=" + bigger + " (and learning_rate scaled by " + (bigger / run.batchSize) + " if it was "
                                + "tuned for " + run.batchSize + "). " + run.queueHint(args)));
    }

    /** A sibling of the same model on the same GPU type and count at a larger batch, up to {@code upTo}; the largest such batch. */
    private static Optional<RunFacts> sibling(RunFacts run, int upTo) {
        return run.siblings.stream()
                .filter(s -> s.rate != null && s.batchSize != null && s.batchSize > run.batchSize && s.batchSize <= upTo)
                .filter(s -> run.gpuType.equals(s.gpuType) && s.gpuCount == run.gpuCount)
                .max(Comparator.comparingInt((RunFacts s) -> s.batchSize));
    }

    private static boolean worse(RunFacts run, RunFacts s) {
        if (run.validation == null || s.validation == null || !run.validation.key().equals(s.validation.key())) {
            return false;
        }
        double mine = run.validation.best();
        double theirs = s.validation.best();
        double slack = Math.abs(mine) * 0.01;
        return run.validation.lowerIsBetter() ? theirs > mine + slack : theirs < mine - slack;
    }

    private static String accuracyNote(RunFacts run, RunFacts s) {
        if (run.validation == null || s.validation == null || !run.validation.key().equals(s.validation.key())) {
            return "";
        }
        return "; best " + s.validation.key() + " " + RunFacts.number(s.validation.best()) + " vs " + RunFacts.number(run.validation.best())
                + " here";
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }

    private static double round2(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
