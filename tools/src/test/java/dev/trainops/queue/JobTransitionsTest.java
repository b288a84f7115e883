package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queue's state machine (docs/architecture.md, "Queue state machine"), every pair of states:
 * the moves the queue makes today are allowed and every other one is refused by
 * {@link QueuedJob#transition}, so no bug can store an impossible history.
 */
class JobTransitionsTest {
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    /** Every move the queue makes, and where it makes it. */
    static final Map<JobState, Set<JobState>> LEGAL = Map.of(
            JobState.QUEUED, EnumSet.of(JobState.QUEUED /* a pass updates a waiting job's reason */, JobState.SCHEDULED /* admitted */,
                    JobState.CANCELLED),
            JobState.SCHEDULED, EnumSet.of(JobState.RUNNING /* its pod runs */, JobState.SUCCEEDED /* a Job that ended before a pass saw
                    it run */, JobState.FAILED /* Job failed or deleted */, JobState.PREEMPTED /* a BACKGROUND job not started yet */,
                    JobState.CANCELLED),
            JobState.RUNNING, EnumSet.of(JobState.SUCCEEDED, JobState.FAILED /* also MAX_COST_REACHED */, JobState.PREEMPTED,
                    JobState.CANCELLED),
            JobState.PREEMPTED, EnumSet.of(JobState.QUEUED /* once its pods are gone */, JobState.CANCELLED),
            JobState.SUCCEEDED, EnumSet.noneOf(JobState.class),
            JobState.FAILED, EnumSet.noneOf(JobState.class),
            JobState.CANCELLED, EnumSet.noneOf(JobState.class));

    static Stream<Arguments> everyPair() {
        List<Arguments> out = new ArrayList<>();
        for (JobState from : JobState.values()) {
            for (JobState to : JobState.values()) {
                out.add(Arguments.of(from, to, LEGAL.get(from).contains(to)));
            }
        }
        return out.stream();
    }

    static QueuedJob in(JobState state) {
        JobSpec spec = new JobSpec("team-a", "run", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, Map.of(), false, null, null,
                1_000_000, 1200, null, null, null);
        return new QueuedJob("tj-000000000001", spec, new JobStatus(state, null, "as set up", T, state == JobState.QUEUED ? null : "h100-a",
                1, state != JobState.QUEUED, T, state == JobState.QUEUED ? null : T, null, null, null, 0));
    }

    static JobStatus status(JobState state) {
        return new JobStatus(state, null, "moved", T.plusSeconds(1), null, 1, false, T, null, null, null, null, 0);
    }

    @ParameterizedTest(name = "{0} -> {1}: allowed {2}")
    @MethodSource("everyPair")
    void aTransitionIsAllowedExactlyWhenTheStateMachineHasThatMove(JobState from, JobState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        QueuedJob job = in(from);
        if (allowed) {
            assertThat(job.transition(status(to)).state()).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> job.transition(status(to))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("job tj-000000000001 cannot move from " + from + " to " + to);
        }
    }

    @Test
    void theNamedChangesGoThroughTheCheckedTransition() {
        assertThatThrownBy(() -> in(JobState.SUCCEEDED).admittedTo("h100-a", T)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.RUNNING).admittedTo("h100-a", T)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.QUEUED).preemptedBy("tj-000000000002", "x", T)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.QUEUED).runningSince(T, T)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.RUNNING).requeuedAfterPreemption("x", T)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.CANCELLED).ended(JobState.CANCELLED, Reason.CANCELLED_BY_USER, "x", null, T))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.RUNNING).launchedNow()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in(JobState.RUNNING).ended(JobState.QUEUED, null, "x", null, T)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJobsLifeKeepsWhatWasAskedAndRecordsWhenEachChangeHappened() {
        QueuedJob queued = in(JobState.QUEUED);
        QueuedJob admitted = queued.admittedTo("h100-b", T.plusSeconds(10));
        QueuedJob running = admitted.launchedNow().runningSince(T.plusSeconds(15), T.plusSeconds(20));
        QueuedJob preempted = running.preemptedBy("tj-000000000009", "Preempted by URGENT job tj-000000000009.", T.plusSeconds(30));
        QueuedJob requeued = preempted.requeuedAfterPreemption(preempted.reasonDetail(), T.plusSeconds(40));
        assertThat(List.of(queued, admitted, running, preempted, requeued)).extracting(QueuedJob::spec).containsOnly(queued.spec());
        assertThat(admitted.status().changedAt()).isEqualTo(T.plusSeconds(10));
        assertThat(admitted.node()).isEqualTo("h100-b");
        assertThat(running.started()).isEqualTo(T.plusSeconds(15));
        assertThat(running.status().changedAt()).isEqualTo(T.plusSeconds(20));
        assertThat(preempted.preemptions()).isEqualTo(1);
        assertThat(requeued.state()).isEqualTo(JobState.QUEUED);
        assertThat(requeued.attempt()).isEqualTo(2);
        assertThat(requeued.kubeName()).isEqualTo("tj-000000000001-2");
        assertThat(requeued.submitted()).isEqualTo(T);
        assertThat(requeued.reason()).isEqualTo(Reason.PREEMPTED);
        assertThat(requeued.preemptedBy()).isEqualTo("tj-000000000009");
        assertThat(requeued.node()).isNull();
        assertThat(requeued.launched()).isFalse();
    }
}
