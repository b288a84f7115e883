package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The alert rules in config/prometheus: valid for promtool, unit-tested with promtool, complete. */
class AlertRulesTest {
    static final Path RULES = Path.of("../config/prometheus/trainops-alerts.yml");

    @Test
    void promtoolChecksTheRules() throws Exception {
        Promtool.Result r = Promtool.run("check", "rules", RULES.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 10 rules found");
    }

    @Test
    void promtoolUnitTestsShowEachAlertFiresWithinTwoMinutesAndStaysQuietWhenHealthy() throws Exception {
        Promtool.Result r = Promtool.run("test", "rules", "../config/prometheus/tests/trainops-alerts.test.yml");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void promtoolChecksThePrometheusServerConfig() throws Exception {
        Promtool.Result r = Promtool.run("check", "config", "../config/prometheus/server/prometheus.yml");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void everyAlertHasASeveritySummaryDescriptionAndRunbookAndEveryOneIsUnitTested() throws Exception {
        JsonNode root = new YAMLMapper().readTree(RULES.toFile());
        assertThat(root.properties()).extracting(Map.Entry::getKey).containsExactly("groups");
        String tests = Files.readString(Path.of("../config/prometheus/tests/trainops-alerts.test.yml"));
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode group : root.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asString();
                names.add(name);
                assertThat(rule.path("labels").path("severity").asString()).as(name).isIn("warning", "critical");
                for (String a : List.of("summary", "description", "runbook")) {
                    assertThat(rule.path("annotations").path(a).asString()).as(name + " " + a).isNotBlank();
                }
                assertThat(tests).as(name + " has a promtool test").contains("alertname: " + name);
            }
        }
        assertThat(names).containsExactlyInAnyOrder("TrainingJobLowGpuUtilization", "TrainingJobRunningLong", "GpuMemoryPressure",
                "TrainingJobFailed", "BudgetForecastOverBudget", "QueueWaitTooLong", "TrainingJobNearMaxCost", "TeamQuotaAbove80Percent",
                "BudgetAbove70Percent", "ContainerMemoryPressure");
    }
}
