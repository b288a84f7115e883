package dev.trainops.admission;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.queue.Estimator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cheaper ways to run what a denied object asks for, priced by the same estimator and price
 * book as the queue (off-peak, spot, another GPU type of the cluster, fewer epochs or a shorter time
 * limit), each with its cost; when there is an amount to fit (a cap, the budget left) only those that
 * fit it. Estimates come from {@link CachedFacts}, so listing them makes no call either.
 */
final class CheaperOptions {
    /** Options listed at most, cheapest ways first as found. */
    static final int MAX = 4;

    private CheaperOptions() {
    }

    /**
     * For a job priced from its model's history, as TrainingJob spec fields.
     *
     * @param allowedMicros the amount to fit (null: every cheaper way)
     */
    static List<String> fromHistory(CachedFacts facts, CachedFacts.Shape shape, Estimator.Estimate estimate, Long allowedMicros) {
        long cost = estimate.cost().toMicros();
        List<String> out = new ArrayList<>();
        String type = estimate.gpuType();
        if (!shape.offPeak()) {
            cheaper(facts.estimate(withOffPeak(shape)), cost, allowedMicros)
                    .ifPresent(e -> out.add("schedule: off_peak " + e.cost().display()));
        }
        CachedFacts.GpuType here = facts.snapshot().gpuTypes().get(type);
        if (!shape.spot() && here != null && here.spot()) {
            cheaper(facts.estimate(new CachedFacts.Shape(shape.model(), shape.epochs(), shape.batchSize(), type, shape.migProfile(), shape.gpus(),
                    true, shape.offPeak())), cost, allowedMicros)
                    .ifPresent(e -> out.add("spot: true " + e.cost().display() + " (expected, interruptions included)"));
        }
        if (shape.migProfile() == null) {
            Estimator.Estimate best = null;
            for (String other : facts.snapshot().gpuTypes().keySet()) {
                if (other.equals(type)) {
                    continue;
                }
                Optional<Estimator.Estimate> e = cheaper(facts.estimate(new CachedFacts.Shape(shape.model(), shape.epochs(), shape.batchSize(),
                        other, null, shape.gpus(), shape.spot(), shape.offPeak())), cost, allowedMicros);
                if (e.isPresent() && (best == null || e.get().cost().compareTo(best.cost()) < 0)) {
                    best = e.get();
                }
            }
            if (best != null) {
                out.add("gpuType: " + best.gpuType() + " " + best.cost().display());
            }
        }
        if (allowedMicros != null && cost > allowedMicros && cost > 0 && shape.epochs() > 1) {
            int epochs = (int) Math.min(shape.epochs() - 1L, (long) shape.epochs() * allowedMicros / cost);
            if (epochs >= 1) {
                cheaper(facts.estimate(new CachedFacts.Shape(shape.model(), epochs, shape.batchSize(), type, shape.migProfile(), shape.gpus(),
                        shape.spot(), shape.offPeak())), cost, allowedMicros)
                        .ifPresent(e -> out.add("epochs: " + epochs + " " + e.cost().display()));
            }
        }
        return out.stream().limit(MAX).toList();
    }

    /**
     * For a Job priced at its time limit: spot nodes of its GPU type, another GPU type, a shorter
     * {@code activeDeadlineSeconds}, as the Job's own fields; each the most it can cost.
     */
    static List<String> fromTimeLimit(CachedFacts facts, PriceBook prices, JobFootprint footprint, long seconds, Instant now, Money estimate,
                                      Long allowedMicros) {
        long cost = estimate.toMicros();
        List<String> out = new ArrayList<>();
        Map<String, CachedFacts.GpuType> types = facts.snapshot().gpuTypes();
        CachedFacts.GpuType here = types.get(footprint.gpuType());
        if (here != null && here.spot()) {
            Money spot = prices.cost(footprint, now, seconds, true);
            if (fits(spot.toMicros(), cost, allowedMicros)) {
                out.add("a spot node (nodeSelector " + here.spotLabel() + ") at most " + spot.display());
            }
        }
        String bestType = null;
        Money best = null;
        for (Map.Entry<String, CachedFacts.GpuType> t : types.entrySet()) {
            if (t.getKey().equals(footprint.gpuType()) || prices.current(now).gpuHour().get(t.getKey()) == null) {
                continue;
            }
            Money other = prices.cost(footprint.onGpus(t.getKey(), footprint.gpus()), now, seconds, false);
            if (fits(other.toMicros(), cost, allowedMicros) && (best == null || other.compareTo(best) < 0)) {
                best = other;
                bestType = t.getKey();
            }
        }
        if (best != null) {
            out.add(bestType + " (nodeSelector nvidia.com/gpu.product: " + types.get(bestType).product() + ") at most " + best.display());
        }
        if (allowedMicros != null && cost > allowedMicros && cost > 0) {
            long shorter = seconds * allowedMicros / cost;
            if (shorter >= 60) {
                Money capped = prices.cost(footprint, now, shorter, false);
                if (fits(capped.toMicros(), cost, allowedMicros)) {
                    out.add("activeDeadlineSeconds: " + shorter + " at most " + capped.display());
                }
            }
        }
        return out.stream().limit(MAX).toList();
    }

    /** " Cheaper options that fit $5.00: a; b." or " Cheaper: a; b.", or "" when there are none. */
    static String sentence(List<String> options, Money fit, String lead) {
        if (options.isEmpty()) {
            return "";
        }
        return " " + lead + (fit == null ? ": " : " that fit " + fit.display() + ": ") + String.join("; ", options) + ".";
    }

    private static Optional<Estimator.Estimate> cheaper(Optional<Estimator.Estimate> e, long cost, Long allowedMicros) {
        return e.filter(x -> fits(x.cost().toMicros(), cost, allowedMicros));
    }

    private static boolean fits(long option, long cost, Long allowedMicros) {
        return option < cost && (allowedMicros == null || option <= allowedMicros);
    }

    private static CachedFacts.Shape withOffPeak(CachedFacts.Shape s) {
        return new CachedFacts.Shape(s.model(), s.epochs(), s.batchSize(), s.gpuType(), s.migProfile(), s.gpus(), s.spot(), true);
    }
}
