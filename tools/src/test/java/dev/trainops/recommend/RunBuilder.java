package dev.trainops.recommend;

import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Synthetic training runs as MLflow would hold them: epoch-level val_loss at step = epoch with the
 * epoch's end timestamp, GPU system metrics sampled every {@code sampleSeconds} (step = sample
 * index), params as a training script logs them. Defaults: one H100, 10 epochs of 600 s, batch
 * size 256, val_loss improving every epoch, 92% utilisation, 60 GB of memory, started Monday
 * 2026-11-30 22:30 UTC (off-peak throughout), no checkpoints, no precision param: an efficient run.
 */
final class RunBuilder {
    private final String name;
    private String status = "FINISHED";
    private Instant start = Instant.parse("2026-11-30T22:30:00Z");
    private final Map<String, String> params = new LinkedHashMap<>();
    private List<Double> epochSeconds = repeat(600.0, 10);
    private List<Double> valLoss = descending(10);
    private List<Double> utilization = List.of(92.0);
    private long sampleSeconds = 60;
    private double memoryMb = 60_000;
    private boolean systemMetrics = true;

    private RunBuilder(String name) {
        this.name = name;
        params.put("model", "resnet");
        params.put("epochs", "10");
        params.put("batch_size", "256");
        params.put("learning_rate", "0.001");
        params.put("gpu_type", "H100");
        params.put("gpu_count", "1");
        params.put("team", "team-a");
    }

    static RunBuilder run(String name) {
        return new RunBuilder(name);
    }

    RunBuilder status(String s) {
        this.status = s;
        return this;
    }

    RunBuilder start(String instant) {
        this.start = Instant.parse(instant);
        return this;
    }

    RunBuilder param(String key, String value) {
        if (value == null) {
            params.remove(key);
        } else {
            params.put(key, value);
        }
        return this;
    }

    RunBuilder epochs(int n, double seconds) {
        this.epochSeconds = repeat(seconds, n);
        this.valLoss = descending(n);
        return this;
    }

    RunBuilder valLoss(Double... values) {
        this.valLoss = Arrays.asList(values);
        if (epochSeconds.size() < values.length) {
            epochSeconds = repeat(epochSeconds.get(0), values.length);
        }
        return this;
    }

    /** Utilisation samples, cycled over the run's length every {@code sampleSeconds}. */
    RunBuilder utilization(Double... percent) {
        this.utilization = Arrays.asList(percent);
        return this;
    }

    RunBuilder sampleEvery(long seconds) {
        this.sampleSeconds = seconds;
        return this;
    }

    /** A run that logged no MLflow system metrics (no GPU utilisation or memory series). */
    RunBuilder noSystemMetrics() {
        this.systemMetrics = false;
        return this;
    }

    RunBuilder memoryMb(double mb) {
        this.memoryMb = mb;
        return this;
    }

    String runId() {
        return String.format("%032x", name.hashCode() & 0xffffffffL);
    }

    Map<String, List<MlflowRun.MetricPoint>> metrics() {
        Map<String, List<MlflowRun.MetricPoint>> m = new LinkedHashMap<>();
        List<MlflowRun.MetricPoint> val = new ArrayList<>();
        List<MlflowRun.MetricPoint> train = new ArrayList<>();
        long t = start.toEpochMilli();
        for (int i = 0; i < valLoss.size(); i++) {
            t += Math.round(epochSeconds.get(i) * 1000);
            val.add(new MlflowRun.MetricPoint("val_loss", valLoss.get(i), Instant.ofEpochMilli(t), i + 1));
            train.add(new MlflowRun.MetricPoint("train_loss", valLoss.get(i) * 0.9, Instant.ofEpochMilli(t), i + 1));
        }
        long end = t;
        List<MlflowRun.MetricPoint> util = new ArrayList<>();
        List<MlflowRun.MetricPoint> mem = new ArrayList<>();
        int k = 0;
        for (long s = start.toEpochMilli() + sampleSeconds * 1000; s <= end; s += sampleSeconds * 1000, k++) {
            util.add(new MlflowRun.MetricPoint("system/gpu_0_utilization_percentage", utilization.get(k % utilization.size()),
                    Instant.ofEpochMilli(s), k));
            mem.add(new MlflowRun.MetricPoint("system/gpu_0_memory_usage_megabytes", memoryMb, Instant.ofEpochMilli(s), k));
        }
        m.put("val_loss", val);
        m.put("train_loss", train);
        if (systemMetrics) {
            m.put("system/gpu_0_utilization_percentage", util);
            m.put("system/gpu_0_memory_usage_megabytes", mem);
        }
        return m;
    }

    RunEvidence build() {
        Map<String, List<MlflowRun.MetricPoint>> metrics = metrics();
        Instant end = status.equals("RUNNING") ? null : metrics.get("val_loss").get(metrics.get("val_loss").size() - 1).timestamp();
        return new RunEvidence(runId(), name, "1", status, start, end, params, Map.of(), metrics);
    }

    /** Adds the run to WireMock-served MLflow fixtures. */
    void into(MlflowFixtures fixtures) {
        fixtures.put(name, runId(), status, start, params, metrics());
    }

    private static List<Double> repeat(double v, int n) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(v);
        }
        return out;
    }

    private static List<Double> descending(int n) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(1.0 - 0.05 * i);
        }
        return out;
    }
}
