package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainops.app.Trainops;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolOutcome;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's story, priced all-in (issue 13, "estimates equal the bill"): 5 more epochs of llm
 * forecast at about $6.50 at peak and 3 at about $3.90, GPU, CPU and memory together, as the ledger
 * bills them; and the estimate of a new 5-epoch llm job (batch size 64, one H100), warm-up
 * included, is what validate_job_resources and queue_training_job both answer.
 */
class SandboxStoryTest {
    @TempDir
    Path dataDir;

    Trainops trainops;

    @BeforeEach
    void start() throws Exception {
        Path config = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
        trainops = Trainops.create(new Trainops.Settings(config, dataDir, true, 1.0));
        trainops.connect();
    }

    @AfterEach
    void stop() {
        trainops.close();
    }

    Map<String, Object> call(String tool, Map<String, Object> args) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        ToolOutcome o = trainops.catalog().invoke(tool, args);
        // the sandbox's run history opens in the background
        while (o instanceof ToolOutcome.Failure f && f.error().code() == ErrorCode.UPSTREAM_UNAVAILABLE && System.nanoTime() < deadline) {
            o = trainops.catalog().invoke(tool, args);
        }
        assertThat(o).as(tool + " " + o).isInstanceOf(ToolOutcome.Success.class);
        return ((ToolOutcome.Success) o).structured();
    }

    static BigDecimal amount(Map<String, Object> answer, String key) {
        return new BigDecimal(String.valueOf(answer.get(key)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void estimatesEqualTheBill_theSandboxForecastsLlmAtAboutSixFiftyForFiveEpochsAllIn() {
        Map<String, Object> five = call("forecast_training_cost", Map.of("job_name", "llm", "remaining_epochs", 5));
        assertThat(((Map<String, Object>) five.get("based_on")).get("run_name")).isEqualTo("llm-bs64-baseline");
        // 5 x 631.9 s of an H100 with 8 cores and 64 GiB at 7.404056/h = 6.498
        assertThat(amount(five, "estimated_cost_at_peak")).isCloseTo(new BigDecimal("6.50"), within(new BigDecimal("0.02")));
        assertThat(amount(five, "cost_per_epoch_at_peak")).isCloseTo(new BigDecimal("1.30"), within(new BigDecimal("0.005")));
        Map<String, Object> three = call("forecast_training_cost", Map.of("job_name", "llm", "remaining_epochs", 3));
        assertThat(amount(three, "estimated_cost_at_peak")).isCloseTo(new BigDecimal("3.90"), within(new BigDecimal("0.02")));
    }

    @Test
    void estimatesEqualTheBill_aNewFiveEpochLlmJobIsEstimatedWithItsWarmUpTheSameByValidateAndQueue() {
        Map<String, Object> args = Map.of("model", "llm", "epochs", 5, "batch_size", 64, "gpu_type", "H100", "gpu_count", 1);
        Map<String, Object> validated = call("validate_job_resources", args);
        // warm-up (epoch 1 over the steady pace: 35.4 s) and 5 steady epochs of 631.9 s
        assertThat(((Number) validated.get("estimated_duration_seconds")).longValue()).isEqualTo(3_195L);
        Map<String, Object> queued = call("queue_training_job", Map.of("model", "llm", "run_name", "story-5ep", "team", "team-a", "epochs", 5,
                "batch_size", 64, "gpu_type", "H100"));
        assertThat(amount(queued, "estimated_cost")).isEqualByComparingTo(amount(validated, "estimated_cost"));
    }
}
