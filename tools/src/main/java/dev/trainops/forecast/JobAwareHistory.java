package dev.trainops.forecast;

import dev.trainops.access.Principal;
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
        return find(nameOrId, Principal.LOCAL);
    }

    /** Another team's job is no job (rule 1); its model's history is the runs {@code principal} sees (rule 6). */
    @Override
    public Found find(String nameOrId, Principal principal) {
        if (!JobId.isValid(nameOrId)) {
            return inner.find(nameOrId, principal);
        }
        Optional<ForecastService.JobRef> job = jobs.apply(nameOrId).filter(j -> principal.sees(j.team()));
        if (job.isEmpty()) {
            return new Found(List.of(), null, false);
        }
        Found own = inner.find(job.get().runName(), principal);
        boolean started = own.runs().stream().anyMatch(r -> r.runName().equals(job.get().runName()) && !r.epochMetric().isEmpty());
        return started ? own : inner.find(job.get().model(), principal);
    }

    @Override
    public String name() {
        return inner.name();
    }
}
