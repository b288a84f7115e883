package dev.trainops.budget;

import dev.trainops.access.Access;
import dev.trainops.access.ExperimentTeams;
import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.UsageSegment;
import dev.trainops.store.Store;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The budget package's one entry point (docs/architecture.md, "Modules"): budgets against the
 * ledger: spent (billed), committed (reserved by the queue), projected (what running jobs will
 * still cost this period), and the 70% / 100% states of cost rule 6; get_budget_status. Public
 * besides it: {@link Budget} (the configuration), and {@link BudgetStatus} and {@link BudgetState},
 * which the queue, forecasts, reports and monitoring read.
 */
public final class BudgetService {
    private final Map<String, Budget> teams = new LinkedHashMap<>();
    private final Map<String, Budget> experiments = new LinkedHashMap<>();
    private final Ledger ledger;
    private final PriceBook prices;
    private final ClusterUsage cluster;
    private final BiFunction<Budget, Budget.Range, Money> committed;
    private final BudgetAlarms alarms;
    private final Clock clock;

    /**
     * @param committed what the queue has admitted but not billed, per budget and period; the
     *                  scheduler supplies it, until then it is zero
     * @param store     where the thresholds crossed are recorded, each once per period
     */
    public BudgetService(List<Budget> budgets, Ledger ledger, PriceBook prices, ClusterUsage cluster,
                         BiFunction<Budget, Budget.Range, Money> committed, Store store, Clock clock) {
        this(budgets, ledger, prices, cluster, committed, new BudgetAlarms(store, clock), clock);
    }

    BudgetService(List<Budget> budgets, Ledger ledger, PriceBook prices, ClusterUsage cluster,
                  BiFunction<Budget, Budget.Range, Money> committed, BudgetAlarms alarms, Clock clock) {
        for (Budget b : budgets) {
            if (!b.limit().currency().equals(prices.currency())) {
                throw new IllegalArgumentException("budget " + b.scope() + " is in " + b.limit().currency() + " but prices are in "
                        + prices.currency());
            }
            (b.kind() == Budget.Kind.TEAM ? teams : experiments).put(b.scope(), b);
        }
        this.ledger = ledger;
        this.prices = prices;
        this.cluster = cluster;
        this.committed = committed;
        this.alarms = alarms;
        this.clock = clock;
    }

    /** Every configured scope: the teams, then the experiments. */
    public List<String> scopes() {
        List<String> out = new java.util.ArrayList<>(teams.keySet());
        out.addAll(experiments.keySet());
        return out;
    }

    /** The teams that have a budget. */
    public java.util.Set<String> teams() {
        return java.util.Set.copyOf(teams.keySet());
    }

    /** Reads {@code config/budgets.yaml}: team and experiment budgets; an error names the key and the fix. */
    public static List<Budget> load(java.nio.file.Path file) throws java.io.IOException {
        return BudgetsConfig.load(file);
    }

    BudgetStatus status(BudgetStatusRequest request) {
        return status(request, dev.trainops.access.Principal.LOCAL, ExperimentTeams.NONE);
    }

    /**
     * get_budget_status for {@code principal} (rule 1): a team's budget, or an experiment's that
     * {@code owners} maps to one of its teams; any other scope is the same NOT_FOUND as one
     * without a budget, naming only the scopes it may see.
     */
    BudgetStatus status(BudgetStatusRequest request, Principal principal, ExperimentTeams owners) {
        String scope = request.scope() == null ? "" : request.scope().trim();
        Access.requireVisible(principal, teams.containsKey(scope) ? scope : owners.teamOf(scope), () -> unknown(scope, principal, owners));
        return status(scope, true);
    }

    private ToolException unknown(String scope, Principal principal, ExperimentTeams owners) {
        List<String> known = new ArrayList<>(teams.keySet().stream().filter(principal::sees).toList());
        experiments.keySet().stream().filter(e -> principal.sees(owners.teamOf(e))).forEach(known::add);
        return new ToolException(ErrorCode.NOT_FOUND, "No budget for '" + scope + "'.",
                (known.isEmpty() ? "No budget is visible to " + principal.subject() : "Budgets exist for: " + String.join(", ", known))
                        + " (config/budgets.yaml).", false, Map.of("argument", "scope"));
    }

    /**
     * The status of a team's or experiment's budget, for other tools' answers (a forecast's budget
     * impact): no threshold is marked as fired by looking. Empty when the scope has no budget.
     */
    public java.util.Optional<BudgetStatus> peek(String scope) {
        if (scope == null || !(teams.containsKey(scope) || experiments.containsKey(scope))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(status(scope, false));
    }

    private BudgetStatus status(String scope, boolean observe) {
        Budget budget = teams.containsKey(scope) ? teams.get(scope) : experiments.get(scope);
        if (budget == null) {
            throw unknown(scope, Principal.LOCAL, ExperimentTeams.NONE);
        }
        Instant now = clock.instant();
        Budget.Range period = budget.periodAt(now);
        Money spent = budget.kind() == Budget.Kind.TEAM
                ? ledger.teamCost(scope, period.start(), period.end())
                : ledger.experimentCost(scope, period.start(), period.end());
        Money reserved = committed.apply(budget, period);
        Money projected = Money.zero(prices.currency());
        List<String> notes = new ArrayList<>();
        for (ClusterUsage.PodUsage p : cluster.usage(now)) {
            boolean mine = budget.kind() == Budget.Kind.TEAM ? p.team().equals(scope) : p.experiment().equals(scope);
            if (!mine || !p.running() || p.queued() || p.expectedEnd() == null || !p.expectedEnd().isAfter(now)) {
                continue;
            }
            Instant until = p.expectedEnd().isBefore(period.end()) ? p.expectedEnd() : period.end();
            UsageSegment rest = new UsageSegment(p.usage().jobId(), now, until, p.usage().gpuType(), p.usage().gpus(),
                    p.usage().cpuCores(), p.usage().memoryGib(), p.usage().spot());
            projected = projected.plus(prices.cost(rest));
        }
        Money counted = spent.plus(reserved);
        Money forecast = counted.plus(projected);
        BudgetState state = BudgetState.of(counted, budget.limit());
        for (BudgetState fired : observe ? alarms.observe(budget, period, counted) : List.<BudgetState>of()) {
            notes.add(fired == BudgetState.BLOCKED ? "Budget reached 100% this period: new jobs are not admitted."
                    : "Budget crossed 70% this period.");
        }
        if (BudgetState.of(forecast, budget.limit()) == BudgetState.BLOCKED && state != BudgetState.BLOCKED) {
            notes.add("Running jobs are on course to exceed the budget before the period ends (forecast "
                    + forecast.display() + " of " + budget.limit().display() + ").");
        }
        BigDecimal percent = counted.amount().multiply(BigDecimal.valueOf(100)).divide(budget.limit().amount(), 2, RoundingMode.HALF_EVEN);
        return new BudgetStatus(scope, budget.kind(), prices.currency().getCurrencyCode(), budget.period(), period.start(), period.end(),
                budget.limit().amount(), spent.amount(), reserved.amount(), projected.amount(), forecast.amount(),
                budget.limit().minus(counted).amount(), percent, state, BudgetState.of(forecast, budget.limit()), notes);
    }

    /** get_budget_status over a service that may still be starting (the store opens in the background). */
    public static Tool<?, ?> tool(java.util.function.Supplier<BudgetService> service) {
        return tool(service, ExperimentTeams.NONE);
    }

    /** get_budget_status, scoped by the caller; {@code owners} says which team owns an experiment's budget. */
    public static Tool<?, ?> tool(java.util.function.Supplier<BudgetService> service, ExperimentTeams owners) {
        return new Tool<BudgetStatusRequest, BudgetStatus>("get_budget_status", "Budget status",
                "Spending of a team or an experiment against its budget this period (monthly or weekly, UTC): limit, spent "
                        + "(billed usage from the ledger), committed (admitted, not yet billed), projected (what running jobs will "
                        + "still cost this period), forecast, remaining, and state OK / WARN (from 70%) / BLOCKED (from 100%, no new "
                        + "jobs admitted). Amounts are exact decimal strings. Call it before queueing expensive work.",
                BudgetStatusRequest.class, BudgetStatus.class, ToolHints.READ_ONLY,
                (r, call) -> service.get().status(r, call.principal(), owners),
                s -> s.scope() + ": " + s.state() + ", spent " + money(s.spent(), s.currency()) + " + committed "
                        + money(s.committed(), s.currency()) + " of " + money(s.limit(), s.currency()) + " (" + s.percentUsed()
                        + "%); forecast " + money(s.forecast(), s.currency()) + " by " + s.periodEnd() + ".", java.util.Set.of());
    }

    private static String money(BigDecimal amount, String currency) {
        return new Money(amount, java.util.Currency.getInstance(currency)).display();
    }
}
