package dev.trainops.monitor;

import dev.trainops.mlflow.MlflowRun;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.recommend.RunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the latest loss, accuracy and perplexity of every active run (the run of each job the
 * queue has admitted) as gauges labelled by run, experiment and team; the composition root calls
 * it every minute. A run whose job ended drops out, so label cardinality stays the number of
 * running jobs. Values a run did not log are exported as 0.
 */
public final class TrainingPoller {
    private static final Logger log = LoggerFactory.getLogger(TrainingPoller.class);
    private static final List<String> LOSS = List.of("val_loss", "eval_loss", "train_loss", "loss");
    private static final List<String> ACCURACY = List.of("val_accuracy", "accuracy");
    private static final List<String> PERPLEXITY = List.of("val_perplexity", "perplexity");

    private final Metrics metrics;
    private final QueueStore queue;
    private final Supplier<RunEvidenceSource> runs;

    public TrainingPoller(Metrics metrics, QueueStore queue, Supplier<RunEvidenceSource> runs) {
        this.metrics = metrics;
        this.queue = queue;
        this.runs = runs;
    }

    public void poll() {
        Set<String> active = new HashSet<>();
        // a store failure here is the loop's to count (docs/architecture.md, "Background loops")
        List<QueuedJob> jobs = queue.read(c -> queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING));
        RunEvidenceSource source = runs.get();
        RuntimeException first = null;
        for (QueuedJob j : jobs) {
            active.add(j.runName());
            try {
                RunEvidence run = source.lookup(j.runName(), 0).run();
                if (run != null) {
                    metrics.training(j.runName(), j.experiment(), j.team(), latest(run, LOSS), latest(run, ACCURACY), latest(run, PERPLEXITY));
                }
            } catch (RuntimeException e) {
                // one run's failure does not stop the others; the first is thrown for the loop to count
                first = first == null ? e : first;
                log.debug("training poll: run {}: {}", j.runName(), e.getMessage());
            }
        }
        metrics.retainTraining(active);
        if (first != null) {
            throw first;
        }
    }

    /** The value at the highest step of the first key the run logged. */
    static double latest(RunEvidence run, List<String> keys) {
        for (String key : keys) {
            List<MlflowRun.MetricPoint> points = run.metrics().getOrDefault(key, List.of());
            MlflowRun.MetricPoint last = null;
            for (MlflowRun.MetricPoint p : points) {
                if (last == null || p.step() > last.step() || p.step() == last.step() && p.timestamp().isAfter(last.timestamp())) {
                    last = p;
                }
            }
            if (last != null && Double.isFinite(last.value())) {
                return last.value();
            }
        }
        return 0;
    }
}
