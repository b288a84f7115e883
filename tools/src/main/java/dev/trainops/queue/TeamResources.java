package dev.trainops.queue;

import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** A team's CPU and memory limits (its ResourceQuota, else config/quotas.yaml) and what its pods request now, for check_training_quota. */
final class TeamResources {
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    private final ClusterIndex index;
    private final QuotaConfig quotas;

    TeamResources(ClusterIndex index, QuotaConfig quotas) {
        this.index = index;
        this.quotas = quotas;
    }

    record Limits(String source, BigDecimal cpu, BigDecimal memoryGib) {
    }

    Limits limits(String team) {
        for (ResourceQuota rq : index.resourceQuotas()) {
            if (team.equals(rq.getMetadata().getNamespace()) && rq.getSpec() != null && rq.getSpec().getHard() != null) {
                Map<String, Quantity> hard = rq.getSpec().getHard();
                Quantity cpu = hard.getOrDefault("requests.cpu", hard.get("cpu"));
                Quantity memory = hard.getOrDefault("requests.memory", hard.get("memory"));
                return new Limits("ResourceQuota " + team + "/" + rq.getMetadata().getName(),
                        cpu == null ? null : Quantity.getAmountInBytes(cpu), memory == null ? null : gib(memory));
            }
        }
        QuotaConfig.TeamQuota q = quotas.teams().get(team);
        return q == null ? new Limits("none", null, null)
                : new Limits("config/quotas.yaml", Quantity.getAmountInBytes(q.cpu()), gib(q.memory()));
    }

    Map<String, BigDecimal> cpuAndMemoryInUse(String team) {
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        for (Pod p : index.podsInNamespace(team)) {
            if (!PodResources.holdsResources(p) || p.getSpec() == null) {
                continue;
            }
            for (Container c : p.getSpec().getContainers()) {
                Map<String, Quantity> req = c.getResources() == null || c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
                if (req.get("cpu") != null) {
                    cpu = cpu.add(Quantity.getAmountInBytes(req.get("cpu")));
                }
                if (req.get("memory") != null) {
                    memory = memory.add(gib(req.get("memory")));
                }
            }
        }
        return Map.of("cpu", cpu, "memory", memory);
    }

    private static BigDecimal gib(Quantity q) {
        return Quantity.getAmountInBytes(q).divide(GIB, 3, RoundingMode.HALF_EVEN);
    }
}
