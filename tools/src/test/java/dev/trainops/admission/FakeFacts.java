package dev.trainops.admission;

import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PriceList;
import dev.trainops.cost.TariffCalendar;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.SpotNodes;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.QuotaStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The facts a review table runs on, all in the test's hands: teams team-a (budget OK, 6 of 8 GPUs in
 * use), team-b (budget BLOCKED) and team-c (only $3 of its budget left); H100 nodes (one of them spot)
 * and L4 nodes; a model {@code llm} whose history says 10 minutes an epoch on one H100 (four times that
 * on an L4), priced by the price book like a real estimate. Every read is counted.
 */
final class FakeFacts {
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static final PriceBook PRICES = new PriceBook(List.of(new PriceList("test", Instant.parse("2026-01-01T00:00:00Z"),
            Money.currency("USD"), Map.of("H100", new BigDecimal("7.000000"), "L4", new BigDecimal("0.900000")),
            new BigDecimal("0.036000"), new BigDecimal("0.004000"), TariffCalendar.defaults(ZoneOffset.UTC), new BigDecimal("0.70"),
            new BigDecimal("0.05"))), SpotNodes.DEFAULTS);

    final AtomicInteger budgetReads = new AtomicInteger();
    final AtomicInteger quotaReads = new AtomicInteger();
    final AtomicInteger estimates = new AtomicInteger();
    final Map<String, BudgetStatus> budgets = new TreeMap<>();
    final Map<String, List<QuotaStatus.Usage>> usage = new TreeMap<>();
    final List<Node> nodes = new ArrayList<>();

    FakeFacts() {
        budgets.put("team-a", budget("team-a", "1000", "100", BudgetState.OK));
        budgets.put("team-b", budget("team-b", "1000", "1050", BudgetState.BLOCKED));
        budgets.put("team-c", budget("team-c", "100", "97", BudgetState.WARN));
        usage.put("team-a", gpus(6, 8));
        usage.put("team-b", gpus(0, 8));
        usage.put("team-c", gpus(0, 8));
        nodes.add(node("h100-a", "NVIDIA-H100-80GB-HBM3", false));
        nodes.add(node("h100-spot", "NVIDIA-H100-80GB-HBM3", true));
        nodes.add(node("l4-a", "NVIDIA-L4", false));
    }

    AdmissionReviewer.Sources sources() {
        return new AdmissionReviewer.Sources(() -> Set.of("team-a", "team-b", "team-c"), team -> {
            budgetReads.incrementAndGet();
            return Optional.ofNullable(budgets.get(team));
        }, () -> {
            quotaReads.incrementAndGet();
            return usage;
        }, () -> nodes, new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, int gpus, boolean spot, Instant start) {
                estimates.incrementAndGet();
                if (!model.equals("llm")) {
                    return Optional.empty();
                }
                String t = type == null ? "H100" : type;
                long seconds = epochs * 600L * (t.equals("L4") ? 4 : 1) / gpus;
                return Optional.of(new Estimate(t, seconds, cost(t, gpus, seconds, spot, start), "scaled from llm-base in test-history"));
            }

            @Override
            public List<Integer> batchSizes(String model, String gpuType) {
                return model.equals("llm") ? List.of(32, 64, 128) : List.of();
            }
        }, PRICES, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** What the fake history charges: the job's footprint (8 cores and 32 GiB a GPU) through the price book. */
    static Money cost(String type, int gpus, long seconds, boolean spot, Instant start) {
        return PRICES.cost(new JobFootprint(type, BigDecimal.valueOf(gpus), BigDecimal.valueOf(8L * gpus), BigDecimal.valueOf(32L * gpus)), start,
                seconds, spot);
    }

    static BudgetStatus budget(String team, String limit, String spent, BudgetState state) {
        BigDecimal l = new BigDecimal(limit);
        BigDecimal s = new BigDecimal(spent);
        return new BudgetStatus(team, Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"), l, s, BigDecimal.ZERO, BigDecimal.ZERO, s, l.subtract(s),
                s.multiply(BigDecimal.valueOf(100)).divide(l, 2, java.math.RoundingMode.HALF_EVEN), state, state, List.of());
    }

    static List<QuotaStatus.Usage> gpus(int used, int limit) {
        return List.of(new QuotaStatus.Usage("gpu", BigDecimal.valueOf(used), BigDecimal.valueOf(limit), BigDecimal.valueOf(limit - used),
                BigDecimal.valueOf(100L * used / limit)));
    }

    static Node node(String name, String product, boolean spot) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).addToLabels(KubeNames.LABEL_GPU_PRODUCT, product)
                .addToLabels(KubeNames.LABEL_GPU_COUNT, "8").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (spot) {
            b.editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata();
        }
        return b.build();
    }
}
