package dev.trainops.admission;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.SpotNodes;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.QuotaStatus;
import io.fabric8.kubernetes.api.model.Node;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;

/**
 * What a review decides on, read ahead of it (docs/kubernetes.md, "The admission webhook"): each
 * team's budget status and GPU quota use, and the cluster's GPU types, refreshed by a loop
 * ({@link #refresh}); estimates, kept per job shape and refreshed in the background after
 * {@link #ESTIMATE_REFRESH}. A review reads only these: no API call and no store query is made
 * while the API server waits (its timeout is 5 s).
 */
final class CachedFacts {
    /** An estimate older than this is recomputed in the background while the old one still answers. */
    static final Duration ESTIMATE_REFRESH = Duration.ofMinutes(1);

    /** A team's facts: its budget this period (null: none), the GPUs it holds and its GPU quota (null: none). */
    record Team(BudgetStatus budget, int gpusInUse, Integer gpuQuota) {
    }

    /** A GPU type of the cluster: a product label value its nodes carry, and the label of its spot nodes (null: none are spot). */
    record GpuType(String product, String spotLabel) {
        boolean spot() {
            return spotLabel != null;
        }
    }

    /** The facts of one refresh. */
    record Snapshot(Instant asOf, Set<String> teams, Map<String, Team> byTeam, Map<String, GpuType> gpuTypes) {
        static final Snapshot NONE = new Snapshot(null, Set.of(), Map.of(), Map.of());
    }

    /** The batch size a Job without the annotation is priced at when its model's history names none. */
    static final int DEFAULT_BATCH_SIZE = 32;

    /** One job shape to estimate; {@code offPeak}: started at the next off-peak window; {@code batchSize} 0: the model's usual. */
    record Shape(String model, int epochs, int batchSize, String gpuType, String migProfile, int gpus, boolean spot, boolean offPeak) {
    }

    private final AdmissionReviewer.Sources sources;
    private final LoadingCache<Shape, Optional<Estimator.Estimate>> estimates;
    private volatile Snapshot snapshot = Snapshot.NONE;

    CachedFacts(AdmissionReviewer.Sources sources) {
        this.sources = sources;
        this.estimates = Caffeine.newBuilder().maximumSize(10_000).refreshAfterWrite(ESTIMATE_REFRESH).expireAfterAccess(Duration.ofMinutes(30))
                .build(this::estimateNow);
    }

    /** Reads every team's budget and quota use and the cluster's GPU types (the loop calls this; a failure keeps the last facts). */
    void refresh() {
        Instant now = sources.clock().instant();
        java.util.SortedSet<String> teams = new TreeSet<>(sources.teams().get());
        Map<String, List<QuotaStatus.Usage>> usage = sources.quotaUsage().get();
        teams.addAll(usage.keySet());
        java.util.SortedMap<String, Team> byTeam = new TreeMap<>();
        for (String team : teams) {
            BudgetStatus budget = sources.budgets().apply(team).orElse(null);
            int used = 0;
            Integer quota = null;
            for (QuotaStatus.Usage u : usage.getOrDefault(team, List.of())) {
                if (u.resource().equals("gpu")) {
                    used = u.used().intValue();
                    quota = u.limit() == null ? null : u.limit().intValue();
                }
            }
            byTeam.put(team, new Team(budget, used, quota));
        }
        java.util.SortedMap<String, GpuType> types = new TreeMap<>();
        for (Node n : sources.nodes().get()) {
            Map<String, String> labels = Nodes.labels(n);
            String product = labels.get(KubeNames.LABEL_GPU_PRODUCT);
            if (product == null || !Nodes.ready(n)) {
                continue;
            }
            String type = GpuTypes.canonical(product, Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
            String spot = null;
            for (SpotNodes.Label l : sources.prices().spotNodes().nodeLabels()) {
                if (l.value().equals(labels.get(l.key()))) {
                    spot = l.key() + ": " + l.value();
                    break;
                }
            }
            types.merge(type, new GpuType(product, spot), (a, b) -> new GpuType(a.product(), a.spot() ? a.spotLabel() : b.spotLabel()));
        }
        snapshot = new Snapshot(now, java.util.Collections.unmodifiableSortedSet(teams), java.util.Collections.unmodifiableSortedMap(byTeam),
                java.util.Collections.unmodifiableSortedMap(types));
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The estimate of a shape: cached, else computed now once (later reviews of the shape read it). Empty: no history and no time limit. */
    Optional<Estimator.Estimate> estimate(Shape shape) {
        try {
            return estimates.get(shape);
        } catch (CompletionException | IllegalStateException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // the history backend is down (UPSTREAM_UNAVAILABLE): no estimate now; the queue checks again at submission
            return Optional.empty();
        }
    }

    private Optional<Estimator.Estimate> estimateNow(Shape s) {
        Instant now = sources.clock().instant();
        Instant start = s.offPeak() ? sources.prices().current(now).calendar().nextOffPeak(now) : now;
        int batch = s.batchSize();
        if (batch <= 0) {
            // a Job that names no batch size: the model's middle one in its history (no history: no estimate anyway)
            List<Integer> sizes = sources.estimator().batchSizes(s.model(), s.gpuType());
            batch = sizes.isEmpty() ? DEFAULT_BATCH_SIZE : sizes.get(sizes.size() / 2);
        }
        return sources.estimator().estimate(s.model(), s.epochs(), batch, s.gpuType(), s.migProfile(), s.gpus(), s.spot(), start);
    }

    /** The GPU type with the highest on-demand rate among those the cluster has and trainops prices (the most a Job can cost); null: none. */
    String dearestType(Instant now) {
        String best = null;
        BigDecimal rate = null;
        for (String type : snapshot.gpuTypes().keySet()) {
            BigDecimal r = sources.prices().current(now).gpuHour().get(type);
            if (r != null && (rate == null || r.compareTo(rate) > 0)) {
                best = type;
                rate = r;
            }
        }
        return best;
    }
}
