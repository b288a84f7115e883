package dev.trainops.queue;

import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.UsageSegment;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows admitted jobs through the cluster, in the admission transaction: a SCHEDULED job whose
 * pod runs is RUNNING; a Job complete or failed ends the queue job; a launched Job missing from the
 * informer past a grace period was deleted outside trainops; a running job past its max_cost is
 * stopped; a PREEMPTED job returns to the queue once its pods are gone. Pods are found through the
 * informer's job-id index. What it changed comes back as a value, written only to its connection.
 */
final class Reconciler {
    /** How long a launched Job may be missing from the informer before it counts as deleted. */
    static final Duration INFORMER_GRACE = Duration.ofSeconds(60);

    /**
     * What one reconciliation changed (already written in the transaction).
     *
     * @param toDelete    jobs whose Job and pods must go after the commit (preempted ones still holding pods, stopped ones)
     * @param ended       jobs that ended in this pass
     * @param transitions "id FROM -> TO" lines, for the pass's result
     * @param events      what to tell observers once the transaction committed
     */
    record Result(List<QueuedJob> toDelete, List<QueuedJob> ended, List<String> transitions, List<JobEvent> events) {
        Result {
            toDelete = List.copyOf(toDelete);
            ended = List.copyOf(ended);
            transitions = List.copyOf(transitions);
            events = List.copyOf(events);
        }
    }

    private final QueueStore queue;
    private final ClusterIndex index;
    private final PriceBook prices;
    private final CapWatch capWatch = new CapWatch();

    Reconciler(QueueStore queue, ClusterIndex index, PriceBook prices) {
        this.queue = queue;
        this.index = index;
        this.prices = prices;
    }

    Result reconcile(Connection c, Instant now) throws SQLException {
        List<QueuedJob> toDelete = new ArrayList<>();
        List<QueuedJob> ended = new ArrayList<>();
        List<String> transitions = new ArrayList<>();
        List<JobEvent> events = new ArrayList<>();
        java.util.Set<String> watched = new java.util.HashSet<>();
        Map<String, Job> jobs = new HashMap<>();
        for (Job j : index.jobs()) {
            jobs.put(j.getMetadata().getNamespace() + "/" + j.getMetadata().getName(), j);
        }
        for (QueuedJob j : queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED)) {
            Job kube = jobs.get(j.team() + "/" + j.kubeName());
            List<Pod> mine = podsOfAttempt(j);
            boolean holding = mine.stream().anyMatch(PodResources::holdsResources);
            if (j.state() == JobState.PREEMPTED) {
                if (kube != null || holding) {
                    toDelete.add(j); // idempotent: keeps asking until the pods are gone
                    continue;
                }
                queue.update(c, j.requeuedAfterPreemption(j.reasonDetail(), now));
                transitions.add(j.jobId() + " PREEMPTED -> QUEUED");
                continue;
            }
            String condition = kube == null ? null : finished(kube);
            if ("Complete".equals(condition)) {
                Instant end = completion(kube, now);
                QueuedJob done = j.ended(JobState.SUCCEEDED, null, "Completed at " + end + ".", startOf(j, mine, now), end);
                queue.update(c, done);
                ended.add(done);
                transitions.add(j.jobId() + " " + j.state() + " -> SUCCEEDED");
                events.add(event(JobEvent.Kind.SUCCEEDED, done, end));
                continue;
            }
            if ("Failed".equals(condition)) {
                Instant end = completion(kube, now);
                QueuedJob failed = j.ended(JobState.FAILED, Reason.JOB_FAILED, "The Job failed at " + end + ".", startOf(j, mine, now), end);
                queue.update(c, failed);
                ended.add(failed);
                transitions.add(j.jobId() + " " + j.state() + " -> FAILED");
                events.add(event(JobEvent.Kind.FAILED, failed, end));
                continue;
            }
            if (kube == null && j.launched() && j.admitted() != null && j.admitted().plus(INFORMER_GRACE).isBefore(now)) {
                QueuedJob deleted = j.ended(JobState.FAILED, Reason.JOB_DELETED, "Job " + j.team() + "/" + j.kubeName()
                        + " was deleted outside trainops.", j.started(), now);
                queue.update(c, deleted);
                ended.add(deleted);
                transitions.add(j.jobId() + " " + j.state() + " -> FAILED (deleted)");
                events.add(event(JobEvent.Kind.FAILED, deleted, now));
                continue;
            }
            QueuedJob current = j;
            boolean running = mine.stream().anyMatch(p -> KubeNames.PHASE_RUNNING.equals(p.getStatus() == null ? null : p.getStatus().getPhase()));
            if (j.state() == JobState.SCHEDULED && running) {
                current = j.runningSince(startOf(j, mine, now), now);
                queue.update(c, current);
                transitions.add(j.jobId() + " SCHEDULED -> RUNNING");
                events.add(event(JobEvent.Kind.STARTED, current, now));
            }
            if (current.state() == JobState.RUNNING && current.maxCostMicros() != null && current.started() != null) {
                Money accrued = accrued(current, now);
                CapWatch.Level level = CapWatch.level(accrued, current.maxCostMicros());
                if (level == CapWatch.Level.REACHED) {
                    QueuedJob stopped = current.ended(JobState.FAILED, Reason.MAX_COST_REACHED, CapWatch.stopDetail(current, accrued, now,
                            prices.currency()), current.started(), now);
                    queue.update(c, stopped);
                    toDelete.add(stopped);
                    ended.add(stopped);
                    transitions.add(j.jobId() + " RUNNING -> FAILED (MAX_COST_REACHED)");
                    events.add(event(JobEvent.Kind.MAX_COST_REACHED, stopped, now));
                } else if (level == CapWatch.Level.NEAR && capWatch.firstWarning(current)) {
                    events.add(new JobEvent(JobEvent.Kind.NEAR_MAX_COST, current.jobId(), current.team(), current.runName(),
                            CapWatch.warning(current, accrued, prices.currency()), now));
                }
                if (level != CapWatch.Level.REACHED) {
                    watched.add(CapWatch.key(current));
                }
            }
        }
        capWatch.retain(watched);
        return new Result(toDelete, ended, transitions, events);
    }

    /** The pods of the job's current attempt, from the informer's job-id index. */
    private List<Pod> podsOfAttempt(QueuedJob j) {
        String attempt = Integer.toString(j.attempt());
        return index.podsOfJob(j.jobId()).stream().filter(p -> attempt.equals(SnapshotReader.label(p, KubeNames.LABEL_ATTEMPT))).toList();
    }

    private static JobEvent event(JobEvent.Kind kind, QueuedJob j, Instant at) {
        return new JobEvent(kind, j.jobId(), j.team(), j.runName(), j.reasonDetail(), at);
    }

    /** What a running job has cost so far at its GPUs' prices (time-of-use and spot included). */
    Money accrued(QueuedJob j, Instant now) {
        return prices.cost(new UsageSegment(j.jobId(), j.started(), now.isBefore(j.started()) ? j.started() : now, j.gpuType(),
                BigDecimal.valueOf(j.gpuCount()), BigDecimal.ZERO, BigDecimal.ZERO, j.spot()));
    }

    private static Instant startOf(QueuedJob j, List<Pod> pods, Instant now) {
        if (j.started() != null) {
            return j.started();
        }
        for (Pod p : pods) {
            if (p.getStatus() != null && p.getStatus().getStartTime() != null) {
                try {
                    return Instant.parse(p.getStatus().getStartTime());
                } catch (DateTimeParseException e) {
                    // fall through
                }
            }
        }
        return now;
    }

    private static String finished(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if ("True".equals(c.getStatus()) && ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))) {
                return c.getType();
            }
        }
        return null;
    }

    private static Instant completion(Job job, Instant now) {
        try {
            if (job.getStatus().getCompletionTime() != null) {
                return Instant.parse(job.getStatus().getCompletionTime());
            }
            for (JobCondition c : job.getStatus().getConditions()) {
                if (c.getLastTransitionTime() != null) {
                    return Instant.parse(c.getLastTransitionTime());
                }
            }
        } catch (DateTimeParseException e) {
            // fall through
        }
        return now;
    }
}
