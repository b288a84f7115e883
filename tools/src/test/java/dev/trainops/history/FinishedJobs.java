package dev.trainops.history;

import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import java.time.Instant;
import java.util.Map;

/** Jobs as the queue stores them once they have run: what trainops's own history is read from. */
public final class FinishedJobs {
    private FinishedJobs() {
    }

    /** A job that ran {@code seconds} on {@code gpus} x {@code gpuType} from {@code start}, and ended in {@code state}. */
    public static QueuedJob ended(String jobId, String runName, String model, String gpuType, int gpus, int epochs, int batch, Instant start,
                                  long seconds, JobState state) {
        JobSpec spec = new JobSpec("team-a", runName, model, model, Priority.NORMAL, 1000, gpuType, gpus, epochs, batch, Map.of("lr", "3e-4"),
                false, null, null, 0, 0, null, null, null);
        Instant submitted = start.minusSeconds(60);
        return QueuedJob.submitted(jobId, spec, submitted).admittedTo("gpu-node-1", start.minusSeconds(30)).runningSince(start, start)
                .ended(state, null, state + ".", start, start.plusSeconds(seconds));
    }

    public static QueuedJob succeeded(String jobId, String runName, String model, String gpuType, int gpus, int epochs, int batch,
                                      Instant start, long seconds) {
        return ended(jobId, runName, model, gpuType, gpus, epochs, batch, start, seconds, JobState.SUCCEEDED);
    }

    /** Succeeded after a preemption: its last attempt resumed from a checkpoint. */
    public static QueuedJob preemptedThenSucceeded(String jobId, String runName, String model, String gpuType, int epochs, int batch,
                                                   Instant start, long seconds) {
        JobSpec spec = new JobSpec("team-a", runName, model, model, Priority.NORMAL, 1000, gpuType, 1, epochs, batch, Map.of(), false, null,
                null, 0, 0, null, null, null);
        QueuedJob j = QueuedJob.submitted(jobId, spec, start.minusSeconds(600)).admittedTo("gpu-node-1", start.minusSeconds(590))
                .runningSince(start.minusSeconds(580), start.minusSeconds(580)).preemptedBy("tj-urgent", "preempted", start.minusSeconds(300))
                .requeuedAfterPreemption("back", start.minusSeconds(200));
        return j.admittedTo("gpu-node-1", start.minusSeconds(10)).runningSince(start, start)
                .ended(JobState.SUCCEEDED, null, "done", start, start.plusSeconds(seconds));
    }

    public static void store(QueueStore queue, QueuedJob... jobs) {
        for (QueuedJob j : jobs) {
            queue.store().inTransaction(0, c -> queue.insert(c, j));
        }
    }
}
