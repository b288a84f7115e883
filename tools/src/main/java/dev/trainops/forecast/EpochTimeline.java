package dev.trainops.forecast;

import dev.trainops.mlflow.MlflowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When each epoch of a run ended, read from an epoch-level metric (step = epoch, timestamp = the
 * epoch's end) and the run's start time, which starts epoch 1 (docs/tools.md, "Conventions read from MLflow").
 * Step-level points (step = global optimizer step) are kept for the steady-state rate inside an
 * epoch.
 */
public record EpochTimeline(Instant runStart, List<Instant> epochEnds, List<MlflowRun.MetricPoint> steps, Integer stepsPerEpoch) {

    public EpochTimeline {
        epochEnds = List.copyOf(epochEnds);
        steps = List.copyOf(steps);
    }

    /** Builds the timeline; repeated points for one epoch keep the latest timestamp. */
    public static EpochTimeline of(Instant runStart, List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                                   Integer stepsPerEpoch) {
        Map<Long, Instant> ends = new TreeMap<>();
        for (MlflowRun.MetricPoint p : epochMetric) {
            if (p.step() >= 1) {
                ends.merge(p.step(), p.timestamp(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<Instant> ordered = new ArrayList<>();
        long expected = 1;
        for (var e : ends.entrySet()) {
            if (e.getKey() != expected) {
                break; // a gap: epochs after it cannot be placed
            }
            ordered.add(e.getValue());
            expected++;
        }
        List<MlflowRun.MetricPoint> sortedSteps = new ArrayList<>(stepMetric);
        sortedSteps.sort(java.util.Comparator.comparingLong(MlflowRun.MetricPoint::step));
        return new EpochTimeline(runStart, ordered, sortedSteps, stepsPerEpoch);
    }

    public int completedEpochs() {
        return epochEnds.size();
    }

    /** Duration of each completed epoch, in seconds (epoch 1 first). */
    public List<Duration> epochDurations() {
        List<Duration> out = new ArrayList<>();
        Instant previous = runStart;
        for (Instant end : epochEnds) {
            out.add(Duration.between(previous, end));
            previous = end;
        }
        return out;
    }

    public Instant lastEpochEnd() {
        return epochEnds.isEmpty() ? runStart : epochEnds.get(epochEnds.size() - 1);
    }
}
