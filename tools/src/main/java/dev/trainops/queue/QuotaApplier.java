package dev.trainops.queue;

import dev.trainops.audit.Audit;
import dev.trainops.audit.AuditEntry;
import dev.trainops.catalog.ErrorCode;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code trainops quotas apply}: writes config/quotas.yaml to the cluster as one ResourceQuota
 * ({@code trainops-quota}: requests.nvidia.com/gpu, requests.cpu, requests.memory) and one
 * LimitRange ({@code trainops-defaults}: per-container default requests) per team. Idempotent: an
 * object that already says the same is left alone; one that differs is updated.
 */
public final class QuotaApplier {
    public static final String QUOTA_NAME = "trainops-quota";
    public static final String LIMIT_RANGE_NAME = "trainops-defaults";

    private QuotaApplier() {
    }

    /**
     * As {@link #apply(KubernetesClient, QuotaConfig, boolean)}, recorded in the audit log whatever
     * happens (DESIGN.md rule 7): OK once applied, else the failure, UPSTREAM_UNAVAILABLE when the
     * API server refused or could not be reached (what was written before it stays written, and
     * applying again finishes the job). A dry run changes nothing and is not recorded.
     */
    public static List<String> apply(KubernetesClient client, QuotaConfig config, boolean dryRun, Audit audit) {
        if (dryRun) {
            return apply(client, config, true);
        }
        List<String> out;
        try {
            out = apply(client, config, false);
        } catch (RuntimeException e) {
            audit.afterCall((e instanceof KubernetesClientException ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.INTERNAL).name(),
                    String.valueOf(e.getMessage()));
            throw e;
        }
        audit.afterCall(AuditEntry.OK, "");
        return out;
    }

    /** One line per object: created, updated, unchanged (or would be, with {@code dryRun}). */
    public static List<String> apply(KubernetesClient client, QuotaConfig config, boolean dryRun) {
        List<String> out = new ArrayList<>();
        String verb = dryRun ? "would be " : "";
        for (var e : config.teams().entrySet()) {
            String team = e.getKey();
            QuotaConfig.TeamQuota q = e.getValue();
            if (client.namespaces().withName(team).get() == null) {
                if (!dryRun) {
                    client.resource(new NamespaceBuilder().withNewMetadata().withName(team).endMetadata().build()).create();
                }
                out.add("namespace " + team + ": " + verb + "created");
            }
            Map<String, Quantity> hard = new LinkedHashMap<>();
            hard.put("requests.nvidia.com/gpu", new Quantity(Integer.toString(q.gpus())));
            hard.put("requests.cpu", q.cpu());
            hard.put("requests.memory", q.memory());
            ResourceQuota existing = client.resourceQuotas().inNamespace(team).withName(QUOTA_NAME).get();
            ResourceQuota wanted = new ResourceQuotaBuilder().withNewMetadata().withNamespace(team).withName(QUOTA_NAME)
                    .addToLabels("app.kubernetes.io/managed-by", "trainops").endMetadata().withNewSpec().withHard(hard).endSpec().build();
            out.add("ResourceQuota " + team + "/" + QUOTA_NAME + ": " + write(client, existing, wanted,
                    existing != null && same(existing.getSpec().getHard(), hard), dryRun));

            Map<String, Quantity> defaults = Map.of("cpu", config.cpuPerGpu(), "memory", config.memoryPerGpu());
            LimitRange current = client.limitRanges().inNamespace(team).withName(LIMIT_RANGE_NAME).get();
            LimitRange limits = new LimitRangeBuilder().withNewMetadata().withNamespace(team).withName(LIMIT_RANGE_NAME)
                    .addToLabels("app.kubernetes.io/managed-by", "trainops").endMetadata()
                    .withNewSpec().addNewLimit().withType("Container").withDefaultRequest(defaults).endLimit().endSpec().build();
            boolean sameLimits = current != null && current.getSpec() != null && current.getSpec().getLimits() != null
                    && current.getSpec().getLimits().size() == 1 && same(current.getSpec().getLimits().get(0).getDefaultRequest(), defaults);
            out.add("LimitRange " + team + "/" + LIMIT_RANGE_NAME + ": " + write(client, current, limits, sameLimits, dryRun));
        }
        return out;
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> String write(KubernetesClient client, T existing, T wanted,
                                                                                       boolean same, boolean dryRun) {
        if (existing == null) {
            if (!dryRun) {
                client.resource(wanted).create();
            }
            return dryRun ? "would be created" : "created";
        }
        if (same) {
            return "unchanged";
        }
        if (!dryRun) {
            wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            client.resource(wanted).update();
        }
        return dryRun ? "would be updated" : "updated";
    }

    private static boolean same(Map<String, Quantity> a, Map<String, Quantity> b) {
        if (a == null || a.size() != b.size()) {
            return false;
        }
        for (var e : b.entrySet()) {
            Quantity other = a.get(e.getKey());
            if (other == null || !Objects.equals(Quantity.getAmountInBytes(other), Quantity.getAmountInBytes(e.getValue()))) {
                return false;
            }
        }
        return true;
    }
}
