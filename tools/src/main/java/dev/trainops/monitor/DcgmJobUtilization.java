package dev.trainops.monitor;

import dev.trainops.cost.Ledger;
import dev.trainops.prometheus.PrometheusClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Utilisation of each job's GPUs over a range from the DCGM exporter's series in Prometheus, where
 * the exporter maps GPUs to pods ({@code namespace}/{@code pod} labels): two queries for the whole
 * report, {@code avg_over_time} of utilisation and of memory used / total per pod, matched to the
 * ledger's entries, which book each pod's usage as {@code namespace/pod}.
 */
final class DcgmJobUtilization implements JobUtilizationSource {
    private final PrometheusClient client;

    DcgmJobUtilization(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public Map<String, Measured> measure(List<Ledger.JobUsage> jobs, Instant from, Instant to) {
        long seconds = Math.max(60, Duration.between(from, to).toSeconds());
        String range = "[" + seconds + "s]";
        List<PrometheusClient.Sample> util = client.query("avg by (namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL" + range + "))", to);
        List<PrometheusClient.Sample> memory = client.query("avg by (namespace, pod) (avg_over_time((DCGM_FI_DEV_FB_USED / "
                + "(DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE))" + range.replace("s]", "s:1m]") + "))", to);
        Map<String, Measured> out = new HashMap<>();
        for (Ledger.JobUsage j : jobs) {
            Double u = match(util, j);
            if (u != null) {
                Double m = match(memory, j);
                out.put(j.jobId(), new Measured(u, m == null ? null : m * 100, "dcgm"));
            }
        }
        return out;
    }

    private static Double match(List<PrometheusClient.Sample> samples, Ledger.JobUsage j) {
        double sum = 0;
        int n = 0;
        for (PrometheusClient.Sample s : samples) {
            String pod = s.label("pod", "exported_pod");
            String namespace = s.label("namespace", "exported_namespace");
            // the ledger books a pod's usage as namespace/pod
            boolean same = pod != null && (namespace == null ? j.jobId().endsWith("/" + pod) : j.jobId().equals(namespace + "/" + pod));
            if (same && Double.isFinite(s.value())) {
                sum += s.value();
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }
}
