package dev.trainops.prometheus;

import dev.trainops.gpu.GpuUtilization;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU utilisation and memory per node from the NVIDIA DCGM exporter, through Prometheus:
 * {@code DCGM_FI_DEV_GPU_UTIL} (percent) and {@code DCGM_FI_DEV_FB_USED} / {@code DCGM_FI_DEV_FB_FREE}
 * (MiB), keyed by the exporter's {@code Hostname} (or {@code hostname}, or {@code node}) label,
 * and by {@code namespace}/{@code pod} when the exporter maps GPUs to pods. {@link #refresh} is
 * called on a schedule; readers get the last snapshot and never wait on Prometheus.
 */
public final class DcgmUtilization implements GpuUtilization {
    private static final Logger log = LoggerFactory.getLogger(DcgmUtilization.class);
    static final String[] HOST_LABELS = {"Hostname", "hostname", "node", "kubernetes_node"};

    /** One read of the exporter's series. */
    record Snapshot(Map<String, double[]> byNode, Map<String, double[]> byPod, Instant asOf) {
    }

    private final PrometheusClient client;
    private final Clock clock;
    private final AtomicReference<Snapshot> last = new AtomicReference<>();
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
            last.set(new Snapshot(byNode, byPod, clock.instant()));
            stale = false;
            everAnswered = true;
        } catch (PrometheusClient.PrometheusException e) {
            stale = true;
            log.debug("DCGM through Prometheus: {}", e.getMessage());
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

    @Override
    public OptionalDouble nodePercent(String node) {
        Snapshot s = last.get();
        double[] a = s == null ? null : s.byNode().get(node);
        return a == null || a[1] == 0 ? OptionalDouble.empty() : OptionalDouble.of(a[0] / a[1]);
    }

    @Override
    public OptionalDouble nodeMemoryRatio(String node) {
        Snapshot s = last.get();
        double[] a = s == null ? null : s.byNode().get(node);
        return a == null || a[2] + a[3] <= 0 ? OptionalDouble.empty() : OptionalDouble.of(a[2] / (a[2] + a[3]));
    }

    /** Utilisation (percent) of the GPUs the exporter maps to a pod, if it maps them. */
    public OptionalDouble podPercent(String namespace, String pod) {
        Snapshot s = last.get();
        double[] a = s == null ? null : s.byPod().get(namespace + "/" + pod);
        return a == null || a[1] == 0 ? OptionalDouble.empty() : OptionalDouble.of(a[0] / a[1]);
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
