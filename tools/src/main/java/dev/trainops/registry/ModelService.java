package dev.trainops.registry;

import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.compare.AccuracyGain;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.mlflow.MlflowException;
import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.ModelVersion;
import dev.trainops.mlflow.RegisteredModel;
import dev.trainops.names.SafeName;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The model registry tools of issue 18 (docs/tools.md, "Model registry"): register_model,
 * promote_model, get_model_lineage and list_models, over a {@link ModelRegistry} (MLflow, or the
 * sandbox's embedded one).
 *
 * <ul>
 *   <li>A model belongs to the team of the runs it is registered from, kept in its
 *       {@value #TEAM_TAG} tag; a member sees and changes its teams' models only, and another
 *       team's model is NOT_FOUND, worded as one that does not exist (DESIGN.md rule 1).</li>
 *   <li>register_model is idempotent per (run, name): the version already registered from the run
 *       is returned, not made again.</li>
 *   <li>promote_model applies {@link PromotionRules} as aliases: set the target alias, delete the
 *       version's former stages; never transition-stage. Every change is in the audit log.</li>
 *   <li>Lineage reads cost and GPU-hours from the ledger, every attempt of every job that logged to
 *       the run (preempted and interrupted ones included): the numbers the bill shows.</li>
 * </ul>
 */
public final class ModelService {
    public static final String TEAM_TAG = "trainops.team";
    static final String JOB_TAG = "trainops.job";
    static final String RUN_NAME_TAG = "trainops.run_name";
    static final String GPU_TYPE_TAG = "trainops.gpu_type";
    static final String GPU_HOURS_TAG = "trainops.gpu_hours";
    static final String COST_TAG = "trainops.cost";
    static final String CURRENCY_TAG = "trainops.currency";
    static final String ACCURACY_TAG = "trainops.accuracy";
    static final String REGISTERED_BY_TAG = "trainops.registered_by";
    static final String REGISTERED_AT_TAG = "trainops.registered_at";
    /** trainops.promoted.&lt;stage&gt;.{by,at,reason,previous,forced}: the latest promotion of the version to that stage. */
    static final String PROMOTED_PREFIX = "trainops.promoted.";
    /** How far apart a job's times and its run's may be (clocks, polling) and still be the same run. */
    static final Duration SAME_RUN_SLACK = Duration.ofMinutes(2);
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
    private static final Comparator<String> BY_NUMBER = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    private final ModelRegistry registry;
    private final ModelRun.Source runs;
    private final Supplier<QueueStore> queue;
    private final Supplier<Ledger> ledger;
    private final Currency currency;
    private final Clock clock;
    private final PromotionRules rules = new PromotionRules();

    /**
     * @param queue  the queue store (the jobs behind a run); a supplier because it opens in the background
     * @param ledger the usage ledger, likewise
     */
    public ModelService(ModelRegistry registry, ModelRun.Source runs, Supplier<QueueStore> queue, Supplier<Ledger> ledger, Currency currency,
                        Clock clock) {
        this.registry = registry;
        this.runs = runs;
        this.queue = queue;
        this.ledger = ledger;
        this.currency = currency;
        this.clock = clock;
    }

    // register_model

    public synchronized RegisteredVersion register(RegisterModelRequest r, CallContext call) {
        Principal who = call.principal();
        if (!who.canWrite()) {
            throw Access.forbiddenWrite(who, "register_model");
        }
        String runArg = SafeName.parse("run_id", r.runId(), "Use the run's id or name as MLflow shows it, e.g. run_id=llm-bs64.").value();
        String name = modelName(r.name());
        ModelRun run = upstream(() -> runs.find(runArg)).filter(x -> who.sees(x.team())).orElseThrow(() -> new ToolException(ErrorCode.NOT_FOUND,
                "No run " + Json.shorten(runArg) + ".", "Check the run id or name (MLflow UI, or get_job_queue_status for the run_name of a trainops job).",
                false, Map.of("argument", "run_id")));
        call.audit().concerns(run.team());
        if (!"FINISHED".equals(run.status())) {
            throw ToolException.invalidArgument("run_id", "Run " + label(run) + " is " + run.status() + "; only a finished run's model is registered.",
                    "Register it once it has FINISHED (get_job_queue_status shows its job).");
        }
        Optional<RegisteredModel> existing = upstream(() -> registry.model(name));
        if (existing.isPresent()) {
            String owner = teamOf(existing.get());
            if (owner == null ? !who.isAdmin() : !owner.equals(run.team())) {
                boolean visible = owner != null && who.sees(owner);
                throw new ToolException(ErrorCode.INVALID_ARGUMENT, "The name " + name + " is taken by "
                        + (visible ? "a model of " + owner + ", and run " + label(run) + " is " + run.team() + "'s" : "another model")
                        + "; a model's versions come from its own team's runs.",
                        "Pick another name, e.g. name=" + (run.team() == null ? "" : run.team() + "-") + name + ".", false, Map.of("argument", "name"));
            }
            Optional<ModelVersion> already = upstream(() -> registry.versions(name)).stream().filter(v -> run.runId().equals(v.runId()))
                    .min(Comparator.comparing(ModelVersion::version, BY_NUMBER));
            if (already.isPresent()) {
                ModelVersion v = upstream(() -> registry.version(name, already.get().version())).orElse(already.get());
                RegisteredModel model = upstream(() -> registry.model(name)).orElse(existing.get());
                return new RegisteredVersion(name, v.version(), v.source(), run.runId(), v.modelId(), false, trainopsTags(v.tags()),
                        lineage(model, v, Optional.of(run)));
            }
        }
        Bill bill = bill(run);
        ModelRegistry.Source source = upstream(() -> registry.sourceOf(run));
        Map<String, String> tags = new LinkedHashMap<>();
        if (run.team() != null) {
            tags.put(TEAM_TAG, run.team());
        }
        if (run.runName() != null) {
            tags.put(RUN_NAME_TAG, run.runName());
        }
        if (!bill.jobs().isEmpty()) {
            tags.put(JOB_TAG, bill.jobs().stream().map(ModelLineage.Job::jobId).collect(Collectors.joining(",")));
        }
        String gpuType = gpuType(run, bill);
        if (gpuType != null) {
            tags.put(GPU_TYPE_TAG, gpuType);
        }
        if (bill.cost() != null) {
            tags.put(GPU_HOURS_TAG, bill.gpuHours().toPlainString());
            tags.put(COST_TAG, bill.cost().toPlainString());
            tags.put(CURRENCY_TAG, currency.getCurrencyCode());
        }
        Double accuracy = run.finalAccuracy();
        if (accuracy != null) {
            tags.put(ACCURACY_TAG, Double.toString(accuracy));
        }
        tags.put(REGISTERED_BY_TAG, who.subject());
        tags.put(REGISTERED_AT_TAG, clock.instant().toString());
        if (existing.isEmpty()) {
            Map<String, String> modelTags = run.team() == null ? Map.of() : Map.of(TEAM_TAG, run.team());
            upstream(() -> registry.create(name, null, modelTags));
        } else if (teamOf(existing.get()) == null && run.team() != null) {
            // an admin registering into a model of no team gives it the run's
            upstream(() -> {
                registry.setModelTag(name, TEAM_TAG, run.team());
                return null;
            });
        }
        ModelVersion created = upstream(() -> registry.createVersion(new MlflowRegistry.NewVersion(name, source.uri(), run.runId(),
                source.modelId(), r.description(), tags)));
        call.audit().doneOutside(run.team(), "registered version " + created.version() + " of " + name + " from run " + run.runId());
        RegisteredModel model = upstream(() -> registry.model(name)).orElseThrow();
        ModelVersion v = upstream(() -> registry.version(name, created.version())).orElse(created);
        return new RegisteredVersion(name, v.version(), v.source(), run.runId(), v.modelId(), true, trainopsTags(v.tags()),
                lineage(model, v, Optional.of(run), bill));
    }

    // promote_model

    public synchronized PromotionAnswer promote(PromoteModelRequest r, CallContext call) {
        Principal who = call.principal();
        if (!who.canWrite()) {
            throw Access.forbiddenWrite(who, PromotionRules.TOOL);
        }
        String name = modelName(r.name());
        if (r.version() == null || r.version().isBlank()) {
            throw ToolException.invalidArgument("version", "promote_model needs the version to promote.",
                    "Give version as MLflow writes it, e.g. version=\"3\" (get_model_lineage or list_models show them).");
        }
        String version = r.version().trim();
        Stage stage = Stage.parse(r.stage());
        RegisteredModel model = upstream(() -> registry.model(name)).orElseThrow(() -> noModel(name));
        String team = teamOf(model);
        call.audit().concerns(team);
        // rule 1 before anything else is read: another team's model is one that does not exist
        Access.requireVisible(who, team, () -> noModel(name));
        List<ModelVersion> versions = upstream(() -> registry.versions(name));
        Map<String, Double> accuracy = new LinkedHashMap<>();
        for (ModelVersion v : versions) {
            Double a = number(v.tags().get(ACCURACY_TAG));
            if (a != null) {
                accuracy.put(v.version(), a);
            }
        }
        PromotionRules.ModelState state = new PromotionRules.ModelState(name, team, versions.stream().map(ModelVersion::version)
                .collect(Collectors.toSet()), model.aliases(), accuracy);
        PromotionRules.Decision decision = rules.decide(who, new PromotionRules.Promotion(name, version, stage, r.reason(),
                Boolean.TRUE.equals(r.force())), state);
        if (decision instanceof PromotionRules.Decision.AlreadyThere) {
            return new PromotionAnswer(name, version, stage.alias(), team, null, stage.alias(), List.of(), "NONE", false, false, r.reason(),
                    model.aliases());
        }
        PromotionRules.Decision.Move move = (PromotionRules.Decision.Move) decision;
        upstream(() -> {
            registry.setAlias(name, stage.alias(), version);
            for (Stage s : move.release()) {
                registry.deleteAlias(name, s.alias());
            }
            String at = PROMOTED_PREFIX + stage.alias() + ".";
            registry.setVersionTag(name, version, at + "by", who.subject());
            registry.setVersionTag(name, version, at + "at", clock.instant().toString());
            registry.setVersionTag(name, version, at + "reason", r.reason());
            registry.setVersionTag(name, version, at + "previous", move.previousHolder() == null ? "" : move.previousHolder());
            registry.setVersionTag(name, version, at + "forced", Boolean.toString(move.forced()));
            return null;
        });
        String what = "version " + version + " of " + name + ": " + (move.from() == null ? "no stage" : move.from().alias()) + " -> "
                + stage.alias() + " (" + move.kind() + (move.forced() ? ", forced past the accuracy guard" : "")
                + (move.previousHolder() == null ? "" : "; previous holder version " + move.previousHolder()) + ")";
        call.audit().doneOutside(team, what);
        Map<String, String> after = upstream(() -> registry.model(name)).map(RegisteredModel::aliases).orElse(Map.of());
        return new PromotionAnswer(name, version, stage.alias(), team, move.previousHolder(), move.from() == null ? null : move.from().alias(),
                move.release().stream().map(Stage::alias).toList(), move.kind().name(), true, move.forced(), r.reason(), after);
    }

    // get_model_lineage

    public ModelLineage lineage(ModelLineageRequest r, Principal who) {
        String name = modelName(r.name());
        RegisteredModel model = visibleModel(name, who);
        boolean byVersion = r.version() != null && !r.version().isBlank();
        boolean byAlias = r.alias() != null && !r.alias().isBlank();
        String version;
        if (byVersion) {
            version = r.version().trim();
            if (byAlias && !version.equals(model.aliases().get(r.alias().trim()))) {
                throw ToolException.invalidArgument("alias", "version " + version + " and alias " + r.alias().trim() + " name different versions of "
                        + name + ".", "Give version or alias, not both.");
            }
        } else if (byAlias) {
            String alias = r.alias().trim().toLowerCase(Locale.ROOT);
            version = model.aliases().get(alias);
            if (version == null) {
                throw new ToolException(ErrorCode.NOT_FOUND, name + " has no alias " + Json.shorten(alias) + (model.aliases().isEmpty() ? "; it has none yet."
                        : "; it has " + String.join(", ", new TreeMap<>(model.aliases()).keySet()) + "."),
                        "Promote a version to it with promote_model, or ask by version.", false, Map.of("argument", "alias"));
            }
        } else {
            version = upstream(() -> registry.versions(name)).stream().map(ModelVersion::version).max(BY_NUMBER)
                    .orElseThrow(() -> new ToolException(ErrorCode.NOT_FOUND, name + " has no versions yet.", "Register one with register_model."));
        }
        String wanted = version;
        ModelVersion v = upstream(() -> registry.version(name, wanted)).orElseThrow(() -> new ToolException(ErrorCode.NOT_FOUND,
                name + " has no version " + Json.shorten(wanted) + ".", "list_models shows its latest version; versions are 1, 2, ...", false,
                Map.of("argument", "version")));
        Optional<ModelRun> run = v.runId() == null ? Optional.empty() : readRun(v.runId());
        return lineage(model, v, run);
    }

    // list_models

    public ModelList list(ListModelsRequest r, Principal who) {
        String team = r.team() == null || r.team().isBlank() ? null : r.team().trim();
        if (team != null) {
            Access.requireVisible(who, team, () -> new ToolException(ErrorCode.NOT_FOUND, "No team '" + Json.shorten(team) + "'.",
                    who.isAdmin() ? "" : "List one of your teams (" + String.join(", ", who.teams()) + "), or omit team.", false,
                    Map.of("argument", "team")));
        }
        String filter = r.nameFilter() == null ? "" : r.nameFilter().trim().toLowerCase(Locale.ROOT);
        List<ModelList.Model> out = new ArrayList<>();
        for (RegisteredModel m : upstream(registry::models)) {
            String owner = teamOf(m);
            if (!who.sees(owner) || (team != null && !team.equals(owner)) || !m.name().toLowerCase(Locale.ROOT).contains(filter)) {
                continue;
            }
            String latest = m.latestVersions().stream().map(ModelVersion::version).max(BY_NUMBER).orElse(null);
            out.add(new ModelList.Model(m.name(), owner, m.description(), m.aliases(), latest, m.lastUpdatedTime()));
        }
        out.sort(Comparator.comparing(ModelList.Model::name));
        return new ModelList(registry.name(), out);
    }

    // lineage

    /** What the jobs behind a run were billed: each job with its attempts, and the totals (null cost: no job). */
    record Bill(List<ModelLineage.Job> jobs, BigDecimal gpuHours, BigDecimal cost, List<ModelLineage.RateLine> byRate, List<String> notes) {
    }

    Bill bill(ModelRun run) {
        List<String> notes = new ArrayList<>();
        List<QueuedJob> jobs = jobsOf(run, notes);
        List<ModelLineage.Job> out = new ArrayList<>();
        Map<String, long[]> seconds = new TreeMap<>();
        Map<String, BigDecimal> gpuSeconds = new TreeMap<>();
        Map<String, Money> cost = new TreeMap<>();
        BigDecimal totalGpuSeconds = BigDecimal.ZERO;
        Money total = Money.zero(currency);
        Ledger l = jobs.isEmpty() ? null : ledger.get();
        for (QueuedJob j : jobs) {
            List<Ledger.AttemptUsage> usage = l.queueJobUsage(j.team(), j.jobId());
            List<ModelLineage.AttemptLine> lines = new ArrayList<>();
            BigDecimal jobGpuSeconds = BigDecimal.ZERO;
            Money jobCost = Money.zero(currency);
            for (Ledger.AttemptUsage u : usage) {
                lines.add(new ModelLineage.AttemptLine(u.ledgerId(), u.rateClass().name(), u.seconds(), hours(u.gpuSeconds()), u.cost().amount()));
                jobGpuSeconds = jobGpuSeconds.add(u.gpuSeconds());
                jobCost = jobCost.plus(u.cost());
                seconds.computeIfAbsent(u.rateClass().name(), k -> new long[1])[0] += u.seconds();
                gpuSeconds.merge(u.rateClass().name(), u.gpuSeconds(), BigDecimal::add);
                cost.merge(u.rateClass().name(), u.cost(), Money::plus);
            }
            totalGpuSeconds = totalGpuSeconds.add(jobGpuSeconds);
            total = total.plus(jobCost);
            var s = j.status();
            out.add(new ModelLineage.Job(j.jobId(), j.team(), s.state().name(), j.gpuType(), j.gpuCount(), Math.max(s.attempt(), 1), s.preemptions(),
                    s.submitted(), s.started(), s.ended(), hours(jobGpuSeconds), jobCost.amount(), lines));
            if (!s.state().terminal()) {
                notes.add("Job " + j.jobId() + " is " + s.state() + ": its cost grows until it ends.");
            }
        }
        List<ModelLineage.RateLine> byRate = new ArrayList<>();
        cost.forEach((k, c) -> byRate.add(new ModelLineage.RateLine(k, seconds.get(k)[0], hours(gpuSeconds.get(k)), c.amount())));
        if (jobs.isEmpty()) {
            notes.add("No trainops job logged to run " + label(run) + ": its cost is not in the ledger.");
            return new Bill(out, null, null, byRate, notes);
        }
        return new Bill(out, hours(totalGpuSeconds), total.amount(), byRate, notes);
    }

    /** The queue's jobs that logged to this run: its name, its team, and times that overlap the run's. */
    private List<QueuedJob> jobsOf(ModelRun run, List<String> notes) {
        if (run.runName() == null) {
            return List.of();
        }
        QueueStore store;
        try {
            store = queue.get();
        } catch (ToolException e) {
            notes.add("The job queue is not open yet: jobs and cost are left out.");
            return List.of();
        }
        List<QueuedJob> named = store.read(c -> {
            try {
                return store.byRunName(c, run.runName());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the job queue: " + e.getMessage(), e);
            }
        });
        List<QueuedJob> out = new ArrayList<>();
        for (QueuedJob j : named) {
            if (run.team() != null && !run.team().equals(j.team())) {
                continue;
            }
            Instant submitted = j.status().submitted();
            Instant ended = j.status().ended();
            if (run.end() != null && submitted != null && submitted.isAfter(run.end().plus(SAME_RUN_SLACK))) {
                continue; // trained again under the same name, after this run
            }
            if (run.start() != null && ended != null && ended.isBefore(run.start().minus(SAME_RUN_SLACK))) {
                continue; // an earlier run of the same name
            }
            out.add(j);
        }
        return out;
    }

    private ModelLineage lineage(RegisteredModel model, ModelVersion v, Optional<ModelRun> run) {
        return lineage(model, v, run, run.map(this::bill).orElse(null));
    }

    private ModelLineage lineage(RegisteredModel model, ModelVersion v, Optional<ModelRun> run, Bill bill) {
        List<String> notes = new ArrayList<>();
        if (v.runId() != null && run.isEmpty()) {
            notes.add("Run " + v.runId() + " can no longer be read: params, metrics, jobs and cost are left out.");
        }
        if (bill != null) {
            notes.addAll(bill.notes());
        }
        List<String> aliases = model.aliases().entrySet().stream().filter(e -> e.getValue().equals(v.version())).map(Map.Entry::getKey)
                .sorted(Comparator.comparing((String a) -> Stage.ofAlias(a).map(Stage::ordinal).orElse(Stage.values().length)).thenComparing(a -> a))
                .toList();
        AccuracyGain gain = run.map(x -> AccuracyGain.of(x.accuracy(), x.params().get("baseline_accuracy"), Long.MAX_VALUE)).orElse(null);
        BigDecimal cost = bill == null ? null : bill.cost();
        BigDecimal perPoint = cost == null ? null : AccuracyGain.costPerPoint(new Money(cost, currency), gain);
        Double accuracy = run.map(ModelRun::finalAccuracy).orElse(number(v.tags().get(ACCURACY_TAG)));
        ModelLineage.Run runPart = run.map(x -> new ModelLineage.Run(x.runId(), x.runName(), x.experimentId(), x.status(), x.start(), x.end(),
                x.params(), finite(x.metrics()))).orElse(null);
        String registeredBy = v.tags().getOrDefault(REGISTERED_BY_TAG, v.userId());
        Instant registeredAt = instant(v.tags().get(REGISTERED_AT_TAG));
        return new ModelLineage(model.name(), v.version(), teamOf(model), registry.name(), v.source(), v.modelId(), aliases, registeredBy,
                registeredAt != null ? registeredAt : v.creationTime(), promotions(v.tags()), runPart,
                bill == null ? List.of() : bill.jobs(), currency.getCurrencyCode(), bill == null ? null : bill.gpuHours(), cost,
                bill == null ? List.of() : bill.byRate(), accuracy, gain, perPoint, v.tags(), notes);
    }

    /** The version's promotions from its trainops.promoted.&lt;stage&gt;.* tags, oldest first. */
    static List<ModelLineage.Promotion> promotions(Map<String, String> tags) {
        List<ModelLineage.Promotion> out = new ArrayList<>();
        for (Stage s : Stage.values()) {
            String at = PROMOTED_PREFIX + s.alias() + ".";
            Instant when = instant(tags.get(at + "at"));
            if (when == null) {
                continue;
            }
            String previous = tags.get(at + "previous");
            out.add(new ModelLineage.Promotion(s.alias(), tags.getOrDefault(at + "by", ""), when, tags.getOrDefault(at + "reason", ""),
                    previous == null || previous.isBlank() ? null : previous, Boolean.parseBoolean(tags.get(at + "forced"))));
        }
        out.sort(Comparator.comparing(ModelLineage.Promotion::at));
        return out;
    }

    // plumbing

    private RegisteredModel visibleModel(String name, Principal who) {
        RegisteredModel model = upstream(() -> registry.model(name)).orElseThrow(() -> noModel(name));
        Access.requireVisible(who, teamOf(model), () -> noModel(name));
        return model;
    }

    /** The one NOT_FOUND for a model, whether it does not exist or is another team's (rule 1); PromotionRules words it the same. */
    static ToolException noModel(String name) {
        return new ToolException(ErrorCode.NOT_FOUND, "No registered model " + name + ".", "Check the name with list_models.");
    }

    private Optional<ModelRun> readRun(String runId) {
        try {
            return upstream(() -> runs.find(runId));
        } catch (ToolException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static String teamOf(RegisteredModel m) {
        String t = m.tags().get(TEAM_TAG);
        return t == null || t.isBlank() ? null : t;
    }

    private static String modelName(String raw) {
        return SafeName.parse("name", raw, "Use a model name of letters, digits and _ . : / - (e.g. name=llm-tiny).").value();
    }

    private static String label(ModelRun run) {
        return run.runName() == null ? run.runId() : run.runName() + " (" + run.runId() + ")";
    }

    private static String gpuType(ModelRun run, Bill bill) {
        return bill.jobs().stream().map(ModelLineage.Job::gpuType).filter(t -> t != null && !t.isBlank()).findFirst()
                .orElse(run.params().get("gpu_type"));
    }

    private static BigDecimal hours(BigDecimal gpuSeconds) {
        return gpuSeconds.divide(SECONDS_PER_HOUR, Money.SCALE, RoundingMode.HALF_EVEN);
    }

    private static Map<String, String> trainopsTags(Map<String, String> tags) {
        Map<String, String> out = new TreeMap<>();
        tags.forEach((k, v) -> {
            if (k.startsWith("trainops.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Map<String, Double> finite(Map<String, Double> metrics) {
        Map<String, Double> out = new TreeMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Double number(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s.trim());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A registry or run read; MLflow's failures become the errors DESIGN.md names, never a Java class name. */
    private <T> T upstream(Supplier<T> call) {
        try {
            return call.get();
        } catch (MlflowException e) {
            boolean aboutTheRequest = e.status() == 400 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode());
            if (!aboutTheRequest) {
                // no answer, 5xx, 429 after the retries, or a 404 from a server that is not MLflow's registry
                throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "MLflow's model registry did not answer as MLflow (" + (e.status() == 0
                        ? "no answer" : "HTTP " + e.status()) + ").", "Check MLFLOW_TRACKING_URI and that the tracking server is up, then retry.",
                        true, Map.of("backend", "mlflow"));
            }
            throw new ToolException(ErrorCode.INVALID_ARGUMENT, "MLflow refused the request: " + Json.shorten(String.valueOf(e.getMessage())) + ".",
                    "Check the model name and version.", false, e.errorCode() == null ? Map.of() : Map.of("mlflow_error_code", e.errorCode()));
        }
    }

    // the tools

    /** register_model, promote_model, get_model_lineage and list_models, each on the service {@code service} supplies. */
    public static List<Tool<?, ?>> tools(Supplier<ModelService> service) {
        return List.of(
                new Tool<>("register_model", "Register a model version",
                        "Register a finished run's model as a new version of a registered model (created when new), in MLflow's model registry "
                                + "or the sandbox's. The run must be one of your team's; its model artifact is the source (runs:/<run_id>/model on "
                                + "MLflow 2.x, the run's logged model on MLflow 3). The version is tagged with the trainops job id, GPU type, "
                                + "GPU-hours, cost and accuracy. Registering the same run under the same name again returns the same version. "
                                + "Returns the version, its source and its lineage (run, jobs, GPU-hours, cost, accuracy).",
                        RegisterModelRequest.class, RegisteredVersion.class, new ToolHints(false, false, true, false),
                        (r, call) -> service.get().register(r, call),
                        a -> a.name() + " version " + a.version() + (a.created() ? " registered" : " (already registered)") + " from run " + a.runId()
                                + costText(a.lineage()), Set.of()),
                new Tool<>("promote_model", "Promote a model version",
                        "Move a model version to a stage: dev, staging or production, kept as MLflow aliases (never the deprecated "
                                + "transition-stage). Members move their team's versions forward one stage at a time (none -> dev -> staging -> "
                                + "production); skipping a stage or moving back is an admin's (FORBIDDEN otherwise). A version whose accuracy is "
                                + "below the current holder's needs force=true. Needs a reason; every promotion is in the audit log. Returns the "
                                + "version that held the stage before and the aliases after.",
                        PromoteModelRequest.class, PromotionAnswer.class, new ToolHints(false, false, true, false),
                        (r, call) -> service.get().promote(r, call),
                        a -> a.name() + " version " + a.version() + (a.changed() ? " -> " + a.stage() + " (" + a.kind()
                                + (a.previousHolder() == null ? "" : ", replacing version " + a.previousHolder()) + ")" : " already in " + a.stage())
                                + ".", Set.of()),
                new Tool<>("get_model_lineage", "Model version lineage",
                        "Where a model version comes from: the version (by number or alias, default the latest) -> the run (params, metrics) "
                                + "-> the trainops job(s) that ran it, every attempt including preempted ones -> what the ledger billed (GPU-hours "
                                + "and cost, by rate class) -> cost per accuracy point; who registered and promoted it, when, and why.",
                        ModelLineageRequest.class, ModelLineage.class, ToolHints.READ_ONLY, (r, call) -> service.get().lineage(r, call.principal()),
                        a -> a.name() + " version " + a.version() + (a.aliases().isEmpty() ? "" : " (" + String.join(", ", a.aliases()) + ")")
                                + (a.run() == null ? "" : " from run " + a.run().runId()) + (a.jobs().isEmpty() ? "" : ", job(s) "
                                + a.jobs().stream().map(ModelLineage.Job::jobId).collect(Collectors.joining(", "))) + costText(a), Set.of()),
                new Tool<>("list_models", "List registered models",
                        "Registered models you may see (your teams'), optionally filtered by name or team: each with its stage aliases "
                                + "(dev, staging, production), latest version and owning team.",
                        ListModelsRequest.class, ModelList.class, ToolHints.READ_ONLY, (r, call) -> service.get().list(r, call.principal()),
                        a -> a.models().size() + " model(s)" + a.models().stream().limit(5).map(m -> " " + m.name() + " v" + m.latestVersion()
                                + (m.aliases().isEmpty() ? "" : " " + new TreeMap<>(m.aliases())))
                                .collect(Collectors.joining(",")) + ".", Set.of()));
    }

    private static String costText(ModelLineage l) {
        if (l.cost() == null) {
            return ".";
        }
        return "; " + l.gpuHours().stripTrailingZeros().toPlainString() + " GPU-h, " + new Money(l.cost(), Currency.getInstance(l.currency())).display()
                + (l.costPerAccuracyPoint() == null ? "" : ", " + new Money(l.costPerAccuracyPoint(), Currency.getInstance(l.currency())).display()
                + " per accuracy point") + ".";
    }
}
