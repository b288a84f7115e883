package dev.trainops.forecast;

import dev.trainops.names.JobId;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Lets forecasts name a queued or running trainops job by its id (tj-...): a running job's own run
 * when it has logged epochs, else the past runs of its model, as for a job not yet started.
 */
final class JobAwareHistory implements RunHistorySource {
    private final RunHistorySource inner;
    private final Function<String, Optional<ForecastService.JobRef>> jobs;

    JobAwareHistory(RunHistorySource inner, Function<String, Optional<ForecastService.JobRef>> jobs) {
        this.inner = inner;
        this.jobs = jobs;
    }

    @Override
    public Found find(String nameOrId) {
        if (!JobId.isValid(nameOrId)) {
            return inner.find(nameOrId);
        }
        Optional<ForecastService.JobRef> job = jobs.apply(nameOrId);
        if (job.isEmpty()) {
            return new Found(List.of(), null, false);
        }
        Found own = inner.find(job.get().runName());
        boolean started = own.runs().stream().anyMatch(r -> r.runName().equals(job.get().runName()) && !r.epochMetric().isEmpty());
        return started ? own : inner.find(job.get().model());
    }

    @Override
    public String name() {
        return inner.name();
    }
}
