package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.ToolOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU time on a type the price list does not price is not billed quietly: the whole app, on the
 * sandbox with L4 taken out of pricing.yaml, shows it in get_training_health_status (DEGRADED) and
 * on /metrics.
 */
class UnpricedUsageTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void usageOfAnUnpricedGpuTypeIsADegradedHealthStateAndAMetric() throws Exception {
        Path config = dir.resolve("config");
        copyTree(CONFIG, config);
        String pricing = Files.readString(config.resolve("pricing.yaml"));
        Files.writeString(config.resolve("pricing.yaml"), pricing.replaceAll("(?m)^\\s*L4: .*\\n", ""));
        assertThat(Files.readString(config.resolve("pricing.yaml"))).doesNotContain("L4:");

        try (Trainops trainops = Trainops.create(new Trainops.Settings(config, dir.resolve("data"), true, 1.0))) {
            trainops.connect();
            Map<String, Object> health = null;
            // the sandbox seeds, the store opens and the recorder passes in the background: wait for them, bounded
            for (int i = 0; i < 240; i++) {
                ToolOutcome outcome = trainops.catalog().invoke("get_training_health_status", Map.of());
                if (outcome instanceof ToolOutcome.Success s && !((List<?>) s.structured().get("unpriced_usage")).isEmpty()
                        && trainops.metrics().scrape().contains("trainops_unpriced_gpu_seconds_total{gpu_type=\"L4\"}")) {
                    health = s.structured();
                    assertThat(s.text()).contains("L4 GPUs in use without a price").contains("add L4 to gpu_hour in config/pricing.yaml");
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(health).as("unpriced usage reported within 60 s").isNotNull();
            assertThat(health.get("status")).isEqualTo("DEGRADED");
            @SuppressWarnings("unchecked")
            Map<String, Object> l4 = ((List<Map<String, Object>>) health.get("unpriced_usage")).get(0);
            assertThat(l4.get("gpu_type")).isEqualTo("L4");
            assertThat(((Number) l4.get("pods")).intValue()).isPositive();
            assertThat(BackgroundLoopsTest.sample(trainops.metrics().scrape(), "trainops_unpriced_gpu_seconds_total", "gpu_type=\"L4\""))
                    .isPositive();
        }
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
