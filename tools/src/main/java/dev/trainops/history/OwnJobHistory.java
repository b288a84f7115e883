package dev.trainops.history;

import dev.trainops.forecast.HistoricRun;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.recommend.RunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Run history from trainops's own finished jobs, for a cluster with neither MLflow nor the sandbox
 * (docs/money.md, "History without MLflow"). Each job that SUCCEEDED without being preempted is a
 * run of its model: its epochs, its run time (from its pods' start to its end), GPU type and count,
 * batch size and team, as the queue stored them. It has no metrics, so a forecast paces it by its
 * run time over its epochs, start-up and warm-up included ({@code EpochRate.Method.JOB_AVERAGE});
 * answers name this source, {@value #NAME}. A preempted job is left out: its last attempt resumed
 * from a checkpoint, so its run time does not cover its epochs.
 */
public final class OwnJobHistory implements RunHistorySource, RunEvidenceSource {
    /** The source's name in answers (basedOn.source, reference.source, run.source). */
    public static final String NAME = "trainops-jobs";
    /** Finished jobs read per name: the most recent. */
    static final int MAX_JOBS = 50;

    private final QueueStore store;
    private final Clock clock;

    public OwnJobHistory(QueueStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The job with this id, else the jobs that logged to this run name, else the jobs of this model. */
    @Override
    public Found find(String nameOrId) {
        List<QueuedJob> jobs = matching(nameOrId);
        return new Found(jobs.stream().map(OwnJobHistory::run).toList(), clock.instant(), false);
    }

    /** The job with this id, else the latest with this run name, with the other finished jobs of its model as siblings. */
    @Override
    public Lookup lookup(String runIdOrName, int maxSiblings) {
        Optional<QueuedJob> job = matching(runIdOrName).stream().filter(j -> !j.model().equals(runIdOrName) || j.runName().equals(runIdOrName))
                .findFirst();
        if (job.isEmpty()) {
            return new Lookup(null, List.of(), clock.instant(), false);
        }
        QueuedJob self = job.get();
        List<RunEvidence> siblings = finished(self.model()).stream().filter(j -> j.model().equals(self.model()) && !j.jobId().equals(self.jobId()))
                .limit(maxSiblings).map(OwnJobHistory::evidence).toList();
        return new Lookup(evidence(self), siblings, clock.instant(), false);
    }

    @Override
    public String name() {
        return NAME;
    }

    private List<QueuedJob> matching(String key) {
        List<QueuedJob> jobs = finished(key);
        for (Predicate<QueuedJob> by : List.<Predicate<QueuedJob>>of(j -> j.jobId().equals(key), j -> j.runName().equals(key),
                j -> j.model().equals(key))) {
            List<QueuedJob> hits = jobs.stream().filter(by).toList();
            if (!hits.isEmpty()) {
                return hits;
            }
        }
        return List.of();
    }

    /** SUCCEEDED, never preempted, with a start and an end: the most recent first. */
    private List<QueuedJob> finished(String key) {
        return store.read(c -> store.succeeded(c, key, MAX_JOBS)).stream()
                .filter(j -> j.preemptions() == 0 && j.started() != null && j.ended() != null && j.ended().isAfter(j.started()))
                .sorted(Comparator.comparing((QueuedJob j) -> j.ended()).reversed()).toList();
    }

    private static HistoricRun run(QueuedJob j) {
        long seconds = Duration.between(j.started(), j.ended()).toSeconds();
        return new HistoricRun(j.jobId(), j.runName(), "FINISHED", j.started(), params(j), List.of(), List.of(), List.of(),
                new HistoricRun.Totals(j.epochs(), Math.max(1, seconds)));
    }

    private static RunEvidence evidence(QueuedJob j) {
        return new RunEvidence(j.jobId(), j.runName(), j.experiment(), "FINISHED", j.started(), j.ended(), params(j), Map.of(), Map.of());
    }

    /** The job's own params, then what the queue knows under MLflow's conventional keys (those win). */
    private static Map<String, String> params(QueuedJob j) {
        Map<String, String> p = new LinkedHashMap<>(j.params());
        p.put("model", j.model());
        p.put("team", j.team());
        p.put("epochs", Integer.toString(j.epochs()));
        p.put("batch_size", Integer.toString(j.batchSize()));
        p.put("gpu_type", j.gpuType());
        p.put("gpu_count", Integer.toString(j.gpuCount()));
        p.put("job_id", j.jobId());
        return p;
    }
}
