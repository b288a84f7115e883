package dev.trainops.prometheus;

import dev.trainops.recommend.JobContext;
import dev.trainops.recommend.JobGpuUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainops job's GPU use over a window from the DCGM exporter's series: the mean of
 * {@code DCGM_FI_DEV_GPU_UTIL} and the peak of {@code DCGM_FI_DEV_FB_USED} over its pods (named
 * {@code <job id>-<attempt>-...} in the team's namespace; the exporter's {@code pod}/{@code namespace}
 * labels, or {@code exported_pod}/{@code exported_namespace} behind a service). Prometheus not
 * answering, or no series, is "unknown", never an error.
 */
public final class DcgmJobGpuUsage implements JobGpuUsage {
    private static final Logger log = LoggerFactory.getLogger(DcgmJobGpuUsage.class);
    private final PrometheusClient client;

    public DcgmJobGpuUsage(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public Optional<Measured> of(JobContext job, Instant from, Instant to) {
        long seconds = Math.max(60, Duration.between(from, to).toSeconds());
        String pods = job.jobId() + "-.*";
        try {
            Double util = single(client.query(over("avg", "avg_over_time", "DCGM_FI_DEV_GPU_UTIL", job.team(), pods, seconds), to));
            if (util == null) {
                return Optional.empty();
            }
            Double memory = single(client.query(over("max", "max_over_time", "DCGM_FI_DEV_FB_USED", job.team(), pods, seconds), to));
            return Optional.of(new Measured(util, memory, "DCGM_FI_DEV_GPU_UTIL of job " + job.jobId() + "'s pods (Prometheus, mean over the run)"));
        } catch (PrometheusClient.PrometheusException e) {
            log.debug("DCGM for {}: {}", job.jobId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** e.g. avg(avg_over_time(M{namespace="t",pod=~"tj-...-.*"}[3600s]) or avg_over_time(M{exported_namespace=...}[3600s])). */
    static String over(String aggregate, String overTime, String metric, String namespace, String podRegex, long seconds) {
        String range = "[" + seconds + "s]";
        return aggregate + "(" + overTime + "(" + metric + "{namespace=\"" + namespace + "\",pod=~\"" + podRegex + "\"}" + range + ") or "
                + overTime + "(" + metric + "{exported_namespace=\"" + namespace + "\",exported_pod=~\"" + podRegex + "\"}" + range + "))";
    }

    private static Double single(List<PrometheusClient.Sample> samples) {
        return samples.isEmpty() || !Double.isFinite(samples.get(0).value()) ? null : samples.get(0).value();
    }
}
