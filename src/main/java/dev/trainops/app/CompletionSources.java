package dev.trainops.app;

import dev.trainops.access.Principal;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.Completions.Kind;
import dev.trainops.queue.QueuedJob;
import dev.trainops.registry.ListModelsRequest;
import dev.trainops.registry.ModelList;
import dev.trainops.registry.ModelService;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where the values offered for prompt arguments and resource-template variables come from
 * (docs/tools.md, "Completions"): teams from budgets.yaml and quotas.yaml; models and run names
 * from the queue's newest jobs, then the run history's newest runs; job ids from the queue; months
 * from the ledger's first usage to the clock's month. A backend still opening, or down, adds nothing.
 * Every kind but months offers only what the caller may see (rule 5): its teams, its teams' jobs,
 * and the runs and models of runs its teams own (rule 6).
 */
final class CompletionSources {
    /** How many of the newest jobs the queue's values come from. */
    static final int NEWEST_JOBS = 1000;

    private CompletionSources() {
    }

    static Completions of(List<String> teams, HistoryModule history, CostModule cost, QueueModule queue,
                          Optional<Supplier<ModelService>> models, Clock clock) {
        Completions.Builder b = Completions.builder();
        // registered models (promote_best_model's model): list_models's answer for the caller, so another team's is NOT_FOUND (rule 5)
        models.ifPresent(m -> b.addFor(Kind.REGISTERED_MODEL, p -> registered(m, p))
                .modelVisible((name, p) -> registered(m, p).contains(name)));
        return b
                .addFor(Kind.TEAM, p -> teams.stream().filter(p::sees).toList())
                .addFor(Kind.MODEL, p -> concat(fromJobs(queue, p, QueuedJob::model), fromHistory(history, p, HistoryModule.KnownRun::model)))
                .addFor(Kind.RUN, p -> concat(concat(fromJobs(queue, p, QueuedJob::runName),
                        fromHistory(history, p, HistoryModule.KnownRun::runName)), fromJobs(queue, p, QueuedJob::jobId)))
                .addFor(Kind.JOB_ID, p -> fromJobs(queue, p, QueuedJob::jobId))
                .add(Kind.MONTH, () -> Completions.months(firstBooked(cost), YearMonth.now(clock.withZone(ZoneOffset.UTC))))
                .jobTeams(id -> queue.find(id).map(QueuedJob::team))
                .runVisible((run, p) -> runVisible(history, queue, run, p))
                .build();
    }

    /** Whether {@code principal} sees the run {@code run} names: a job id or a queued job's run name of its teams, or a run of its teams in the history (rule 6). */
    private static boolean runVisible(HistoryModule history, QueueModule queue, String run, Principal principal) {
        if (queue.find(run).or(() -> queue.latestByRunName(run)).map(j -> principal.sees(j.team())).orElse(false)) {
            return true;
        }
        return history.runs.get().find(run, principal).runs().stream().anyMatch(r -> run.equals(r.runId()) || run.equals(r.runName()));
    }

    private static List<String> registered(Supplier<ModelService> models, Principal principal) {
        return models.get().list(new ListModelsRequest(null, null), principal).models().stream().map(ModelList.Model::name).toList();
    }

    private static List<String> fromJobs(QueueModule queue, Principal principal, Function<QueuedJob, String> value) {
        QueueModule.Stack q = queue.ifOpen();
        if (q == null) {
            return List.of();
        }
        return q.store().read(c -> q.store().newest(c, NEWEST_JOBS)).stream().filter(j -> principal.sees(j.team())).map(value).toList();
    }

    private static List<String> fromHistory(HistoryModule history, Principal principal, Function<HistoryModule.KnownRun, String> value) {
        try {
            return history.known.get().stream().filter(r -> principal.sees(r.team())).map(value).toList();
        } catch (RuntimeException e) {
            return List.of(); // MLflow down or the sandbox still seeding: the queue's values still count
        }
    }

    private static Optional<YearMonth> firstBooked(CostModule cost) {
        CostModule.Stack money = cost.ifOpen();
        return money == null ? Optional.empty() : money.ledger().firstBooked().map(t -> YearMonth.from(t.atZone(ZoneOffset.UTC)));
    }

    private static List<String> concat(List<String> first, List<String> then) {
        List<String> out = new ArrayList<>(first);
        out.addAll(then);
        return out;
    }
}
