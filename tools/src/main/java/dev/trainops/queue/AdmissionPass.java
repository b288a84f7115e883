package dev.trainops.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of one admission transaction: reconcile admitted jobs with the cluster, read a
 * {@link Snapshot}, plan on it ({@link AdmissionPlanner}), and write admissions, preemptions and the
 * reasons of waiting jobs. It returns everything that must happen after the commit as one value,
 * so a transaction that is run again starts from nothing (no list outlives an attempt).
 */
final class AdmissionPass {

    /**
     * What one pass decided, all of it written in its transaction.
     *
     * @param reconciled what following the cluster changed
     * @param plan       the planner's answer on this pass's snapshot
     * @param admitted   jobs admitted in this pass (SCHEDULED, not launched)
     * @param preempted  victims preempted in this pass (PREEMPTED)
     * @param toLaunch   jobs whose Job to create: those admitted now and any admitted before a crash and never launched
     * @param waiting    the jobs left queued, each with the reason (and detail) this pass gave it
     * @param active     jobs holding GPUs after the pass (active before it plus those admitted)
     */
    record Decisions(Reconciler.Result reconciled, AdmissionPlanner.Plan plan, List<QueuedJob> admitted, List<QueuedJob> preempted,
                     List<QueuedJob> toLaunch, List<QueuedJob> waiting, int active) {
        Decisions {
            admitted = List.copyOf(admitted);
            preempted = List.copyOf(preempted);
            toLaunch = List.copyOf(toLaunch);
            waiting = List.copyOf(waiting);
        }

        /** Jobs whose Job and pods to delete after the commit. */
        List<QueuedJob> toDelete() {
            List<QueuedJob> out = new ArrayList<>(reconciled.toDelete());
            out.addAll(preempted);
            return out;
        }

        /** The job events of this pass, in the order they happened: the cluster's news first, then admissions and preemptions. */
        List<JobEvent> events(Instant now) {
            List<JobEvent> out = new ArrayList<>(reconciled.events());
            for (QueuedJob j : admitted) {
                out.add(new JobEvent(JobEvent.Kind.ADMITTED, j.jobId(), j.team(), j.runName(), j.reasonDetail(), now));
            }
            // an event goes to the sessions of its job's team (and admins): its detail names no other team's job (rule 1)
            Map<String, QueuedJob> preemptors = new HashMap<>();
            plan.preemptions().forEach(p -> preemptors.put(p.by().jobId(), p.by()));
            for (QueuedJob j : preempted) {
                String detail = TeamScope.readable(j.reasonDetail(), j.jobId(), TeamScope.readerOf(j.team()),
                        id -> java.util.Optional.ofNullable(preemptors.get(id)));
                out.add(new JobEvent(JobEvent.Kind.PREEMPTED, j.jobId(), j.team(), j.runName(), detail, now));
            }
            return out;
        }
    }

    private final QueueStore queue;
    private final Reconciler reconciler;
    private final SnapshotReader snapshots;

    AdmissionPass(QueueStore queue, Reconciler reconciler, SnapshotReader snapshots) {
        this.queue = queue;
        this.reconciler = reconciler;
        this.snapshots = snapshots;
    }

    Decisions run(Connection c, Instant now) throws SQLException {
        Reconciler.Result reconciled = reconciler.reconcile(c, now);
        Snapshot snapshot = snapshots.snapshot(c, now);
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(snapshot);
        List<QueuedJob> admitted = new ArrayList<>();
        for (AdmissionPlanner.Admit a : plan.admits()) {
            QueuedJob job = a.job().admittedTo(a.node(), now);
            queue.update(c, job);
            admitted.add(job);
        }
        List<QueuedJob> preempted = new ArrayList<>();
        for (AdmissionPlanner.Preempt p : plan.preemptions()) {
            QueuedJob victim = p.victim().preemptedBy(p.by().jobId(), p.detail(), now);
            queue.update(c, victim);
            preempted.add(victim);
        }
        Set<String> admittedIds = new HashSet<>();
        admitted.forEach(j -> admittedIds.add(j.jobId()));
        // the jobs left waiting, each with the reason this pass gave it (the scale-up gauge counts NO_CAPACITY)
        List<QueuedJob> waiting = new ArrayList<>();
        for (QueuedJob j : snapshot.queued()) {
            if (admittedIds.contains(j.jobId())) {
                continue;
            }
            AdmissionPlanner.Wait w = plan.waits().get(j.jobId());
            if (w != null && (j.reason() != w.reason() || !w.detail().equals(j.reasonDetail()))) {
                j = j.waiting(w.reason(), w.detail(), now);
                queue.update(c, j);
            }
            waiting.add(j);
        }
        List<QueuedJob> toLaunch = new ArrayList<>(admitted);
        // a job admitted before a crash whose Job was never created
        for (QueuedJob j : queue.inStates(c, JobState.SCHEDULED)) {
            if (!j.launched() && !admittedIds.contains(j.jobId())) {
                toLaunch.add(j);
            }
        }
        return new Decisions(reconciled, plan, admitted, preempted, toLaunch, waiting, snapshot.active().size() + admitted.size());
    }
}
