package dev.trainops.queue;

import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.TariffCalendar;
import dev.trainops.names.JobId;
import dev.trainops.names.SafeName;
import dev.trainops.names.TeamName;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * queue_training_job, get_job_queue_status and cancel_training_job over the durable queue, with
 * DESIGN.md's submission outcomes: malformed input, a request that can never fit, or one above
 * max_cost or the budget left is an error and stores nothing; everything else is queued (and
 * admitted at once when it can be), with the reason it waits and warnings that never block.
 */
public final class QueueService {

    private final QueueStore queue;
    private final Scheduler scheduler;
    private final PriorityConfig priorities;
    private final QuotaConfig quotas;
    private final Estimator estimator;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final PriceBook prices;
    private final Clock clock;

    public QueueService(QueueStore queue, Scheduler scheduler, PriorityConfig priorities, QuotaConfig quotas, Estimator estimator,
                        Function<String, Optional<BudgetStatus>> budgets, PriceBook prices, Clock clock) {
        this.queue = queue;
        this.scheduler = scheduler;
        this.priorities = priorities;
        this.quotas = quotas;
        this.estimator = estimator;
        this.budgets = budgets;
        this.prices = prices;
        this.clock = clock;
    }

    static String newJobId() {
        return Ids.random("tj-");
    }

    /** Checks and prices a submission, then stores it; nothing is stored when this throws. */
    public QueuedJob prepare(QueueRequest r, String batchId, Integer batchIndex, String idempotencyKey) {
        Instant now = clock.instant();
        String team = team(r.team());
        String model = name(r.model(), "model");
        String runName = name(r.runName(), "run_name");
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        boolean spot = Boolean.TRUE.equals(r.spot());
        TariffCalendar calendar = prices.current(now).calendar();
        Instant notBefore = schedule(r.schedule(), now, calendar);
        String requestedType = r.gpuType() == null ? null : gpuType(r.gpuType());
        Optional<Estimator.Estimate> estimate = estimator.estimate(model, r.epochs(), r.batchSize(), requestedType, gpus, spot,
                notBefore == null ? now : notBefore);
        String gpuType = requestedType != null ? requestedType : estimate.map(Estimator.Estimate::gpuType).orElseThrow(() ->
                ToolException.invalidArgument("gpu_type", "Model '" + model + "' has no past runs to take a GPU type from.",
                        "Give gpu_type, e.g. " + String.join(", ", clusterTypes()) + "."));
        fitsEver(team, gpuType, gpus);
        Long maxCost = r.maxCost() == null ? null : maxCost(r.maxCost());
        long costMicros = estimate.map(e -> e.cost().toMicros()).orElse(0L);
        if (maxCost != null && estimate.isPresent() && costMicros > maxCost) {
            throw overBudget("This job's estimated cost, " + estimate.get().cost().display() + ", is above its max_cost of "
                    + Money.micros(maxCost, prices.currency()).display() + ".", r, maxCost, estimate.get(), now);
        }
        Optional<BudgetStatus> budget = budgets.apply(team);
        if (budget.isPresent() && estimate.isPresent()) {
            long left = budget.get().remaining().movePointRight(Money.SCALE).longValue();
            if (costMicros > left) {
                throw overBudget("This job's estimated cost, " + estimate.get().cost().display() + ", is above what is left of team "
                        + team + "'s " + budget.get().period().name().toLowerCase(Locale.ROOT) + " budget: "
                        + Money.micros(Math.max(0, left), prices.currency()).display() + " of " + money(budget.get().limit()) + ".",
                        r, Math.max(0, left), estimate.get(), now);
            }
        }
        Priority priority = r.priority() != null ? r.priority() : priorities.forModel(model);
        Map<String, String> params = new LinkedHashMap<>(r.params() == null ? Map.of() : r.params());
        if (r.schedule() != null) {
            params.put("trainops.schedule", r.schedule().trim().toLowerCase(Locale.ROOT).equals("off_peak") ? "off_peak" : r.schedule().trim());
        }
        if (estimate.isEmpty()) {
            params.put("trainops.estimate", "none");
        }
        String experiment = params.getOrDefault("experiment", model);
        if (Json.MAPPER.writeValueAsString(params).length() > 4000) {
            throw ToolException.invalidArgument("params", "Argument 'params' is too large (over 4,000 characters as JSON).",
                    "Pass fewer or shorter parameters; put large configuration in a file the job reads.");
        }
        return new QueuedJob(newJobId(), idempotencyKey, team, runName, model, experiment, priority, priorities.spec(priority).value(),
                gpuType, gpus, r.epochs(), r.batchSize(), params, spot, notBefore, maxCost, costMicros,
                estimate.map(Estimator.Estimate::seconds).orElse(0L), JobState.QUEUED, null, "Queued at " + now + ".", null, 1, false,
                now, null, null, null, null, 0, batchId, batchIndex);
    }

    public QueueAnswer submit(QueueRequest r) {
        String key = r.idempotencyKey() == null || r.idempotencyKey().isBlank() ? null : r.idempotencyKey().trim();
        if (key != null) {
            Optional<QueuedJob> existing = queue.read(c -> queue.byIdempotencyKey(c, key));
            if (existing.isPresent()) {
                return answer(existing.get(), List.of("Already submitted with this idempotency_key: the job is returned as it stands."));
            }
        }
        QueuedJob job = prepare(r, null, null, key);
        QueuedJob stored = queue.store().inTransaction(0, c -> queue.insert(c, job));
        List<String> warnings = new ArrayList<>();
        if (!stored.jobId().equals(job.jobId())) {
            warnings.add("Already submitted with this idempotency_key: the job is returned as it stands.");
        }
        scheduler.pass();
        QueuedJob now = queue.read(c -> queue.find(c, stored.jobId())).orElse(stored);
        quotaWarning(now.team()).ifPresent(warnings::add);
        if (now.params().containsKey("trainops.estimate")) {
            warnings.add("Model '" + now.model() + "' has no run history: no cost estimate, so max_cost and the budget are checked "
                    + "on usage only.");
        }
        return answer(now, warnings);
    }

    public QueueStatus status(QueueStatusRequest r) {
        Instant now = clock.instant();
        String team = r.team() == null || r.team().isBlank() ? null : r.team().trim();
        String jobId = JobId.parseOptional("job_id", r.jobId()).map(JobId::value).orElse(null);
        List<QueuedJob> jobs = queue.read(c -> queue.currentAndSince(c, now.minus(Duration.ofHours(24))));
        List<QueuedJob> shown = jobs.stream().filter(j -> (team == null || j.team().equals(team)) && (jobId == null || j.jobId().equals(jobId)))
                .sorted(Comparator.comparing((QueuedJob j) -> j.state() == JobState.QUEUED ? 0 : j.state().active() ? 1 : 2)
                        .thenComparing(AdmissionOrder.ORDER))
                .toList();
        if (jobId != null && shown.isEmpty()) {
            Optional<QueuedJob> old = queue.read(c -> queue.find(c, jobId));
            if (old.isEmpty()) {
                throw new ToolException(ErrorCode.NOT_FOUND, "No job " + jobId + ".", "List jobs with get_job_queue_status and no job_id.",
                        false, Map.of("argument", "job_id"));
            }
            shown = List.of(old.get());
        }
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        Money queuedCost = Money.zero(prices.currency());
        for (QueuedJob j : shown) {
            counts.merge(j.state(), 1, Integer::sum);
            if (j.state() == JobState.QUEUED) {
                queuedCost = queuedCost.plus(Money.micros(j.estimatedCostMicros(), prices.currency()));
            }
        }
        return new QueueStatus(now, shown.stream().map(j -> answer(j, List.of())).toList(), counts, prices.currency().getCurrencyCode(),
                queuedCost.amount());
    }

    public CancelAnswer cancel(CancelRequest r) {
        String jobId = JobId.parse("job_id", r.jobId()).value();
        String why = r.reason() == null || r.reason().isBlank() ? "no reason given" : r.reason().trim();
        Instant now = clock.instant();
        QueuedJob[] before = new QueuedJob[1];
        QueuedJob after = queue.store().inTransaction(QueueStore.ADMISSION_LOCK, c -> {
            QueuedJob j = queue.find(c, jobId).orElseThrow(() -> new ToolException(ErrorCode.NOT_FOUND, "No job " + jobId + ".",
                    "List jobs with get_job_queue_status.", false, Map.of("argument", "job_id")));
            before[0] = j;
            if (j.state().terminal()) {
                return j;
            }
            QueuedJob cancelled = j.withState(JobState.CANCELLED, Reason.CANCELLED_BY_USER, "Cancelled at " + now + ": " + why + ".",
                    j.started(), now);
            queue.update(c, cancelled);
            return cancelled;
        });
        QueuedJob was = before[0];
        String cleanup;
        if (was.state().terminal()) {
            cleanup = "Nothing to do: the job had already ended (" + was.state() + ").";
        } else if (was.state() == JobState.QUEUED) {
            cleanup = "Removed from the queue; it never ran.";
        } else {
            scheduler.deleteJob(was);
            cleanup = "Deleted Job " + was.team() + "/" + was.kubeName() + " and its pods; its GPUs and quota free up once the pods are gone.";
        }
        Money cost = was.started() == null || was.state().terminal() ? Money.zero(prices.currency())
                : scheduler.accrued(was, now);
        return new CancelAnswer(jobId, was.state(), after.state(), cleanup, prices.currency().getCurrencyCode(), cost.amount());
    }

    QueueAnswer answer(QueuedJob j, List<String> warnings) {
        AdmissionPlanner.Wait wait = scheduler.lastPlan().waits().get(j.jobId());
        Integer position = j.state() == JobState.QUEUED && wait != null ? wait.position() : null;
        Instant eta = j.state() == JobState.QUEUED ? (wait == null ? null : wait.eta())
                : j.state().active() ? AdmissionPlanner.expectedEnd(j, clock.instant()) : null;
        return new QueueAnswer(j.jobId(), j.runName(), j.team(), j.model(), j.state(), j.priority(), priorities.spec(j.priority()).name(),
                j.gpuType(), j.gpuCount(), j.epochs(), position, eta, j.reason(), j.reasonDetail(), j.node(), prices.currency().getCurrencyCode(),
                Money.micros(j.estimatedCostMicros(), prices.currency()).amount(), j.estimatedSeconds(),
                j.maxCostMicros() == null ? null : Money.micros(j.maxCostMicros(), prices.currency()).amount(), j.notBefore(), j.submitted(),
                j.started(), j.ended(), j.preemptedBy(), j.preemptions(), j.batchId(), warnings);
    }

    /** DESIGN.md rule 7: the 80% warning fires once per crossing and re-arms below the line. */
    public Optional<String> quotaWarning(String team) {
        Optional<Integer> limit = scheduler.quotaLimit(team);
        if (limit.isEmpty() || limit.get() == 0) {
            return Optional.empty();
        }
        int used = scheduler.gpusInUse(team);
        boolean above = BigDecimal.valueOf(used).compareTo(quotas.warnAt().multiply(BigDecimal.valueOf(limit.get()))) >= 0;
        boolean fired = queue.store().inTransaction(QueueStore.QUOTA_ALARM_LOCK, c -> observe(c, team, above));
        return fired ? Optional.of("Team " + team + " now holds " + used + " of its " + limit.get() + " GPU quota ("
                + (100 * used / limit.get()) + "%, at or above " + quotas.warnAt().movePointRight(2).stripTrailingZeros().toPlainString()
                + "%).") : Optional.empty();
    }

    private boolean observe(Connection c, String team, boolean above) throws SQLException {
        Boolean armed = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT armed FROM quota_alarm WHERE team = ?")) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    armed = rs.getInt(1) == 1;
                }
            }
        }
        if (armed == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO quota_alarm (team, armed, fired_ms) VALUES (?, ?, ?)")) {
                ps.setString(1, team);
                ps.setInt(2, above ? 0 : 1);
                if (above) {
                    ps.setLong(3, clock.millis());
                } else {
                    ps.setNull(3, java.sql.Types.BIGINT);
                }
                ps.executeUpdate();
            }
            return above;
        }
        if (above && armed) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE quota_alarm SET armed = 0, fired_ms = ? WHERE team = ?")) {
                ps.setLong(1, clock.millis());
                ps.setString(2, team);
                ps.executeUpdate();
            }
            return true;
        }
        if (!above && !armed) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE quota_alarm SET armed = 1 WHERE team = ?")) {
                ps.setString(1, team);
                ps.executeUpdate();
            }
        }
        return false;
    }

    private ToolException overBudget(String message, QueueRequest r, long allowedMicros, Estimator.Estimate estimate, Instant now) {
        List<Map<String, Object>> options = new ArrayList<>();
        int gpus = r.gpuCount() == null ? 1 : r.gpuCount();
        Optional<Estimator.Estimate> offPeak = estimator.estimate(r.model(), r.epochs(), r.batchSize(), estimate.gpuType(), gpus, false,
                prices.current(now).calendar().nextOffPeak(now));
        offPeak.filter(e -> e.cost().toMicros() <= allowedMicros)
                .ifPresent(e -> options.add(option(r, Map.of("schedule", "off_peak"), e.cost(), "Wait for the off-peak window.")));
        Optional<Estimator.Estimate> spot = estimator.estimate(r.model(), r.epochs(), r.batchSize(), estimate.gpuType(), gpus, true, now);
        spot.filter(e -> e.cost().toMicros() <= allowedMicros)
                .ifPresent(e -> options.add(option(r, Map.of("spot", true), e.cost(), "Run on spot (expected cost, interruptions included).")));
        if (estimate.cost().toMicros() > 0) {
            int epochs = (int) Math.min(r.epochs() - 1L, r.epochs() * allowedMicros / estimate.cost().toMicros());
            if (epochs >= 1) {
                Optional<Estimator.Estimate> fewer = estimator.estimate(r.model(), epochs, r.batchSize(), estimate.gpuType(), gpus, false, now);
                fewer.filter(e -> e.cost().toMicros() <= allowedMicros)
                        .ifPresent(e -> options.add(option(r, Map.of("epochs", epochs), e.cost(), "Train " + epochs + " epochs instead of "
                                + r.epochs() + ".")));
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("estimated_cost", estimate.cost().toWire());
        details.put("allowed", Money.micros(allowedMicros, prices.currency()).toWire());
        details.put("options", options);
        return new ToolException(ErrorCode.BUDGET_EXCEEDED, message, options.isEmpty()
                ? "Raise max_cost, ask for more budget, or train fewer epochs." : "Nothing was queued. Pick one of the options (each is a "
                + "set of queue_training_job arguments with its estimated cost) and submit it.", false, details);
    }

    private Map<String, Object> option(QueueRequest r, Map<String, Object> change, Money cost, String what) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("model", r.model());
        args.put("run_name", r.runName());
        args.put("team", r.team());
        args.put("epochs", r.epochs());
        args.put("batch_size", r.batchSize());
        if (r.priority() != null) {
            args.put("priority", r.priority().name());
        }
        if (r.gpuCount() != null) {
            args.put("gpu_count", r.gpuCount());
        }
        if (r.gpuType() != null) {
            args.put("gpu_type", r.gpuType());
        }
        if (r.maxCost() != null) {
            args.put("max_cost", r.maxCost());
        }
        args.putAll(change);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("description", what);
        o.put("estimated_cost", cost.toWire());
        o.put("arguments", args);
        return o;
    }

    private Instant schedule(String schedule, Instant now, TariffCalendar calendar) {
        if (schedule == null || schedule.isBlank() || schedule.trim().equalsIgnoreCase("now")) {
            return null;
        }
        if (schedule.trim().equalsIgnoreCase("off_peak")) {
            Instant t = calendar.nextOffPeak(now);
            return t.equals(now) ? null : t;
        }
        try {
            Instant t = Instant.parse(schedule.trim());
            if (t.isBefore(now.minus(Duration.ofMinutes(1)))) {
                throw ToolException.invalidArgument("schedule", "Argument 'schedule' (" + t + ") is in the past.",
                        "Use 'now', 'off_peak', or a future instant.");
            }
            return t.isAfter(now) ? t : null;
        } catch (DateTimeParseException e) {
            throw ToolException.invalidArgument("schedule", "Argument 'schedule' must be 'now', 'off_peak' or an ISO-8601 instant (got "
                    + Json.shorten(schedule) + ").", "For example schedule=off_peak or schedule=2026-12-01T22:00:00Z.");
        }
    }

    private long maxCost(String value) {
        try {
            BigDecimal v = new BigDecimal(value.trim());
            if (v.signum() <= 0 || v.scale() > Money.SCALE) {
                throw new NumberFormatException();
            }
            return v.movePointRight(Money.SCALE).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw ToolException.invalidArgument("max_cost", "Argument 'max_cost' must be a positive decimal string with at most 6 "
                    + "decimals (got " + Json.shorten(value) + ").", "For example max_cost=\"5.00\" (in " + prices.currency() + ").");
        }
    }

    private String team(String value) {
        String t = value == null ? "" : value.trim();
        Set<String> known = knownTeams();
        if (!TeamName.isValid(t) || !known.contains(t)) {
            throw ToolException.invalidArgument("team", "Unknown team '" + Json.shorten(t) + "'.",
                    "Teams with a quota or budget: " + String.join(", ", known) + ".");
        }
        return t;
    }

    private Set<String> knownTeams() {
        Set<String> teams = new TreeSet<>(quotas.teams().keySet());
        scheduler.quotaTeams().forEach(teams::add);
        return teams;
    }

    private static String name(String value, String argument) {
        return SafeName.parse(argument, value, "For example " + argument + "=" + (argument.equals("model") ? "llm" : "llm-lr3e-4") + ".")
                .value();
    }

    private String gpuType(String value) {
        String t = value.trim();
        java.util.Optional<String> known = prices.current(clock.instant()).gpuType(t);
        if (known.isPresent()) {
            return known.get();
        }
        throw ToolException.invalidArgument("gpu_type", "Argument 'gpu_type' is " + Json.shorten(t) + ", which trainops does not price.",
                "Use one of: " + String.join(", ", clusterTypes()) + ".");
    }

    private List<String> clusterTypes() {
        return scheduler.rooms().stream().map(Snapshot.NodeRoom::gpuType).distinct().sorted().toList();
    }

    /** DESIGN.md rule 5: bigger than any node of the type, or than the team's quota, is refused now. */
    private void fitsEver(String team, String gpuType, int gpus) {
        long largest = 0;
        String where = null;
        for (Snapshot.NodeRoom r : scheduler.rooms()) {
            if (r.gpuType().equals(gpuType) && r.allocatable() > largest) {
                largest = r.allocatable();
                where = r.node();
            }
        }
        if (where == null) {
            throw new ToolException(ErrorCode.NO_CAPACITY, "No node in the cluster has " + gpuType + " GPUs.", "GPU types here: "
                    + String.join(", ", clusterTypes()) + ".", false, Map.of("argument", "gpu_type"));
        }
        if (gpus > largest) {
            throw new ToolException(ErrorCode.NO_CAPACITY, "No node can ever hold " + gpus + " " + gpuType + ": the largest has " + largest
                    + " (" + where + ").", "Ask for at most " + largest + " GPUs per job.", false,
                    Map.of("argument", "gpu_count", "largest_node_gpus", largest));
        }
        Optional<Integer> quota = scheduler.quotaLimit(team);
        if (quota.isPresent() && gpus > quota.get()) {
            throw new ToolException(ErrorCode.QUOTA_EXCEEDED, "Team " + team + "'s GPU quota is " + quota.get() + "; this job asks for "
                    + gpus + ".", "Ask for at most " + quota.get() + " GPUs, or ask for a larger quota.", false,
                    Map.of("argument", "gpu_count", "quota_gpus", quota.get()));
        }
    }

    private String money(BigDecimal amount) {
        return new Money(amount, prices.currency()).display();
    }
}
