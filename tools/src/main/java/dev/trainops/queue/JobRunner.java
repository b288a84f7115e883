package dev.trainops.queue;

import java.time.Instant;

/** Where admitted jobs run: Kubernetes Jobs ({@link JobLauncher}), or nothing at all in the admission benchmark. */
public interface JobRunner {
    /** Starts the job's current attempt on its node; starting one that exists already is not an error. */
    void launch(QueuedJob job, String resource, Instant now);

    /** Stops the job's current attempt; one that is gone already is not an error. */
    void delete(QueuedJob job);
}
