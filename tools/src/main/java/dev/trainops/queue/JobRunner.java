package dev.trainops.queue;

import dev.trainops.access.Principal;
import java.time.Instant;

/** Where admitted jobs run: Kubernetes Jobs ({@link JobLauncher}), or nothing at all in the admission benchmark. */
public interface JobRunner {
    /** Starts the job's current attempt on its node; starting one that exists already is not an error. */
    void launch(QueuedJob job, String resource, Instant now);

    /** Stops the job's current attempt; one that is gone already is not an error. */
    void delete(QueuedJob job);

    /**
     * Stops it at {@code canceller}'s request (cancel_training_job); under {@code --kube-impersonate}
     * the cluster call is made as them (DESIGN.md rule 9). Without impersonation, the same as {@link #delete(QueuedJob)}.
     */
    default void delete(QueuedJob job, Principal canceller) {
        delete(job);
    }
}
