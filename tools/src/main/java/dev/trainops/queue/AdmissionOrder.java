package dev.trainops.queue;

import java.util.Comparator;

/** docs/queue.md rule 1: admission order is priority (desc), then submit time (asc), then job id. */
final class AdmissionOrder {
    public static final Comparator<QueuedJob> ORDER = Comparator.comparingInt(QueuedJob::priorityValue).reversed()
            .thenComparing(QueuedJob::submitted)
            .thenComparing(QueuedJob::jobId);

    private AdmissionOrder() {
    }
}
