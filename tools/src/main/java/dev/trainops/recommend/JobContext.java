package dev.trainops.recommend;

import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.Map;

/**
 * What the trainops queue knows of the job behind a run: its resources and schedule, which the
 * run's params may not say (priority decides whether it can wait for off-peak hours).
 */
public record JobContext(String jobId, String runName, String model, String team, String priority, String gpuType, int gpuCount, int epochs,
                         int batchSize, boolean spot, @Nullable Instant notBefore, String state, Map<String, String> params) {
    public JobContext {
        params = Map.copyOf(params);
    }

    /** Finds jobs by the run they log to, or by their job id (tj-...). */
    public interface Lookup {
        java.util.Optional<JobContext> byRunName(String runName);

        java.util.Optional<JobContext> byJobId(String jobId);

        Lookup NONE = new Lookup() {
            @Override
            public java.util.Optional<JobContext> byRunName(String runName) {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<JobContext> byJobId(String jobId) {
                return java.util.Optional.empty();
            }
        };
    }
}
