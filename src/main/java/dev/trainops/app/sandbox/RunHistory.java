package dev.trainops.app.sandbox;

import dev.trainops.catalog.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Past runs from {@code config/sandbox/run-history.jsonl}: where the kubelet takes epoch times and utilisation. */
public final class RunHistory {
    /**
     * Throughput relative to an H100, to carry a history to another GPU. Rough public figures for
     * dense BF16/FP16 training (vendor datasheets); the sandbox is a demo, not a benchmark.
     */
    private static final Map<String, Double> RELATIVE_SPEED = Map.of(
            "H200", 1.3, "H100", 1.0, "A100-80GB", 0.55, "A100-40GB", 0.5, "L40S", 0.45,
            "L4", 0.25, "A10G", 0.22, "T4", 0.12, "V100", 0.3);

    public record Epoch(int epoch, double durationS, double trainLoss, double valLoss, Double valAccuracy,
                        Double valPerplexity, double gpuUtilMean, long gpuMemUsedMb) {
    }

    public record PastRun(String runName, String model, String experiment, String team, int batchSize, double learningRate,
                          String gpuType, int gpuCount, int epochsPlanned, double endedHoursAgo, List<Epoch> epochs) {
        public PastRun {
            epochs = List.copyOf(epochs);
        }

        public double meanUtilization() {
            return epochs.stream().mapToDouble(Epoch::gpuUtilMean).average().orElse(0);
        }
    }

    private final List<PastRun> runs;

    public RunHistory(List<PastRun> runs) {
        this.runs = List.copyOf(runs);
    }

    public static RunHistory load(Path file) throws IOException {
        List<PastRun> runs = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                runs.add(Json.MAPPER.readValue(line, PastRun.class));
            }
        }
        return new RunHistory(runs);
    }

    public List<PastRun> runs() {
        return runs;
    }

    /** The past run of this model closest in batch size. */
    public Optional<PastRun> closest(String model, int batchSize) {
        return runs.stream().filter(r -> r.model().equals(model))
                .min(Comparator.comparingInt(r -> Math.abs(r.batchSize() - batchSize)));
    }

    static double relativeSpeed(String gpuType) {
        return RELATIVE_SPEED.getOrDefault(gpuType, 0.5);
    }
}
