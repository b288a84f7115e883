package dev.trainops.queue;

import java.time.Instant;
import java.util.List;

/** What the scheduler tells observers (metrics) after each pass has committed. */
public interface QueueEvents {

    /** One pass: jobs admitted, preempted and ended in it, and the queue left waiting. */
    void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended, List<QueuedJob> waiting,
                   int active);

    /** One job event, after the change it reports was committed. */
    default void onJobEvent(JobEvent event) {
    }

    QueueEvents NONE = (now, admitted, preempted, ended, waiting, active) -> {
    };
}
