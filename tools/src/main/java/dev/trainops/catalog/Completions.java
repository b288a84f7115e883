package dev.trainops.catalog;

import dev.trainops.access.Principal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values a client may offer while the user types a prompt argument or a resource-template
 * variable (MCP {@code completion/complete}), chosen by the argument's name: teams, models, run
 * names and job ids, months (docs/tools.md, "Completions"). Each kind reads its values from the
 * domain when asked, in the order its source gives (newest first where there is one); the answer
 * keeps those that start with what was typed, ignoring case, at most {@value #MAX_VALUES}, with
 * how many matched. A source that cannot answer (the store still opening) completes nothing: a
 * completion is a convenience and never fails the request. Each answer is for one caller: it holds
 * only the teams, jobs, runs and models that principal may see (DESIGN.md, "Identity and tenancy",
 * rule 5), and {@link #requireVisible} refuses a prompt argument naming another team, its job or its run.
 */
public final class Completions {
    /** The most values one answer carries (the MCP spec's limit). */
    public static final int MAX_VALUES = 100;
    private static final Logger log = LoggerFactory.getLogger(Completions.class);

    /** What an argument names, by the names the prompts and resource templates use. */
    public enum Kind {
        TEAM("team"), MODEL("model"), RUN("run_id"), JOB_ID("job_id"), MONTH("month"),
        /** A registered model's name (a prompt argument with {@code completes: registered_model}). */
        REGISTERED_MODEL("registered_model");

        private final String argument;

        Kind(String argument) {
            this.argument = argument;
        }

        /** The prompt argument or template variable this kind completes. */
        public String argument() {
            return argument;
        }

        /** The kind of {@code argument}; empty for an argument nothing completes (epochs, budget). */
        public static Optional<Kind> of(String argument) {
            for (Kind k : values()) {
                if (k.argument.equals(argument)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** Up to {@value #MAX_VALUES} values, how many matched in all, and whether some were left out. */
    public record Answer(List<String> values, int total, boolean hasMore) {
        public static final Answer NONE = new Answer(List.of(), 0, false);

        public Answer {
            values = List.copyOf(values);
            if (values.size() > MAX_VALUES) {
                throw new IllegalArgumentException("an answer carries at most " + MAX_VALUES + " values, got " + values.size());
            }
        }
    }

    private final Map<Kind, Function<Principal, ? extends Collection<String>>> sources;
    private final Function<String, Optional<String>> jobTeams;
    private final BiPredicate<String, Principal> runVisible;
    private final BiPredicate<String, Principal> modelVisible;

    private Completions(Map<Kind, Function<Principal, ? extends Collection<String>>> sources, Function<String, Optional<String>> jobTeams,
                        BiPredicate<String, Principal> runVisible, BiPredicate<String, Principal> modelVisible) {
        this.sources = Map.copyOf(sources);
        this.jobTeams = jobTeams;
        this.runVisible = runVisible;
        this.modelVisible = modelVisible;
    }

    public static Completions none() {
        return new Completions(Map.of(), id -> Optional.empty(), (run, principal) -> false, (model, principal) -> false);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code argument} has values to offer. */
    public boolean completes(String argument) {
        return Kind.of(argument).map(sources::containsKey).orElse(false);
    }

    /** The values of {@code argument} that start with {@code typed} (null or empty: all), as the local admin sees them. */
    public Answer complete(String argument, String typed) {
        return complete(argument, typed, Principal.LOCAL);
    }

    /** The values of {@code argument} that start with {@code typed} and that {@code principal} may see (rule 5). */
    public Answer complete(String argument, String typed, Principal principal) {
        Optional<Kind> kind = Kind.of(argument);
        if (kind.isEmpty() || !sources.containsKey(kind.get())) {
            return Answer.NONE;
        }
        Collection<String> candidates;
        try {
            candidates = sources.get(kind.get()).apply(principal);
        } catch (RuntimeException e) {
            log.debug("no completion for {}: {}", argument, e.getMessage());
            return Answer.NONE;
        }
        return matching(candidates, typed);
    }

    /**
     * Rule 5 for prompts: a {@code team} argument must name one of {@code principal}'s teams, a
     * {@code job_id} one of its teams' jobs, a {@code run_id} a run or job it sees (rule 6; an
     * admin: anything); else NOT_FOUND, the same for another team's and for one that does not exist.
     */
    public void requireVisible(Map<String, String> arguments, Principal principal) {
        if (principal.isAdmin() || arguments == null) {
            return;
        }
        String team = arguments.get(Kind.TEAM.argument());
        if (team != null && !team.isBlank() && !principal.sees(team.trim())) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No team '" + Json.shorten(team.trim()) + "'.",
                    "Name one of your teams: " + String.join(", ", principal.teams()) + ".", false, Map.of("argument", "team"));
        }
        String job = arguments.get(Kind.JOB_ID.argument());
        if (job != null && !job.isBlank() && !jobOwner(job.trim()).map(principal::sees).orElse(false)) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No job '" + Json.shorten(job.trim()) + "'.",
                    "Name one of your teams' jobs (get_job_queue_status lists them).", false, Map.of("argument", "job_id"));
        }
        String run = arguments.get(Kind.RUN.argument());
        if (run != null && !run.isBlank() && !seesRun(run.trim(), principal)) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No run '" + Json.shorten(run.trim()) + "'.",
                    "Name a run or job of your teams (completion offers them).", false, Map.of("argument", "run_id"));
        }
        String model = arguments.get(Kind.REGISTERED_MODEL.argument());
        if (model != null && !model.isBlank() && !seesModel(model.trim(), principal)) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No registered model '" + Json.shorten(model.trim()) + "'.",
                    "Name one of your teams' models (list_models lists them).", false, Map.of("argument", "model"));
        }
    }

    private boolean seesModel(String model, Principal principal) {
        try {
            return modelVisible.test(model, principal);
        } catch (RuntimeException e) {
            return false; // the registry down: no model can be shown to be the caller's
        }
    }

    private boolean seesRun(String run, Principal principal) {
        try {
            return runVisible.test(run, principal);
        } catch (RuntimeException e) {
            return false; // the history or the store still opening: no run can be shown to be the caller's
        }
    }

    private Optional<String> jobOwner(String jobId) {
        try {
            return jobTeams.apply(jobId);
        } catch (RuntimeException e) {
            return Optional.empty(); // the store still opening: no job can be shown to be the caller's
        }
    }

    /** {@code candidates} (nulls and repeats dropped, order kept) that start with {@code typed}, ignoring case. */
    static Answer matching(Collection<String> candidates, String typed) {
        String prefix = typed == null ? "" : typed.toLowerCase(Locale.ROOT);
        Set<String> matched = new LinkedHashSet<>();
        for (String c : candidates) {
            if (c != null && !c.isEmpty() && c.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                matched.add(c);
            }
        }
        List<String> values = matched.stream().limit(MAX_VALUES).toList();
        return new Answer(values, matched.size(), matched.size() > values.size());
    }

    /** The months from {@code first} (or {@code now} when there is none) to {@code now}, newest first, as YYYY-MM. */
    public static List<String> months(Optional<YearMonth> first, YearMonth now) {
        List<String> out = new ArrayList<>();
        YearMonth from = first.filter(f -> f.isBefore(now)).orElse(now);
        for (YearMonth m = now; !m.isBefore(from); m = m.minusMonths(1)) {
            out.add(m.toString());
        }
        return out;
    }

    public static final class Builder {
        private final Map<Kind, Function<Principal, ? extends Collection<String>>> sources = new EnumMap<>(Kind.class);
        private Function<String, Optional<String>> jobTeams = id -> Optional.empty();
        private BiPredicate<String, Principal> runVisible = (run, principal) -> false;
        private BiPredicate<String, Principal> modelVisible = (model, principal) -> false;

        private Builder() {
        }

        /** Where {@code kind}'s values come from, read at each request, the same for every caller. */
        public Builder add(Kind kind, Supplier<? extends Collection<String>> values) {
            return addFor(kind, principal -> values.get());
        }

        /** Where {@code kind}'s values come from, read at each request for the calling principal (rule 5). */
        public Builder addFor(Kind kind, Function<Principal, ? extends Collection<String>> values) {
            if (sources.putIfAbsent(kind, values) != null) {
                throw new IllegalArgumentException("completion kind " + kind + " has a source already");
            }
            return this;
        }

        /** The team of a job by its id, empty when there is no such job: what {@link #requireVisible} checks a job_id by. */
        public Builder jobTeams(Function<String, Optional<String>> teamOfJob) {
            this.jobTeams = java.util.Objects.requireNonNull(teamOfJob, "teamOfJob must not be null");
            return this;
        }

        /**
         * Whether a principal sees a run named by its id, its name or its job's id (rule 6): what
         * {@link #requireVisible} checks a run_id by.
         */
        public Builder runVisible(BiPredicate<String, Principal> visible) {
            this.runVisible = java.util.Objects.requireNonNull(visible, "visible must not be null");
            return this;
        }

        /** Whether a principal sees the registered model of this name (its team's; an admin: any): what {@link #requireVisible} checks a registered model by. */
        public Builder modelVisible(BiPredicate<String, Principal> visible) {
            this.modelVisible = java.util.Objects.requireNonNull(visible, "visible must not be null");
            return this;
        }

        public Completions build() {
            return new Completions(sources, jobTeams, runVisible, modelVisible);
        }
    }
}
