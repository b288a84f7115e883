package dev.trainops.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry tools over MLflow's model registry as WireMock serves it, in the shapes of
 * mlflow/protos/model_registry.proto through mlflow/server/handlers.py (versions as strings, int64
 * timestamps as numbers, empty fields left out, aliases {@code [{alias, version}]} on the model):
 * MLflow 2.x (404 on logged-models: the source is runs:/), MLflow 3 (the run's logged model),
 * pagination, aliases for stages, errors, and never transition-stage.
 */
class MlflowModelToolsTest {
    static final String API = "/api/2.0/mlflow/";
    static final String RUN = "5f0c9d2b6a1e4d7f9b3c8e5a1d2f6b7c";
    static final String OTHER_RUN = "6f0c9d2b6a1e4d7f9b3c8e5a1d2f6b7c";
    static final String MODEL_ID = "m-4f0c9d2b6a1e4d7f9b3c8e5a1d2f6b7c";
    static final long CREATED = 1795884768430L;
    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    static final String FLASK_404 = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n";

    WireMockServer mlflow;
    ToolCatalog catalog;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    @BeforeEach
    void start() {
        mlflow = new WireMockServer(options().dynamicPort());
        mlflow.start();
        MlflowRegistry registry = new MlflowRegistry(new MlflowClient.Config(URI.create(mlflow.baseUrl() + "/"), null, null, "t0ken",
                Duration.ofSeconds(2), 2, Duration.ofMillis(10)));
        ModelRun run = new ModelRun(RUN, "llm-bs64", "1", "FINISHED", Instant.parse("2026-11-29T09:00:00Z"), Instant.parse("2026-11-29T10:00:00Z"),
                "team-a", Map.of("model", "llm", "gpu_type", "H200"), Map.of("mlflow.log-model.history",
                "[{\"run_id\": \"" + RUN + "\", \"artifact_path\": \"llm_model\", \"utc_time_created\": \"2026-11-29 10:00:00.000000\"}]"),
                Map.of("val_accuracy", 0.91), List.of(new MlflowRun.MetricPoint("val_accuracy", 0.91, Instant.parse("2026-11-29T10:00:00Z"), 4)));
        ModelRun.Source runs = id -> RUN.equals(id) || "llm-bs64".equals(id) ? Optional.of(run) : Optional.empty();
        ModelService service = new ModelService(ModelRegistry.mlflow(registry), runs, () -> {
            throw new dev.trainops.catalog.ToolException(dev.trainops.catalog.ErrorCode.UPSTREAM_UNAVAILABLE, "no store", "");
        }, () -> null, java.util.Currency.getInstance("USD"), clock);
        catalog = new ToolCatalog(ModelService.tools(() -> service));
    }

    @AfterEach
    void neverTransitionStage() {
        try {
            mlflow.verify(0, anyRequestedFor(urlMatching(".*transition-stage.*")));
        } finally {
            mlflow.stop();
        }
    }

    static ResponseDefinitionBuilder failure(int status, String code, String message) {
        return aResponse().withStatus(status).withBody("{\"error_code\": \"" + code + "\", \"message\": \"" + message + "\"}");
    }

    void answerInTurn(Supplier<MappingBuilder> request, ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder stub = request.get().inScenario("in turn " + request.hashCode())
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i).willReturn(answers[i]);
            mlflow.stubFor(i + 1 < answers.length ? stub.willSetStateTo("answer " + (i + 1)) : stub);
        }
    }

    static String version(String version, String runId, String source, String modelId, String tags) {
        return """
                {"name": "llm-tiny", "version": "%s", "creation_timestamp": %d, "last_updated_timestamp": %d,
                 "user_id": "alice", "current_stage": "None", "source": "%s", "run_id": "%s", "status": "READY",
                 "tags": [%s]%s}""".formatted(version, CREATED, CREATED, source, runId, tags, modelId == null ? "" : ", \"model_id\": \"" + modelId + "\"");
    }

    static String model(String aliases, String latest) {
        return """
                {"registered_model": {"name": "llm-tiny", "creation_timestamp": %d, "last_updated_timestamp": %d,
                 "tags": [{"key": "trainops.team", "value": "team-a"}], "aliases": [%s], "latest_versions": [%s]}}"""
                .formatted(CREATED, CREATED, aliases, latest);
    }

    Map<String, Object> ok(Principal who, String tool, Map<String, Object> args) {
        ToolOutcome o = catalog.invoke(tool, args, CallContext.of(who));
        assertThat(o).as(tool + ": " + o).isInstanceOf(ToolOutcome.Success.class);
        return ((ToolOutcome.Success) o).structured();
    }

    ToolError fails(Principal who, String tool, Map<String, Object> args) {
        ToolOutcome o = catalog.invoke(tool, args, CallContext.of(who));
        assertThat(o).as(tool).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) o).error();
    }

    @Test
    void onMlflow2TheVersionIsRegisteredFromTheRunsArtifactPathWithTrainopsTags() {
        answerInTurn(() -> get(urlPathEqualTo(API + "registered-models/get")),
                failure(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=llm-tiny not found"),
                okJson(model("", version("1", RUN, "runs:/" + RUN + "/llm_model", null, ""))));
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/create")).willReturn(okJson(
                "{\"registered_model\": {\"name\": \"llm-tiny\", \"creation_timestamp\": " + CREATED + ", \"last_updated_timestamp\": " + CREATED
                        + ", \"tags\": [{\"key\": \"trainops.team\", \"value\": \"team-a\"}]}}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody(FLASK_404)));
        String created = version("1", RUN, "runs:/" + RUN + "/llm_model", null,
                "{\"key\": \"trainops.team\", \"value\": \"team-a\"}, {\"key\": \"trainops.accuracy\", \"value\": \"0.91\"}");
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create")).willReturn(okJson("{\"model_version\": " + created + "}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).willReturn(okJson("{\"model_version\": " + created + "}")));

        Map<String, Object> v = ok(ALICE, "register_model", Map.of("run_id", "llm-bs64", "name", "llm-tiny"));

        assertThat(v).containsEntry("version", "1").containsEntry("source", "runs:/" + RUN + "/llm_model").containsEntry("created", true);
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "registered-models/create"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"tags\": [{\"key\": \"trainops.team\", \"value\": \"team-a\"}]}")));
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/create"))
                .withRequestBody(matchingJsonPath("$.source", equalTo("runs:/" + RUN + "/llm_model")))
                .withRequestBody(matchingJsonPath("$.run_id", equalTo(RUN)))
                .withRequestBody(matchingJsonPath("$.tags[?(@.key == 'trainops.gpu_type')].value", equalTo("H200")))
                .withRequestBody(matchingJsonPath("$.tags[?(@.key == 'trainops.accuracy')].value", equalTo("0.91")))
                .withRequestBody(matchingJsonPath("$.tags[?(@.key == 'trainops.registered_by')].value", equalTo("alice")))
                .withRequestBody(matchingJsonPath("$[?(!@.model_id)]")));
        // asked once; the 2.x answer is remembered
        mlflow.verify(1, postRequestedFor(urlPathEqualTo(API + "logged-models/search")));
    }

    @Test
    void onMlflow3TheVersionIsRegisteredFromTheRunsLoggedModelAndVersionsAreReadEveryPage() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model("",
                version("1", OTHER_RUN, "models:/m-other", "m-other", "")))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).withQueryParam("page_token", equalTo("p2"))
                .willReturn(okJson("{\"model_versions\": [" + version("2", OTHER_RUN, "models:/m-other2", "m-other2", "") + "]}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).withQueryParam("page_token", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .willReturn(okJson("{\"model_versions\": [" + version("1", OTHER_RUN, "models:/m-other", "m-other", "")
                        + "], \"next_page_token\": \"p2\"}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).willReturn(okJson("""
                {"models": [{"info": {"model_id": "%s", "experiment_id": "1", "name": "model", "creation_timestamp_ms": %d,
                  "last_updated_timestamp_ms": %d, "artifact_uri": "mlflow-artifacts:/1/models/%s/artifacts",
                  "status": "LOGGED_MODEL_READY", "source_run_id": "%s", "tags": []}, "data": {}}]}"""
                .formatted(MODEL_ID, CREATED, CREATED, MODEL_ID, RUN))));
        String created = version("3", RUN, "models:/" + MODEL_ID, MODEL_ID, "{\"key\": \"trainops.team\", \"value\": \"team-a\"}");
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create")).willReturn(okJson("{\"model_version\": " + created + "}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).willReturn(okJson("{\"model_version\": " + created + "}")));

        Map<String, Object> v = ok(ALICE, "register_model", Map.of("run_id", RUN, "name", "llm-tiny"));

        assertThat(v).containsEntry("version", "3").containsEntry("source", "models:/" + MODEL_ID).containsEntry("model_id", MODEL_ID);
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/create"))
                .withRequestBody(matchingJsonPath("$.model_id", equalTo(MODEL_ID)))
                .withRequestBody(matchingJsonPath("$.source", equalTo("models:/" + MODEL_ID))));
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "logged-models/search"))
                .withRequestBody(matchingJsonPath("$.filter", equalTo("source_run_id = '" + RUN + "'"))));
        mlflow.verify(getRequestedFor(urlPathEqualTo(API + "model-versions/search")).withQueryParam("page_token", equalTo("p2")));
        mlflow.verify(0, postRequestedFor(urlPathEqualTo(API + "registered-models/create")));
    }

    @Test
    void registeringARunAlreadyRegisteredReturnsItsVersionAndCreatesNothing() {
        String registered = version("2", RUN, "models:/" + MODEL_ID, MODEL_ID, "{\"key\": \"trainops.job\", \"value\": \"tj-00000000000a\"}");
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model("", registered))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).willReturn(okJson("{\"model_versions\": ["
                + version("1", OTHER_RUN, "models:/m-other", "m-other", "") + ", " + registered + "]}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).willReturn(okJson("{\"model_version\": " + registered + "}")));

        assertThat(ok(ALICE, "register_model", Map.of("run_id", RUN, "name", "llm-tiny"))).containsEntry("version", "2")
                .containsEntry("created", false);
        mlflow.verify(0, postRequestedFor(urlPathEqualTo(API + "model-versions/create")));
        mlflow.verify(0, postRequestedFor(urlPathEqualTo(API + "registered-models/create")));
    }

    @Test
    void promotionSetsTheStageAliasDeletesTheFormerOneAndTagsTheVersionNeverTransitionStage() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model(
                "{\"alias\": \"staging\", \"version\": \"1\"}, {\"alias\": \"production\", \"version\": \"2\"}", ""))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).willReturn(okJson("{\"model_versions\": ["
                + version("1", RUN, "models:/" + MODEL_ID, MODEL_ID, "{\"key\": \"trainops.accuracy\", \"value\": \"0.91\"}") + ", "
                + version("2", OTHER_RUN, "models:/m-other", "m-other", "{\"key\": \"trainops.accuracy\", \"value\": \"0.88\"}") + "]}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));
        mlflow.stubFor(delete(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/set-tag")).willReturn(okJson("{}")));

        Map<String, Object> a = ok(ALICE, "promote_model", Map.of("name", "llm-tiny", "version", "1", "stage", "production",
                "reason", "beats production on the holdout set"));

        assertThat(a).containsEntry("previous_holder", "2").containsEntry("previous_stage", "staging").containsEntry("kind", "FORWARD");
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "registered-models/alias"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"alias\": \"production\", \"version\": \"1\"}")));
        mlflow.verify(1, deleteRequestedFor(urlPathEqualTo(API + "registered-models/alias")));
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/set-tag"))
                .withRequestBody(matchingJsonPath("$.key", equalTo("trainops.promoted.production.reason")))
                .withRequestBody(matchingJsonPath("$.value", equalTo("beats production on the holdout set"))));
    }

    @Test
    void aStageAliasIsReadBackForLineageAndAnUnknownAliasIsNotFound() {
        String v1 = version("1", RUN, "models:/" + MODEL_ID, MODEL_ID, "{\"key\": \"trainops.promoted.dev.at\", \"value\": \"2026-11-30T10:00:00Z\"}, "
                + "{\"key\": \"trainops.promoted.dev.by\", \"value\": \"alice\"}");
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model("{\"alias\": \"dev\", \"version\": \"1\"}", v1))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).willReturn(okJson("{\"model_version\": " + v1 + "}")));

        Map<String, Object> l = ok(ALICE, "get_model_lineage", Map.of("name", "llm-tiny", "alias", "dev"));
        assertThat(l).containsEntry("version", "1").containsEntry("aliases", List.of("dev")).containsEntry("registry", "mlflow")
                .containsEntry("model_id", MODEL_ID).containsEntry("accuracy", 0.91);
        assertThat(fails(ALICE, "get_model_lineage", Map.of("name", "llm-tiny", "alias", "production"))).satisfies(e -> {
            assertThat(e.code().name()).isEqualTo("NOT_FOUND");
            assertThat(e.message()).isEqualTo("llm-tiny has no alias production; it has dev.");
        });
    }

    @Test
    void anotherTeamsModelInMlflowIsNotFoundToAMemberAndListedOnlyForItsTeam() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model("", "").replace("team-a", "team-b"))));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/search")).withQueryParam("page_token", equalTo("n2"))
                .willReturn(okJson("{\"registered_models\": [" + model("", "").replace("{\"registered_model\": ", "").replace("}}", "}")
                        .replace("llm-tiny", "llm-mine") + "]}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/search")).withQueryParam("page_token", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .willReturn(okJson("{\"registered_models\": [" + model("", "").replace("{\"registered_model\": ", "").replace("}}", "}")
                        .replace("team-a", "team-b") + "], \"next_page_token\": \"n2\"}")));

        assertThat(fails(ALICE, "get_model_lineage", Map.of("name", "llm-tiny"))).satisfies(e -> {
            assertThat(e.code().name()).isEqualTo("NOT_FOUND");
            assertThat(e.message()).isEqualTo("No registered model llm-tiny.");
        });
        assertThat(fails(ALICE, "promote_model", Map.of("name", "llm-tiny", "version", "1", "stage", "dev", "reason", "r")).message())
                .isEqualTo("No registered model llm-tiny.");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> models = (List<Map<String, Object>>) ok(ALICE, "list_models", Map.of()).get("models");
        assertThat(models).extracting(m -> m.get("name")).containsExactly("llm-mine");
    }

    @Test
    void mlflowDownIsUpstreamUnavailableNamingTheBackendAndMlflowsRefusalIsInvalidArgument() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(failure(503, "TEMPORARILY_UNAVAILABLE", "busy")));
        ToolError down = fails(ALICE, "get_model_lineage", Map.of("name", "llm-tiny"));
        assertThat(down.code().name()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(down.retryable()).isTrue();
        assertThat(down.details()).containsEntry("backend", "mlflow");
        assertThat(down.hint()).contains("MLFLOW_TRACKING_URI");

        mlflow.resetAll();
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(aResponse().withStatus(404).withBody(FLASK_404)));
        assertThat(fails(ALICE, "list_models", Map.of()).code().name()).isEqualTo("UPSTREAM_UNAVAILABLE");

        mlflow.resetAll();
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(model("", ""))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).willReturn(okJson("{\"model_versions\": ["
                + version("1", RUN, "runs:/x/model", null, "") + "]}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/alias")).willReturn(failure(400, "INVALID_PARAMETER_VALUE",
                "Model version 1 of llm-tiny is not READY")));
        ToolError refused = fails(ALICE, "promote_model", Map.of("name", "llm-tiny", "version", "1", "stage", "dev", "reason", "r"));
        assertThat(refused.code().name()).isEqualTo("INVALID_ARGUMENT");
        assertThat(refused.details()).containsEntry("mlflow_error_code", "INVALID_PARAMETER_VALUE");
    }
}
