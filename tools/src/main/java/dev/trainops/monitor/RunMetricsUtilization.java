package dev.trainops.monitor;

import dev.trainops.cost.Ledger;
import dev.trainops.gpu.GpuSpecs;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.recommend.RunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Utilisation from the run each job logged to: MLflow's system metrics
 * ({@code system/gpu_N_utilization_percentage}, {@code system/gpu_N_memory_usage_megabytes}), or
 * the sandbox's run store which logs the same keys. Samples are taken within the job's time in
 * the range; memory is relative to the GPU type's memory.
 */
final class RunMetricsUtilization implements JobUtilizationSource {
    private final Supplier<RunEvidenceSource> runs;

    RunMetricsUtilization(Supplier<RunEvidenceSource> runs) {
        this.runs = runs;
    }

    @Override
    public Map<String, Measured> measure(List<Ledger.JobUsage> jobs, Instant from, Instant to) {
        Map<String, Measured> out = new HashMap<>();
        RunEvidenceSource source = runs.get();
        for (Ledger.JobUsage j : jobs) {
            if (j.runName() == null) {
                continue;
            }
            RunEvidence run;
            try {
                run = source.lookup(j.runName(), 0).run();
            } catch (RuntimeException e) {
                continue;
            }
            if (run == null) {
                continue;
            }
            double utilSum = 0;
            int utilCount = 0;
            double memSum = 0;
            int memCount = 0;
            for (Map.Entry<String, List<MlflowRun.MetricPoint>> e : run.metrics().entrySet()) {
                boolean util = e.getKey().matches("system/gpu_\\d+_utilization_percentage");
                boolean mem = e.getKey().matches("system/gpu_\\d+_memory_usage_megabytes");
                for (MlflowRun.MetricPoint p : e.getValue()) {
                    if (p.timestamp().isBefore(from) || !p.timestamp().isBefore(to) || !Double.isFinite(p.value())) {
                        continue;
                    }
                    if (util) {
                        utilSum += p.value();
                        utilCount++;
                    } else if (mem) {
                        memSum += p.value();
                        memCount++;
                    }
                }
            }
            if (utilCount == 0) {
                continue;
            }
            Long total = GpuSpecs.memoryMib(j.gpuType());
            Double memory = memCount == 0 || total == null ? null : 100 * (memSum / memCount) * 1_000_000.0 / (1024 * 1024) / total;
            out.put(j.jobId(), new Measured(utilSum / utilCount, memory, source.name()));
        }
        return out;
    }
}
