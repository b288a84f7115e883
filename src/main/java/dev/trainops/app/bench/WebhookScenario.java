package dev.trainops.app.bench;

import dev.trainops.admission.AdmissionReviewer;
import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.QuotaStatus;
import io.fabric8.kubernetes.api.model.Node;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The facts the webhook benchmark (and its HTTPS tests) review against: team-a within its budget
 * with room for {@code headroom} more GPUs, team-b's budget BLOCKED, team-c with $3 of $100 left;
 * a model {@code llm} whose history says an epoch takes 10 minutes on one H100 (longer on slower
 * types), priced by the price book as every estimate is. The nodes and the GPUs in use come from
 * the caller (a few nodes in a test, the synthetic cluster's index in the benchmark).
 */
public final class WebhookScenario {
    public static final Set<String> TEAMS = Set.of("team-a", "team-b", "team-c");
    /** Seconds an epoch of llm takes on one GPU of each type; a type not listed takes 1,200. */
    static final Map<String, Long> EPOCH_SECONDS = Map.of("H200", 450L, "H100", 600L, "A100-80GB", 900L, "A100-40GB", 1000L, "L4", 2400L,
            "T4", 3600L);

    private WebhookScenario() {
    }

    /**
     * @param inUse    GPUs each team holds now
     * @param headroom how many more each team's GPU quota allows
     */
    public static AdmissionReviewer.Sources sources(Supplier<List<Node>> nodes, Supplier<Map<String, Integer>> inUse, Map<String, Integer> headroom,
                                                    PriceBook prices, Clock clock) {
        return new AdmissionReviewer.Sources(() -> TEAMS, team -> Optional.ofNullable(budgets(clock.instant()).get(team)), () -> {
            Map<String, List<QuotaStatus.Usage>> out = new TreeMap<>();
            Map<String, Integer> used = inUse.get();
            for (String team : TEAMS) {
                int u = used.getOrDefault(team, 0);
                int limit = u + headroom.getOrDefault(team, 8);
                out.put(team, List.of(new QuotaStatus.Usage("gpu", BigDecimal.valueOf(u), BigDecimal.valueOf(limit),
                        BigDecimal.valueOf(limit - u), BigDecimal.valueOf(u).multiply(BigDecimal.valueOf(100)).divide(BigDecimal.valueOf(limit), 2,
                        RoundingMode.HALF_EVEN))));
            }
            return out;
        }, nodes, estimator(prices), prices, clock);
    }

    /** llm's history: {@link #EPOCH_SECONDS} an epoch on one GPU (n GPUs: 1/n of it), 8 cores and 32 GiB a GPU; no other model has runs. */
    public static Estimator estimator(PriceBook prices) {
        return new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, int gpus, boolean spot, Instant start) {
                if (!model.equals("llm")) {
                    return Optional.empty();
                }
                String t = type == null ? "H100" : type;
                long seconds = epochs * EPOCH_SECONDS.getOrDefault(t, 1200L) / Math.max(1, gpus);
                return Optional.of(new Estimate(t, seconds, cost(prices, t, gpus, seconds, spot, start), "scaled from llm-base in the "
                        + "scenario's history"));
            }

            @Override
            public List<Integer> batchSizes(String model, String gpuType) {
                return model.equals("llm") ? List.of(32, 64, 128) : List.of();
            }
        };
    }

    /** What llm's history charges for {@code seconds} on {@code gpus} GPUs of {@code type}. */
    public static Money cost(PriceBook prices, String type, int gpus, long seconds, boolean spot, Instant start) {
        return prices.cost(new JobFootprint(type, BigDecimal.valueOf(gpus), BigDecimal.valueOf(8L * gpus), BigDecimal.valueOf(32L * gpus)), start,
                seconds, spot);
    }

    static Map<String, BudgetStatus> budgets(Instant now) {
        return Map.of("team-a", budget("team-a", "1000", "100", BudgetState.OK, now), "team-b", budget("team-b", "1000", "1050",
                BudgetState.BLOCKED, now), "team-c", budget("team-c", "100", "97", BudgetState.WARN, now));
    }

    private static BudgetStatus budget(String team, String limit, String spent, BudgetState state, Instant now) {
        Budget.Range period = new Budget(team, Budget.Kind.TEAM, Money.of(limit, "USD"), Budget.Period.MONTHLY).periodAt(now);
        BigDecimal l = new BigDecimal(limit);
        BigDecimal s = new BigDecimal(spent);
        return new BudgetStatus(team, Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, period.start(), period.end(), l, s, BigDecimal.ZERO,
                BigDecimal.ZERO, s, l.subtract(s), s.multiply(BigDecimal.valueOf(100)).divide(l, 2, RoundingMode.HALF_EVEN), state, state,
                List.of());
    }
}
