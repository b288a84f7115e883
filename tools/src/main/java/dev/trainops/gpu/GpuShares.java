package dev.trainops.gpu;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import io.fabric8.kubernetes.api.model.Node;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule for what share of a physical GPU one unit of a GPU resource is on a node
 * (docs/money.md cost rule 5), read from the resource's name and the node's GPU Feature Discovery
 * labels:
 * <ul>
 *   <li>{@code nvidia.com/gpu} on a plain node: a whole GPU, 1;</li>
 *   <li>a MIG slice {@code <g>g.<mem>gb}: g/7 of its GPU, whether advertised as
 *       {@code nvidia.com/mig-<g>g.<mem>gb} (strategy {@code mixed}) or as plain {@code nvidia.com/gpu}
 *       on a node under strategy {@code single} (the profile is then the product label's
 *       {@code -MIG-<g>g.<mem>gb} suffix);</li>
 *   <li>a time-sliced or MPS replica, advertised as {@code nvidia.com/gpu} or, renamed,
 *       {@code nvidia.com/gpu.shared}: 1/replicas of what is shared ({@code nvidia.com/gpu.replicas},
 *       or {@code <mig resource>.replicas} for a shared MIG slice).</li>
 * </ul>
 * Inventory ({@link NodeGpus}), admission (the queue's snapshot), billing (the usage recorder) and
 * the sandbox all call it; there is no other copy.
 */
public final class GpuShares {
    /** Compute slices of a MIG-capable GPU: a {@code <g>g} profile holds g of them. */
    private static final int MIG_SLICES = 7;
    private static final Pattern PROFILE = Pattern.compile("^(\\d+)g\\.\\d+gb$");
    /** Scale of a share in GPU equivalents. */
    private static final int SCALE = 12;

    private GpuShares() {
    }

    /** How the node hands {@code resource} out. */
    public static Sharing sharing(String resource, Map<String, String> nodeLabels) {
        if (migProfile(resource, nodeLabels) != null) {
            return Sharing.MIG;
        }
        String strategy = nodeLabels.getOrDefault(KubeNames.LABEL_GPU_SHARING_STRATEGY, "none");
        if (resource.equals(KubeNames.GPU_SHARED_RESOURCE) || replicas(resource, nodeLabels) > 1
                || "time-slicing".equals(strategy) || "mps".equals(strategy)) {
            return "mps".equals(strategy) ? Sharing.MPS : Sharing.TIME_SLICED;
        }
        return Sharing.EXCLUSIVE;
    }

    /**
     * The MIG profile one unit of {@code resource} is ({@code 1g.10gb}), or null when it is not a MIG
     * slice: the name of a {@code mixed} resource, or the product suffix under strategy {@code single}.
     */
    public static String migProfile(String resource, Map<String, String> nodeLabels) {
        if (resource.startsWith(KubeNames.MIG_RESOURCE_PREFIX)) {
            return resource.substring(KubeNames.MIG_RESOURCE_PREFIX.length());
        }
        if (resource.equals(KubeNames.GPU_RESOURCE) && "single".equals(nodeLabels.get(KubeNames.LABEL_MIG_STRATEGY))) {
            return GpuTypes.migProfileFromProduct(nodeLabels.get(KubeNames.LABEL_GPU_PRODUCT));
        }
        return null;
    }

    /** The share of a physical GPU one unit of {@code resource} is on a node with these labels. */
    public static BigDecimal share(String resource, Map<String, String> nodeLabels) {
        return units(1, resource, nodeLabels);
    }

    /** Physical GPUs that {@code gpuRequests} (resource -> count) amount to on {@code node}. */
    public static BigDecimal equivalents(Map<String, Long> gpuRequests, Node node) {
        return equivalents(gpuRequests, Nodes.labels(node));
    }

    /** Physical GPUs that {@code gpuRequests} amount to on a node with these labels; each resource rounded to 12 places. */
    public static BigDecimal equivalents(Map<String, Long> gpuRequests, Map<String, String> nodeLabels) {
        BigDecimal gpus = BigDecimal.ZERO;
        for (var e : gpuRequests.entrySet()) {
            gpus = gpus.add(units(e.getValue(), e.getKey(), nodeLabels));
        }
        return gpus;
    }

    /** {@code count} units as GPU equivalents: count x slices / (7 x replicas), one division. */
    private static BigDecimal units(long count, String resource, Map<String, String> nodeLabels) {
        long numerator = count;
        long denominator = replicas(resource, nodeLabels);
        String profile = migProfile(resource, nodeLabels);
        Matcher m = profile == null ? null : PROFILE.matcher(profile);
        if (m != null && m.matches()) {
            numerator *= Long.parseLong(m.group(1));
            denominator *= MIG_SLICES;
        }
        return BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(denominator), SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * Replicas per shared unit: {@code nvidia.com/gpu.replicas} for {@code nvidia.com/gpu} and
     * {@code nvidia.com/gpu.shared}, {@code <resource>.replicas} for a MIG resource; at least 1.
     */
    private static long replicas(String resource, Map<String, String> nodeLabels) {
        String label = resource.startsWith(KubeNames.MIG_RESOURCE_PREFIX) ? resource + ".replicas" : KubeNames.LABEL_GPU_REPLICAS;
        return Math.max(1, Nodes.longLabel(nodeLabels, label));
    }
}
