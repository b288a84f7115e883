package dev.trainops.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What the queue tells observers: the metrics after each pass has committed, and each job event
 * twice, inside the transaction of its change ({@link #inTransaction}, the event log every replica's
 * sessions hear from) and after the commit ({@link #onJobEvent}, this process's observers).
 */
public interface QueueEvents {

    /** One pass: jobs admitted, preempted and ended in it, and the queue left waiting, each job with the reason this pass gave it. */
    void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended, List<QueuedJob> waiting,
                   int active);

    /** One job event, after the change it reports was committed. */
    default void onJobEvent(JobEvent event) {
    }

    /**
     * One job event, written in {@code c}, the transaction that makes the change it reports, so the
     * two commit together or not at all (the event log, docs/architecture.md "Events"). A failure
     * here fails the transaction: no change goes out without its event.
     */
    default void inTransaction(Connection c, JobEvent event) throws SQLException {
    }

    QueueEvents NONE = (now, admitted, preempted, ended, waiting, active) -> {
    };
}
