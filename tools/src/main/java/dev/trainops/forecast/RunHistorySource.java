package dev.trainops.forecast;

import dev.trainops.access.Principal;
import java.time.Instant;
import java.util.List;

/** Where forecasts find run history: MLflow, or the sandbox's embedded run store. */
public interface RunHistorySource {
    /**
     * The runs a name stands for: the run with this id, else runs with this run name, else the runs
     * whose {@code model} param is this name (past runs standing in for a job not yet started).
     */
    Found find(String nameOrId);

    /** Short name shown in answers ("mlflow", "sandbox"). */
    String name();

    /**
     * What {@link #find} finds that {@code principal} may see (rule 6): runs of its teams, every
     * run for an admin. A name that stands only for runs it may not see finds nothing.
     */
    default Found find(String nameOrId, Principal principal) {
        Found all = find(nameOrId);
        return principal.isAdmin() ? all : new Found(all.runs().stream().filter(r -> principal.sees(r.team())).toList(), all.asOf(), all.stale());
    }

    /** This source as {@code principal} sees it: every {@link #find} answers what {@link #find(String, Principal)} does. */
    static RunHistorySource visibleTo(RunHistorySource source, Principal principal) {
        if (principal.isAdmin()) {
            return source;
        }
        return new RunHistorySource() {
            @Override
            public Found find(String nameOrId) {
                return source.find(nameOrId, principal);
            }

            @Override
            public String name() {
                return source.name();
            }
        };
    }

    /**
     * Runs found, and how fresh they are: {@code asOf} is when the oldest piece was read from the
     * source, {@code stale} says a refresh failed and an older copy is being served.
     */
    record Found(List<HistoricRun> runs, Instant asOf, boolean stale) {
        public Found {
            runs = List.copyOf(runs);
        }
    }
}
