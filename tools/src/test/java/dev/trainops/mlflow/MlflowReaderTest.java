package dev.trainops.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MlflowReaderTest {
    final WireMockServer mlflow = new WireMockServer(options().dynamicPort());
    final MlflowFixtures fixtures = MlflowFixtures.h200();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    final AtomicLong nanos = new AtomicLong();
    MlflowReader reader;

    MlflowReader start() {
        mlflow.start();
        MlflowClient client = new MlflowClient(new MlflowClient.Config(URI.create(mlflow.baseUrl() + "/"), null, null, null,
                Duration.ofSeconds(3), 2, Duration.ofMillis(10)));
        // refreshes run on the caller's thread here, so the test sees their outcome at once
        return new MlflowReader(client, clock, Duration.ofMinutes(1), nanos::get, Runnable::run);
    }

    @AfterEach
    void stop() {
        mlflow.stop();
    }

    @Test
    void withMlflowStoppedACachedRunAnswersFastMarkedStale() {
        reader = start();
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(okJson(fixtures.getRunJson("llm-bs64"))));
        MlflowReader.Read<MlflowRun> first = reader.run("r1");
        assertThat(first.stale()).isFalse();
        assertThat(first.asOf()).isEqualTo(clock.instant());

        mlflow.stop();
        clock.advance(Duration.ofMinutes(5));
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        reader.run("r1"); // triggers a refresh, which fails
        long start = System.nanoTime();
        MlflowReader.Read<MlflowRun> later = reader.run("r1");
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(ms).isLessThan(500);
        assertThat(later.value().runName()).isEqualTo("llm-bs64");
        assertThat(later.stale()).isTrue();
        assertThat(later.asOf()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
    }

    @Test
    void aReaderDoesNotCallMlflowAgainWhileTheValueIsFresh() {
        reader = start();
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history"))
                .willReturn(okJson(fixtures.historyJson("llm-bs64", "val_loss", null))));
        for (int i = 0; i < 20; i++) {
            assertThat(reader.history("r1", "val_loss").value()).hasSize(6);
        }
        mlflow.verify(1, getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history")));
    }

    @Test
    void nothingCachedAndMlflowDownIsUpstreamUnavailableNamingMlflow() {
        reader = start();
        mlflow.stop();
        assertThatThrownBy(() -> reader.run("r9")).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
            assertThat(e.getMessage()).contains("MLflow at");
            assertThat(e.hint()).contains("MLFLOW_TRACKING_URI");
        });
    }

    @Test
    void anUnknownRunIsNotFound() {
        reader = start();
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(com.github.tomakehurst.wiremock.client.WireMock
                .aResponse().withStatus(404).withBody("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"no run\"}")));
        assertThatThrownBy(() -> reader.run("nope")).isInstanceOfSatisfying(ToolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void oneNotFoundForAnUnknownRunIdLeavesMlflowHealthy() {
        reader = start();
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(com.github.tomakehurst.wiremock.client.WireMock
                .aResponse().withStatus(404).withBody("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"no run\"}")));
        assertThatThrownBy(() -> reader.run("0".repeat(32))).isInstanceOf(ToolException.class);

        assertThat(reader.healthy()).as("a 404 is MLflow answering, not MLflow failing").isTrue();
    }

    @Test
    void aFailedCallMarksMlflowUnhealthyOnlyUntilTheNextCallIsAnswered() {
        reader = start();
        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/runs/get")).willReturn(com.github.tomakehurst.wiremock.client.WireMock
                .aResponse().withStatus(500).withBody("{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"boom\"}")));
        assertThatThrownBy(() -> reader.run("r-broken")).isInstanceOf(ToolException.class);
        assertThat(reader.healthy()).isFalse();

        mlflow.stubFor(get(urlPathEqualTo("/api/2.0/mlflow/metrics/get-history"))
                .willReturn(okJson(fixtures.historyJson("llm-bs64", "val_loss", null))));
        reader.history("r1", "val_loss");

        assertThat(reader.healthy()).as("the key that failed is never asked again; MLflow answers other calls").isTrue();
    }
}
