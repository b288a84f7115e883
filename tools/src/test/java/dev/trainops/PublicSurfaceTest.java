package dev.trainops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The capability packages' public types are the ones docs/architecture.md, "The public surface",
 * lists: an entry point, the tool records another package names, seams and the shared kernel. A
 * new public type fails here until it is listed there, with its reason.
 */
class PublicSurfaceTest {
    static final Map<String, Set<String>> PUBLIC = Map.of(
            "budget", Set.of("BudgetService", "Budget", "BudgetStatus", "BudgetState"),
            "report", Set.of("CostReports", "CostReport", "CostReportRequest"),
            "compare", Set.of("ConfigComparer", "CompareRequest", "Comparison", "HistoryEstimator", "AccuracyGain"),
            "forecast", Set.of("ForecastService", "ForecastRequest", "Forecast", "RunHistorySource", "HistoricRun", "EpochRate",
                    "EpochTimeline", "DurationModel", "WarmupRatio"),
            "recommend", Set.of("CostRecommender", "RecommendRequest", "Recommendations", "RecommendationType", "RunEvidenceSource",
                    "RunEvidence", "JobContext", "JobGpuUsage"),
            "monitor", Set.of("Metrics", "HealthService", "UtilizationReports", "HealthStatus", "TeamWarning", "AlertStore",
                    "MonitorCollector", "TrainingPoller", "QueueMetrics", "QueueReadings"),
            "gpu", Set.of("GpuInventory", "GpuTools", "GpuAvailability", "GpuAvailabilityRequest", "GpuUtilization", "NodeReading",
                    "GpuShares", "GpuSpecs", "GpuSpeeds", "GpuTypes", "Sharing"),
            "events", Set.of("EventLog", "EventRelay"),
            "admission", Set.of("AdmissionReviewer"));

    @Test
    void eachCapabilityPackageShowsOnlyItsEntryPointRecordsSeamsAndSharedKernel() throws Exception {
        for (Map.Entry<String, Set<String>> p : PUBLIC.entrySet()) {
            assertThat(publicTypes(p.getKey())).as("public types of dev.trainops.%s (docs/architecture.md, \"The public surface\")", p.getKey())
                    .containsExactlyInAnyOrderElementsOf(p.getValue());
        }
    }

    /** The top-level types of a package declared public, read from its compiled classes. */
    static Set<String> publicTypes(String pkg) throws IOException, ClassNotFoundException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/trainops", pkg))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                Class<?> type = Class.forName("dev.trainops." + pkg + "." + name, false, PublicSurfaceTest.class.getClassLoader());
                if (Modifier.isPublic(type.getModifiers())) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
