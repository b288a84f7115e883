package dev.trainops.forecast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How much longer a model's first epoch runs than its steady epochs (first epoch over the median of
 * the later ones), learned from its finished runs: those on the GPU type asked for when there are
 * some, else all of them (docs/money.md, "Forecasts after one epoch"). A run cut after epoch 1
 * divides that epoch by {@link #median} for its pace, and the spread of the ratios widens the
 * interval.
 *
 * @param median the median ratio
 * @param lowest the smallest ratio seen
 * @param highest the largest ratio seen
 * @param runs the runs it was learned from
 * @param gpuType the GPU type they ran on, or null when they were taken across types
 */
public record WarmupRatio(double median, double lowest, double highest, List<String> runs, String gpuType) {

    public WarmupRatio {
        runs = List.copyOf(runs);
    }

    /**
     * The ratio over {@code runs}' finished runs with two or more epochs, leaving out the run with id
     * {@code except} (the one being forecast); empty when none qualifies.
     */
    public static Optional<WarmupRatio> learn(List<HistoricRun> runs, String gpuType, String except) {
        List<HistoricRun> finished = runs.stream().filter(r -> !r.running() && r.start() != null && r.epochMetric().size() >= 2)
                .filter(r -> !r.runId().equals(except)).toList();
        List<HistoricRun> sameType = gpuType == null ? List.of()
                : finished.stream().filter(r -> gpuType.equals(r.param("gpu_type", null))).toList();
        List<HistoricRun> chosen = sameType.isEmpty() ? finished : sameType;
        List<Double> ratios = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (HistoricRun r : chosen) {
            List<Duration> durations = EpochTimeline.of(r.start(), r.epochMetric(), List.of(), null).epochDurations();
            if (durations.size() < 2) {
                continue;
            }
            double first = seconds(durations.get(0));
            double steady = EpochRate.median(durations.subList(1, durations.size()).stream().map(WarmupRatio::seconds).toList());
            if (first > 0 && steady > 0) {
                ratios.add(first / steady);
                names.add(r.runName());
            }
        }
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new WarmupRatio(EpochRate.median(ratios), ratios.stream().mapToDouble(d -> d).min().orElseThrow(),
                ratios.stream().mapToDouble(d -> d).max().orElseThrow(), names, sameType.isEmpty() ? null : gpuType));
    }

    /** Half the range of the ratios relative to their median: how far the runs disagree. */
    double spread() {
        return (highest - lowest) / 2 / median;
    }

    /** "1.12 (median of llm-bs64, llm-bs128 on H200)". */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%.2f", median) + " (" + (runs.size() == 1 ? "from " : "median of ")
                + String.join(", ", runs) + (gpuType == null ? ", across GPU types" : " on " + gpuType) + ")";
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
