package dev.trainops.prometheus;

import dev.trainops.gpu.GpuUtilization;
import dev.trainops.gpu.NodeReading;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU utilisation and memory per node from the NVIDIA DCGM exporter, through Prometheus:
 * {@code DCGM_FI_DEV_GPU_UTIL} (percent) and {@code DCGM_FI_DEV_FB_USED} / {@code DCGM_FI_DEV_FB_FREE}
 * (MiB), keyed by the exporter's {@code Hostname} (or {@code hostname}, or {@code node}) label,
 * and by {@code namespace}/{@code pod} when the exporter maps GPUs to pods. {@link #refresh} is
 * called on a schedule and publishes a new immutable {@link Snapshot} in one volatile write;
 * every read takes the reference once, so readers never wait on Prometheus and never see a
 * refresh half done. A caller that needs more than one figure of a node uses {@link #node}.
 */
public final class DcgmUtilization implements GpuUtilization {
    private static final Logger log = LoggerFactory.getLogger(DcgmUtilization.class);
    static final String[] HOST_LABELS = {"Hostname", "hostname", "node", "kubernetes_node"};

    /** The exporter's series summed over one node's (or one pod's) GPUs. */
    record Sums(double utilSum, int utilCount, double fbUsedMib, double fbFreeMib) {
        OptionalDouble percent() {
            return utilCount == 0 ? OptionalDouble.empty() : OptionalDouble.of(utilSum / utilCount);
        }

        OptionalDouble memoryRatio() {
            return fbUsedMib + fbFreeMib <= 0 ? OptionalDouble.empty() : OptionalDouble.of(fbUsedMib / (fbUsedMib + fbFreeMib));
        }
    }

    /** One read of the exporter's series; immutable. */
    record Snapshot(Map<String, Sums> byNode, Map<String, Sums> byPod, Instant asOf) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), null);

        Snapshot {
            byNode = Map.copyOf(byNode);
            byPod = Map.copyOf(byPod);
        }
    }

    private final PrometheusClient client;
    private final Clock clock;
    private volatile Snapshot last = Snapshot.EMPTY;
    private volatile boolean stale;
    private volatile boolean everAnswered;

    public DcgmUtilization(PrometheusClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Reads the current series; on failure keeps the last snapshot and marks it stale. */
    public void refresh() {
        try {
            List<PrometheusClient.Sample> util = client.query("DCGM_FI_DEV_GPU_UTIL", null);
            List<PrometheusClient.Sample> used = client.query("DCGM_FI_DEV_FB_USED", null);
            List<PrometheusClient.Sample> free = client.query("DCGM_FI_DEV_FB_FREE", null);
            // per key: [util sum, util count, fb used, fb free]
            Map<String, double[]> byNode = new HashMap<>();
            Map<String, double[]> byPod = new HashMap<>();
            add(util, 0, byNode, byPod);
            add(used, 2, byNode, byPod);
            add(free, 3, byNode, byPod);
            last = new Snapshot(freeze(byNode), freeze(byPod), clock.instant());
            stale = false;
            everAnswered = true;
        } catch (PrometheusClient.PrometheusException e) {
            stale = true;
            log.debug("DCGM through Prometheus: {}", e.getMessage());
            throw e; // the last reading stays in use; the refresh loop counts the failure
        }
    }

    private static void add(List<PrometheusClient.Sample> samples, int slot, Map<String, double[]> byNode, Map<String, double[]> byPod) {
        for (PrometheusClient.Sample s : samples) {
            if (!Double.isFinite(s.value())) {
                continue;
            }
            String host = s.label(HOST_LABELS);
            if (host != null) {
                accumulate(byNode.computeIfAbsent(host, k -> new double[4]), slot, s.value());
            }
            String pod = s.label("pod", "exported_pod");
            String namespace = s.label("namespace", "exported_namespace");
            if (pod != null && namespace != null) {
                accumulate(byPod.computeIfAbsent(namespace + "/" + pod, k -> new double[4]), slot, s.value());
            }
        }
    }

    private static void accumulate(double[] a, int slot, double v) {
        a[slot] += v;
        if (slot == 0) {
            a[1] += 1;
        }
    }

    private static Map<String, Sums> freeze(Map<String, double[]> sums) {
        Map<String, Sums> out = new HashMap<>();
        sums.forEach((k, a) -> out.put(k, new Sums(a[0], (int) a[1], a[2], a[3])));
        return out;
    }

    /** The last published read (empty before the first answer). */
    Snapshot snapshot() {
        return last;
    }

    @Override
    public NodeReading node(String node) {
        Sums s = last.byNode().get(node);
        return s == null ? NodeReading.UNKNOWN : new NodeReading(s.percent(), s.memoryRatio());
    }

    @Override
    public OptionalDouble nodePercent(String node) {
        return node(node).percent();
    }

    @Override
    public OptionalDouble nodeMemoryRatio(String node) {
        return node(node).memoryRatio();
    }

    /** Utilisation (percent) of the GPUs the exporter maps to a pod, if it maps them. */
    public OptionalDouble podPercent(String namespace, String pod) {
        Sums s = last.byPod().get(namespace + "/" + pod);
        return s == null ? OptionalDouble.empty() : s.percent();
    }

    @Override
    public String source() {
        return "dcgm";
    }

    public boolean up() {
        return everAnswered && !stale;
    }

    public boolean stale() {
        return stale;
    }
}
