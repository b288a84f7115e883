package dev.trainops.forecast;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.PricingConfig;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.testing.MutableClock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forecasts resting on MLflow runs, served by WireMock with the real H200 histories. */
class MlflowRunHistoryTest {
    final WireMockServer mlflow = new WireMockServer(options().dynamicPort());
    final MlflowFixtures h200 = MlflowFixtures.h200();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    @AfterEach
    void stop() {
        mlflow.stop();
    }

    ForecastService service() throws Exception {
        return service(dev.trainops.access.ExperimentTeams.NONE);
    }

    ForecastService service(dev.trainops.access.ExperimentTeams owners) throws Exception {
        mlflow.start();
        MlflowClient client = new MlflowClient(new MlflowClient.Config(URI.create(mlflow.baseUrl() + "/"), null, null, null,
                Duration.ofSeconds(3), 2, Duration.ofMillis(10)));
        MlflowReader reader = new MlflowReader(client, clock, Duration.ofMinutes(1), System::nanoTime, Runnable::run);
        return new ForecastService(new MlflowRunHistory(reader, owners), PricingConfig.load(Path.of("../config/pricing.yaml")), clock);
    }

    void serve(String run) {
        h200.serve(mlflow);
    }

    @Test
    void aForecastRestsOnTheMlflowRunOfThatName() throws Exception {
        ForecastService service = service();
        serve("llm-bs128");
        Forecast f = service.forecast(new ForecastRequest("llm-bs128", 4));
        assertThat(f.basedOn().source()).isEqualTo("mlflow");
        assertThat(f.basedOn().runName()).isEqualTo("llm-bs128");
        assertThat(f.basedOn().gpuType()).isEqualTo("H200");
        assertThat(f.completedEpochs()).isGreaterThanOrEqualTo(2);
        assertThat(f.method()).isEqualTo(EpochRate.Method.STEADY_STATE_MEDIAN);
        assertThat(f.estimatedCost().signum()).isPositive();
    }

    @Test
    void anUnknownNameIsNotFoundAndAQuoteIsRefused() throws Exception {
        ForecastService service = service();
        serve("llm-bs128");
        mlflow.stubFor(post(urlEqualTo("/api/2.0/mlflow/runs/search"))
                .withRequestBody(matchingJsonPath("$.filter", equalTo("attributes.run_name = 'nothing'"))).willReturn(okJson("{}")));
        assertThatThrownBy(() -> service.forecast(new ForecastRequest("nothing", 3))).isInstanceOf(ToolException.class)
                .hasMessageContaining("No run, job or model named 'nothing' in mlflow");
        assertThatThrownBy(() -> service.forecast(new ForecastRequest("x' OR '1'='1", 3)))
                .hasMessageContaining("job_name");
    }

    static final dev.trainops.access.Principal ALICE = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"),
            dev.trainops.access.Role.MEMBER);
    static final dev.trainops.access.Principal BOB = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"),
            dev.trainops.access.Role.MEMBER);

    dev.trainops.catalog.ToolOutcome forecastAs(ForecastService service, dev.trainops.access.Principal who, String name) {
        return new dev.trainops.catalog.ToolCatalog(java.util.List.of(ForecastService.tool(() -> service))).invoke("forecast_training_cost",
                java.util.Map.of("job_name", name, "remaining_epochs", 4), dev.trainops.catalog.CallContext.of(who));
    }

    @Test
    void rule6_aRunWithoutATeamTagIsOwnedThroughTeamsYaml() throws Exception {
        // the fixture's runs carry no team tag or param; their experiment, "runs", is team-a's in teams.yaml
        ForecastService service = service(new dev.trainops.access.ExperimentTeams(java.util.Map.of("runs", "team-a")));
        serve("llm-bs128");
        mlflow.stubFor(post(urlEqualTo("/api/2.0/mlflow/runs/search"))
                .withRequestBody(matchingJsonPath("$.filter", equalTo("attributes.run_name = 'nothing'"))).willReturn(okJson("{}")));
        assertThat(forecastAs(service, ALICE, "llm-bs128")).isInstanceOf(dev.trainops.catalog.ToolOutcome.Success.class);
        dev.trainops.catalog.ToolOutcome.Failure hidden = (dev.trainops.catalog.ToolOutcome.Failure) forecastAs(service, BOB, "llm-bs128");
        dev.trainops.catalog.ToolOutcome.Failure unknown = (dev.trainops.catalog.ToolOutcome.Failure) forecastAs(service, BOB, "nothing");
        assertThat(hidden.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
        assertThat(hidden.text()).isEqualTo(unknown.text().replace("nothing", "llm-bs128"));
    }

    @Test
    void rule6_aRunOfNoTeamIsVisibleToAdminsOnly() throws Exception {
        ForecastService service = service(dev.trainops.access.ExperimentTeams.NONE);
        serve("llm-bs128");
        assertThat(forecastAs(service, ALICE, "llm-bs128")).isInstanceOfSatisfying(dev.trainops.catalog.ToolOutcome.Failure.class,
                f -> assertThat(f.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND));
        assertThat(forecastAs(service, dev.trainops.access.Principal.LOCAL, "llm-bs128"))
                .isInstanceOf(dev.trainops.catalog.ToolOutcome.Success.class);
    }

    @Test
    void rule6_aTeamTagWinsOverTeamsYaml() {
        dev.trainops.access.ExperimentTeams owners = new dev.trainops.access.ExperimentTeams(java.util.Map.of("runs", "team-a"));
        assertThat(owners.ownerOf(java.util.Map.of("team", "team-b"), java.util.Map.of("team", "team-c"), "runs")).isEqualTo("team-b");
        assertThat(owners.ownerOf(java.util.Map.of(), java.util.Map.of("team", "team-c"), "runs")).isEqualTo("team-c");
        assertThat(owners.ownerOf(java.util.Map.of(), java.util.Map.of(), "runs")).isEqualTo("team-a");
        assertThat(owners.ownerOf(java.util.Map.of(), java.util.Map.of(), "other")).isNull();
    }
}
