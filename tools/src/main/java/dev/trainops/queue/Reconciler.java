package dev.trainops.queue;

import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.SpotInterruptions;
import dev.trainops.cost.UsageSegment;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
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
import java.util.Optional;
import java.util.Set;

/**
 * Follows admitted jobs through the cluster, in the admission transaction: a SCHEDULED job whose
 * pod runs is RUNNING; a Job complete or failed ends the queue job; a launched Job missing from the
 * informer past a grace period was deleted outside trainops; a running job past its max_cost is
 * stopped; a job whose spot node was reclaimed under it is PREEMPTED (spot interruption) and its wasted
 * cost recorded (docs/money.md cost rule 4); a PREEMPTED job returns to the queue once its pods are gone. Pods are found through the
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

    /** Pod status reasons of the kubelet's graceful node shutdown, as a reclaimed spot node ends its pods. */
    private static final Set<String> SHUTDOWN_REASONS = Set.of("Terminated", "NodeShutdown", "Shutdown");

    private final QueueStore queue;
    private final ClusterIndex index;
    private final PriceBook prices;
    private final ClusterUsage usage;
    private final CapWatch capWatch = new CapWatch();

    Reconciler(QueueStore queue, ClusterIndex index, PriceBook prices) {
        this.queue = queue;
        this.index = index;
        this.prices = prices;
        this.usage = new ClusterUsage(index, prices.spotNodes());
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
            Pod interrupted = interrupted(mine);
            if (interrupted != null) {
                Node node = nodeOf(interrupted);
                if (node != null ? prices.spotNodes().isSpot(node) : j.spot()) {
                    SpotInterruptions.Interruption lost = interruption(j, interrupted, node, now);
                    QueuedJob back = j.preemptedBy(null, "Spot interruption: node " + interrupted.getSpec().getNodeName()
                            + " was reclaimed at " + lost.interruptedAt() + "; the " + lost.lostSeconds() + " s since its last checkpoint ("
                            + lost.wasted().display() + " wasted) are redone. Back in the queue with its original submit time, it resumes "
                            + "from its checkpoint as attempt " + (j.attempt() + 1) + ".", now);
                    SpotInterruptions.record(c, lost);
                    queue.update(c, back);
                    toDelete.add(back);
                    transitions.add(j.jobId() + " " + j.state() + " -> PREEMPTED (spot interruption)");
                    events.add(event(JobEvent.Kind.PREEMPTED, back, now));
                    continue;
                }
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

    /**
     * A pod of the attempt that failed because its node went away under it: the DisruptionTarget
     * condition, or the kubelet's node-shutdown reason (how a reclaimed spot node ends its pods).
     */
    private static Pod interrupted(List<Pod> pods) {
        for (Pod p : pods) {
            if (p.getStatus() == null || !KubeNames.PHASE_FAILED.equals(p.getStatus().getPhase())) {
                continue;
            }
            boolean disrupted = p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                    .anyMatch(x -> KubeNames.CONDITION_DISRUPTION_TARGET.equals(x.getType()) && "True".equals(x.getStatus()));
            String reason = p.getStatus().getReason();
            if (disrupted || (reason != null && SHUTDOWN_REASONS.contains(reason))) {
                return p;
            }
        }
        return null;
    }

    private Node nodeOf(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return name == null ? null : index.nodes().stream().filter(n -> name.equals(n.getMetadata().getName())).findFirst().orElse(null);
    }

    /** What the interruption of {@code pod} wasted: its usage from its last checkpoint (else its start) to its end. */
    private SpotInterruptions.Interruption interruption(QueuedJob j, Pod pod, Node node, Instant now) {
        ClusterUsage.PodUsage u = usage.of(pod, node, now).orElseGet(() -> new ClusterUsage.PodUsage(j.team(), j.experiment(), j.runName(),
                new UsageSegment(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), startOf(j, List.of(pod), now), now,
                        j.gpuType(), BigDecimal.valueOf(j.gpuCount()), BigDecimal.ZERO, BigDecimal.ZERO, true), null, false, true));
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String checkpoint = annotations == null ? null : annotations.get(KubeNames.ANNOTATION_LAST_CHECKPOINT);
        Instant last = null;
        try {
            last = checkpoint == null ? null : Instant.parse(checkpoint);
        } catch (DateTimeParseException e) {
            // no readable checkpoint time: all of the attempt's work counts as lost
        }
        return SpotInterruptions.of(prices, u, j.jobId(), j.attempt(), pod.getSpec().getNodeName(), last);
    }

    private static JobEvent event(JobEvent.Kind kind, QueuedJob j, Instant at) {
        return new JobEvent(kind, j.jobId(), j.team(), j.runName(), j.reasonDetail(), at);
    }

    /**
     * What a running job's attempt has cost so far, priced as the ledger bills it: its pods' GPU
     * share, CPU and memory on the nodes they run on (spot exactly when the node is), time-of-use
     * included. When its pods are already gone, its GPUs as the queue placed them.
     */
    Money accrued(QueuedJob j, Instant now) {
        Instant end = now.isBefore(j.started()) ? j.started() : now;
        Money sum = null;
        for (Pod pod : podsOfAttempt(j)) {
            Optional<ClusterUsage.PodUsage> u = usage.of(pod, nodeOf(pod), end);
            if (u.isPresent()) {
                Money cost = prices.cost(u.get().usage());
                sum = sum == null ? cost : sum.plus(cost);
            }
        }
        return sum != null ? sum : prices.cost(new UsageSegment(j.jobId(), j.started(), end, j.gpuType(),
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
