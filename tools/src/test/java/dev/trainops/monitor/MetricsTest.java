package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The exported families: all there at start with zero values, histograms not summaries, changes visible on the next scrape. */
class MetricsTest {
    static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    static Metrics fresh() {
        return new Metrics(List.of("get_gpu_availability", "queue_training_job"), List.of("team-a", "team-b"), "USD");
    }

    /** Family name to its type, from the exposition text. */
    static Map<String, String> families(String text) {
        Map<String, String> out = new java.util.TreeMap<>();
        Matcher m = TYPE.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** Every sample name the text holds (with _bucket, _count, _sum, _total suffixes). */
    static Set<String> sampleNames(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static double value(String text, String name, String labels) {
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(name) && (labels == null || (m.group(2) != null && m.group(2).contains(labels)))) {
                return Double.parseDouble(m.group(3));
            }
        }
        throw new AssertionError("no sample " + name + " with " + labels + " in\n" + text);
    }

    @Test
    void aReplicaThatDoesNotLeadExportsOnlyItsOwnFamiliesAndTheLeaderAll() {
        assertThat(Metrics.FAMILIES).containsAll(LeaderOnly.FAMILIES);
        Metrics metrics = fresh();
        metrics.budget("team-a", 0.5, 0.5, 0.5);
        java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean(false);
        metrics.leader(leading::get);

        String follower = metrics.scrape();
        Set<String> own = new TreeSet<>(Metrics.FAMILIES);
        own.removeAll(LeaderOnly.FAMILIES);
        assertThat(families(follower).keySet()).containsAll(own).doesNotContainAnyElementsOf(LeaderOnly.FAMILIES);
        for (String name : sampleNames(follower)) {
            assertThat(LeaderOnly.matches(name)).as(name).isFalse();
        }
        assertThat(sampleNames(follower)).contains("trainops_tool_calls_seconds_count", "trainops_leader");
        assertThat(value(follower, "trainops_leader", null)).isZero();
        assertThat(follower).doesNotContain("trainops_budget_consumption_ratio");

        leading.set(true);
        String leader = metrics.scrape();
        assertThat(families(leader).keySet()).containsAll(Metrics.FAMILIES);
        assertThat(value(leader, "trainops_budget_consumption_ratio", "team-a")).isEqualTo(0.5);
        assertThat(value(leader, "trainops_leader", null)).isEqualTo(1.0);
    }

    @Test
    void leaderOnlyMatchesAFamilysSamplesAndNothingElse() {
        assertThat(LeaderOnly.matches("trainops_queue_wait_seconds_bucket")).isTrue();
        assertThat(LeaderOnly.matches("trainops_cost_total")).isTrue();
        assertThat(LeaderOnly.matches("trainops_cost")).isTrue();
        assertThat(LeaderOnly.matches("trainops_job_cost_actual_to_forecast_ratio")).isTrue();
        assertThat(LeaderOnly.matches("trainops_leader")).isFalse();
        assertThat(LeaderOnly.matches("trainops_tool_calls_seconds_count")).isFalse();
        assertThat(LeaderOnly.matches("trainops_background_loop_failures_total")).isFalse();
        assertThat(LeaderOnly.matches("jvm_memory_used_bytes")).isFalse();
    }

    @Test
    void everyFamilyIsRegisteredAtStartWithZeroValues() {
        String text = fresh().scrape();
        Map<String, String> families = families(text);
        assertThat(families.keySet()).containsAll(Metrics.FAMILIES);
        for (String name : sampleNames(text)) {
            if (name.startsWith("trainops_") && !name.endsWith("_bucket")) {
                Matcher m = SAMPLE.matcher(text);
                while (m.find()) {
                    if (m.group(1).equals(name) && !name.equals("trainops_tool_calls_seconds_max")) {
                        assertThat(Double.parseDouble(m.group(3))).as(m.group()).isZero();
                    }
                }
            }
        }
    }

    @Test
    void latencyWaitAndDurationAreHistogramsWithBaseUnitsNeverSummaries() {
        Map<String, String> families = families(fresh().scrape());
        assertThat(families).containsEntry("trainops_tool_calls_seconds", "histogram")
                .containsEntry("trainops_queue_wait_seconds", "histogram").containsEntry("trainops_job_duration_seconds", "histogram")
                .containsEntry("trainops_job_cost_actual_to_forecast_ratio", "histogram");
        assertThat(families.values()).doesNotContain("summary");
    }

    @Test
    void aChangeIsVisibleOnTheVeryNextScrape() {
        Metrics metrics = fresh();
        metrics.toolCall("get_gpu_availability", "ok", Duration.ofMillis(3).toNanos());
        metrics.toolCall("queue_training_job", "BUDGET_EXCEEDED", Duration.ofMillis(40).toNanos());
        metrics.queue(Map.of("URGENT", 2L), Map.of("URGENT", Duration.ofMinutes(5)), 3);
        metrics.jobAdmitted("team-a", "URGENT", Duration.ofSeconds(90));
        metrics.jobEnded("team-a", "FAILED", Duration.ofMinutes(20));
        metrics.usage("team-a", "llm", "OFF_PEAK", 7200, 28800, 6_880_000);
        metrics.budget("team-a", 0.42, 0.7, 1.1);
        metrics.cacheRequest("mlflow", true);
        metrics.backend("mlflow", () -> true, () -> false);
        String text = metrics.scrape();
        assertThat(value(text, "trainops_tool_calls_seconds_count", "tool=\"get_gpu_availability\"")).isEqualTo(1);
        assertThat(value(text, "trainops_tool_calls_seconds_bucket", "outcome=\"ok\",tool=\"get_gpu_availability\",le=\"0.005\""))
                .isEqualTo(1);
        assertThat(value(text, "trainops_tool_calls_seconds_count", "outcome=\"BUDGET_EXCEEDED\"")).isEqualTo(1);
        assertThat(value(text, "trainops_queue_depth", "priority=\"URGENT\"")).isEqualTo(2);
        assertThat(value(text, "trainops_queue_oldest_wait_seconds", "priority=\"URGENT\"")).isEqualTo(300);
        assertThat(value(text, "trainops_running_jobs", null)).isEqualTo(3);
        assertThat(value(text, "trainops_jobs_admitted_total", "team=\"team-a\"")).isEqualTo(1);
        assertThat(value(text, "trainops_queue_wait_seconds_sum", "priority=\"URGENT\"")).isEqualTo(90);
        assertThat(value(text, "trainops_jobs_failed_total", "team=\"team-a\"")).isEqualTo(1);
        assertThat(value(text, "trainops_gpu_usage_seconds_total", "rate_class=\"off_peak\"")).isEqualTo(7200);
        assertThat(value(text, "trainops_cost_total", "rate_class=\"off_peak\"")).isEqualTo(6.88);
        assertThat(value(text, "trainops_budget_forecast_ratio", "scope=\"team-a\"")).isEqualTo(1.1);
        assertThat(value(text, "trainops_budget_used_ratio", "scope=\"team-a\"")).isEqualTo(0.7);
        assertThat(value(text, "trainops_cache_requests_total", "backend=\"mlflow\",result=\"hit\"")).isEqualTo(1);
        assertThat(value(text, "trainops_backend_up", "backend=\"mlflow\"")).isEqualTo(1);
    }

    @Test
    void runsAndJobsThatEndDropOutOfTheGauges() {
        Metrics metrics = fresh();
        metrics.training("llm-1", "llm", "team-a", 1.5, 0.4, 4.5);
        metrics.training("llm-2", "llm", "team-a", 1.7, 0.3, 5.5);
        metrics.jobGauges("tj-000000000001", "team-a", java.util.OptionalDouble.of(0.2), java.util.OptionalDouble.of(0.5), 60, 600);
        metrics.jobCostToCap("tj-000000000001", "team-a", 0.5);
        metrics.retainTraining(Set.of("llm-2"));
        metrics.retainJobs(Set.of());
        String text = metrics.scrape();
        assertThat(text).doesNotContain("run=\"llm-1\"").contains("run=\"llm-2\"").doesNotContain("tj-000000000001");
        assertThat(value(text, "trainops_training_loss", "run=\"llm-2\"")).isEqualTo(1.7);
    }

    @Test
    void usageTotalsNeverGoBackwards() {
        Metrics metrics = fresh();
        metrics.usage("team-a", "llm", "PEAK", 100, 0, 1_000_000);
        metrics.usage("team-a", "llm", "PEAK", 50, 0, 500_000);
        assertThat(value(metrics.scrape(), "trainops_gpu_usage_seconds_total", "experiment=\"llm\"")).isEqualTo(100);
    }
}
