package dev.trainops.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MLflow's REST API as WireMock serves it, with the real shapes (H200 runs from tools/src/test/resources/h200-runs.jsonl). */
class MlflowClientTest {
    WireMockServer mlflow;
    MlflowClient client;
    final MlflowFixtures fixtures = MlflowFixtures.h200();

    @BeforeEach
    void start() {
        mlflow = new WireMockServer(options().dynamicPort());
        mlflow.start();
        client = new MlflowClient(new MlflowClient.Config(URI.create(mlflow.baseUrl() + "/"), "alice", "s3cret", null,
                Duration.ofSeconds(2), 3, Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        mlflow.stop();
    }

    @Test
    void searchRunsFollowsPagesAndParsesTheRealShapes() {
        List<String> pages = fixtures.searchPages(2);
        mlflow.stubFor(post(urlEqualTo("/api/2.0/mlflow/runs/search")).withRequestBody(matchingJsonPath("$.page_token", absent()))
                .willReturn(okJson(pages.get(0))));
        mlflow.stubFor(post(urlEqualTo("/api/2.0/mlflow/runs/search")).withRequestBody(matchingJsonPath("$.page_token", equalTo("page-2")))
                .willReturn(okJson(pages.get(1))));

        List<MlflowRun> runs = client.searchRuns(List.of("1"), "params.model = 'llm-tiny'", 100);

        assertThat(runs).extracting(MlflowRun::runName).containsExactly("mnist-bs32", "llm-bs64", "llm-bs128");
        MlflowRun llm = runs.get(1);
        assertThat(llm.params()).containsEntry("batch_size", "64").containsEntry("gpu_type", "H200");
        assertThat(llm.status()).isEqualTo("FINISHED");
        assertThat(llm.startTime()).isEqualTo(Instant.ofEpochMilli(1795884768430L));
        mlflow.verify(postRequestedFor(urlEqualTo("/api/2.0/mlflow/runs/search"))
                .withRequestBody(matchingJsonPath("$.experiment_ids[0]", equalTo("1")))
                .withRequestBody(matchingJsonPath("$.max_results")));
    }

    @Test
    void aSearchWithNoHitsIsAnEmptyObject() {
        mlflow.stubFor(post(urlEqualTo("/api/2.0/mlflow/runs/search")).willReturn(okJson("{}")));
        assertThat(client.searchRuns(List.of("1"), null, 100)).isEmpty();
    }

    @Test
    void metricHistoryAlwaysSendsMaxResultsAndStopsWhenATokenRepeats() {
        MlflowRun llm = fixtures.run("llm-bs64");
        // an MLflow 3.4-style server whose token never advances
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history"))
                .willReturn(okJson(fixtures.historyJson("llm-bs64", "val_loss", "stuck-token"))));

        List<MlflowRun.MetricPoint> history = client.metricHistory(llm.runId(), "val_loss");

        assertThat(history).extracting(MlflowRun.MetricPoint::step).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        mlflow.verify(2, getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history")));
        mlflow.verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history"))
                .withQueryParam("max_results", equalTo(Integer.toString(MlflowClient.HISTORY_PAGE))));
    }

    @Test
    void nanAndInfinityArriveAsStringsAndInt64sAsStrings() {
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history")).willReturn(okJson("""
                {"metrics": [
                  {"key": "loss", "value": "NaN", "timestamp": "1795884771295", "step": "1"},
                  {"key": "loss", "value": "Infinity", "timestamp": 1795884773760, "step": 2},
                  {"key": "loss", "value": 1.25, "timestamp": 1795884776525, "step": 3}]}""")));
        List<MlflowRun.MetricPoint> points = client.metricHistory("r1", "loss");
        assertThat(points.get(0).value()).isNaN();
        assertThat(points.get(0).timestamp()).isEqualTo(Instant.ofEpochMilli(1795884771295L));
        assertThat(points.get(1).value()).isInfinite();
        assertThat(points.get(2).value()).isEqualTo(1.25);
    }

    @Test
    void retriesOn503AndThenSucceeds() {
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"busy\"}"))
                .willSetStateTo("up"));
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson(fixtures.getRunJson("mnist-bs32"))));
        assertThat(client.getRun("x").runName()).isEqualTo("mnist-bs32");
        mlflow.verify(2, getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/runs/get")));
    }

    @Test
    void anUnknownRunIsNotFoundWithMlflowsCode() {
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"Run 'nope' not found\"}")));
        assertThatThrownBy(() -> client.getRun("nope")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.notFound()).isTrue();
            assertThat(e.getMessage()).contains("Run 'nope' not found");
        });
        mlflow.verify(1, getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/runs/get")));
    }

    @Test
    void thePlainTextAuthErrorIsKept() {
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(aResponse().withStatus(401)
                .withBody("You are not authenticated. Please see the documentation.")));
        assertThatThrownBy(() -> client.getRun("x")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).contains("not authenticated");
        });
    }

    @Test
    void sendsBasicAuthOrABearerToken() {
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(okJson(fixtures.getRunJson("mnist-bs32"))));
        client.getRun("x");
        mlflow.verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/runs/get")).withHeader("Authorization", equalTo("Basic YWxpY2U6czNjcmV0")));

        MlflowClient bearer = new MlflowClient(MlflowClient.Config.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", mlflow.baseUrl(),
                "MLFLOW_TRACKING_TOKEN", "tok-123")).orElseThrow());
        bearer.getRun("x");
        mlflow.verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/runs/get")).withHeader("Authorization", equalTo("Bearer tok-123")));
    }

    @Test
    void anUnreachableServerIsReportedAsSuch() {
        mlflow.stop();
        assertThatThrownBy(() -> client.getRun("x")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.unreachable()).isTrue();
            assertThat(e.getMessage()).contains("did not answer");
        });
    }

    @Test
    void aTrackingUriThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> MlflowClient.Config.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "file:///tmp/mlruns")))
                .hasMessageContaining("must be an http(s) URL");
        assertThat(MlflowClient.Config.fromEnvironment(Map.of())).isEmpty();
    }
}
