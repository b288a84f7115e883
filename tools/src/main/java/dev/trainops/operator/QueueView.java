package dev.trainops.operator;

import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueueStatusRequest;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queue as the controller saw it at one resync: each job get_job_queue_status shows (every job not ended, and
 * those ended in the last {@link #WINDOW}) as the tool answers it (state, reason, position, ETA, cost so far) and as
 * stored (its owner, its submitter). One read per resync serves every object's reconcile.
 */
record QueueView(Instant at, Map<String, QueueAnswer> answers, Map<String, QueuedJob> jobs) {
    /** get_job_queue_status's window for ended jobs. */
    static final Duration WINDOW = Duration.ofHours(24);

    static final QueueView EMPTY = new QueueView(Instant.EPOCH, Map.of(), Map.of());

    static QueueView read(JobQueue queue, Principal principal, Instant now) {
        Map<String, QueueAnswer> answers = new LinkedHashMap<>();
        for (QueueAnswer a : queue.status(new QueueStatusRequest(null, null), principal).jobs()) {
            answers.put(a.jobId(), a);
        }
        QueueStore store = queue.store();
        Map<String, QueuedJob> jobs = new LinkedHashMap<>();
        for (QueuedJob j : store.read(c -> store.currentAndSince(c, now.minus(WINDOW)))) {
            jobs.put(j.jobId(), j);
        }
        return new QueueView(now, Map.copyOf(answers), Map.copyOf(jobs));
    }

    /** The tool's answer for {@code jobId}: from this view, else (an older job) asked of the queue; empty when there is no such job. */
    Optional<QueueAnswer> answer(JobQueue queue, Principal principal, String jobId) {
        QueueAnswer a = answers.get(jobId);
        if (a != null) {
            return Optional.of(a);
        }
        try {
            List<QueueAnswer> one = queue.status(new QueueStatusRequest(null, jobId), principal).jobs();
            return one.stream().findFirst();
        } catch (ToolException e) {
            if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.INVALID_ARGUMENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The stored job: from this view, else read. */
    Optional<QueuedJob> job(JobQueue queue, String jobId) {
        QueuedJob j = jobs.get(jobId);
        if (j != null) {
            return Optional.of(j);
        }
        QueueStore store = queue.store();
        return store.read(c -> store.find(c, jobId));
    }
}
