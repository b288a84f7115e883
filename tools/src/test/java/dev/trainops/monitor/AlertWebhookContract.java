package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager's webhook into get_training_health_status, on each store: a real payload (version
 * 4) makes its alerts appear with a remediation; its resolution removes them; repeats do not
 * double them; a late firing repeat does not reopen a resolved alert.
 */
abstract class AlertWebhookContract {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:02:00Z"));
    AlertStore alerts;
    HealthService health;

    private Store store;

    abstract Store store();

    @BeforeEach
    void open() {
        store = store();
        alerts = new AlertStore(store, clock);
        health = new HealthService(alerts, null, GpuUtilization.UNKNOWN, () -> List.of(new HealthStatus.Backend("kubernetes", true, false, "ok")),
                clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static String payload(String name) throws IOException {
        try (InputStream in = AlertWebhookContract.class.getResourceAsStream("/alertmanager/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFiringPayloadAppearsInTheHealthStatusWithARemediation() throws Exception {
        AlertStore.Received r = alerts.receive(payload("firing.json"));
        assertThat(r).isEqualTo(new AlertStore.Received(2, 2, 0, 0));
        HealthStatus h = health.status(new HealthRequest(null));
        assertThat(h.status()).isEqualTo("CRITICAL");
        assertThat(h.alerts()).extracting(HealthStatus.ActiveAlert::alertname)
                .containsExactly("TrainingJobLowGpuUtilization", "BudgetForecastOverBudget");
        HealthStatus.ActiveAlert low = h.alerts().get(0);
        assertThat(low.fingerprint()).isEqualTo("5f3c9b3f6a1d2e4c");
        assertThat(low.team()).isEqualTo("team-a");
        assertThat(low.labels()).containsEntry("job", "trainops").containsEntry("job_id", "tj-0a1b2c3d4e5f");
        assertThat(low.startsAt()).isEqualTo(Instant.parse("2026-11-30T10:00:15.123Z"));
        assertThat(low.remediation()).contains("Job tj-0a1b2c3d4e5f at 12% GPU").contains("recommend_cost_optimization");
        assertThat(h.alerts().get(1).remediation()).contains("team-b").contains("get_budget_status");
        assertThat(HealthService.text(h)).contains("alert(s) firing");
        assertThat(health.status(new HealthRequest("team-a")).alerts()).singleElement()
                .satisfies(a -> assertThat(a.alertname()).isEqualTo("TrainingJobLowGpuUtilization"));
    }

    @Test
    void itsResolutionRemovesIt() throws Exception {
        alerts.receive(payload("firing.json"));
        clock.advance(Duration.ofMinutes(8));
        assertThat(alerts.receive(payload("resolved.json"))).isEqualTo(new AlertStore.Received(1, 0, 1, 0));
        HealthStatus h = health.status(new HealthRequest(null));
        assertThat(h.alerts()).extracting(HealthStatus.ActiveAlert::alertname).containsExactly("BudgetForecastOverBudget");
        assertThat(health.status(new HealthRequest("team-a")).alerts()).isEmpty();
    }

    @Test
    void repeatsAreDeduplicatedByFingerprint() throws Exception {
        alerts.receive(payload("firing.json"));
        clock.advance(Duration.ofHours(1));
        alerts.receive(payload("firing.json"));
        List<AlertStore.Alert> firing = alerts.firing(null);
        assertThat(firing).hasSize(2);
        assertThat(firing.get(0).notifications()).isEqualTo(2);
        assertThat(firing.get(0).firstSeen()).isEqualTo(Instant.parse("2026-11-30T10:02:00Z"));
    }

    @Test
    void aLateFiringRepeatDoesNotReopenAResolvedAlertButANewOneDoes() throws Exception {
        alerts.receive(payload("firing.json"));
        alerts.receive(payload("resolved.json"));
        AlertStore.Received late = alerts.receive(payload("firing.json"));
        assertThat(late.ignored()).isEqualTo(1);
        assertThat(alerts.firing("team-a")).isEmpty();
        alerts.receive(payload("firing.json").replace("2026-11-30T10:00:15.123Z", "2026-11-30T11:00:00Z"));
        assertThat(alerts.firing("team-a")).hasSize(1);
    }

    @Test
    void aPayloadThatIsNotVersionFourIsRefusedWithWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> alerts.receive(payload("firing.json").replace("\"version\": \"4\"", "\"version\": \"3\"")))
                .isInstanceOf(ToolException.class).hasMessage("Payload version '3' is not supported.");
        assertThatThrownBy(() -> alerts.receive("not json")).isInstanceOf(ToolException.class).hasMessage("The body is not JSON.");
        assertThatThrownBy(() -> alerts.receive("{\"version\":\"4\"}")).isInstanceOf(ToolException.class)
                .hasMessage("The payload has no 'alerts' array.");
        assertThat(alerts.firing(null)).isEmpty();
    }

    @Test
    void withNoAlertNoFailureAndBackendsUpItIsHealthy() {
        HealthStatus h = health.status(new HealthRequest(null));
        assertThat(h.status()).isEqualTo("HEALTHY");
        assertThat(h.summary()).startsWith("Healthy: every backend up");
        assertThatThrownBy(() -> health.status(new HealthRequest("Team_A"))).isInstanceOf(ToolException.class)
                .hasMessageContaining("Argument 'team'");
    }

    @Test
    @SuppressWarnings("unchecked")
    void rule1_aMembersHealthHoldsOnlyItsTeamsAlerts() throws Exception {
        alerts.receive(payload("firing.json"));
        dev.trainops.catalog.ToolCatalog catalog = new dev.trainops.catalog.ToolCatalog(List.of(HealthService.tool(() -> health)));
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"), dev.trainops.access.Role.VIEWER);
        dev.trainops.access.Principal bob = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"), dev.trainops.access.Role.VIEWER);
        java.util.function.Function<dev.trainops.access.Principal, List<Object>> alertnames = p -> ((List<java.util.Map<String, Object>>)
                ((dev.trainops.catalog.ToolOutcome.Success) catalog.invoke("get_training_health_status", java.util.Map.of(),
                        dev.trainops.catalog.CallContext.of(p))).structured().get("alerts")).stream().map(a -> a.get("alertname")).toList();
        assertThat(alertnames.apply(alice)).contains("TrainingJobLowGpuUtilization");
        assertThat(alertnames.apply(bob)).doesNotContain("TrainingJobLowGpuUtilization");
        assertThat(alertnames.apply(dev.trainops.access.Principal.LOCAL)).contains("TrainingJobLowGpuUtilization", "BudgetForecastOverBudget");
        dev.trainops.catalog.ToolOutcome other = catalog.invoke("get_training_health_status", java.util.Map.of("team", "team-a"),
                dev.trainops.catalog.CallContext.of(bob));
        dev.trainops.catalog.ToolOutcome unknown = catalog.invoke("get_training_health_status", java.util.Map.of("team", "team-q"),
                dev.trainops.catalog.CallContext.of(bob));
        assertThat(((dev.trainops.catalog.ToolOutcome.Failure) other).error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
        assertThat(other.text()).isEqualTo(unknown.text().replace("team-q", "team-a"));
    }
}
