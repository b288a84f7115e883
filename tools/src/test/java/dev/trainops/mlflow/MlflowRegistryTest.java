package dev.trainops.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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
import static dev.trainops.mlflow.RegistryFixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MLflow's model registry as WireMock serves it, in the shapes of mlflow/protos/model_registry.proto. */
class MlflowRegistryTest {
    static final String API = "/api/2.0/mlflow/";

    WireMockServer mlflow;
    MlflowRegistry registry;
    final RegistryFixtures fixtures = new RegistryFixtures(MlflowFixtures.h200());

    @BeforeEach
    void start() {
        mlflow = new WireMockServer(options().dynamicPort());
        mlflow.start();
        registry = new MlflowRegistry(config(mlflow.baseUrl() + "/", "alice", "s3cret", null));
    }

    @AfterEach
    void stop() {
        mlflow.stop();
    }

    /** Answers the matching requests with one answer after the other, the last one from then on. */
    void answerInTurn(Supplier<MappingBuilder> request, ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder stub = request.get().inScenario("in turn").whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i)
                    .willReturn(answers[i]);
            mlflow.stubFor(i + 1 < answers.length ? stub.willSetStateTo("answer " + (i + 1)) : stub);
        }
    }

    static MlflowClient.Config config(String uri, String user, String password, String token) {
        return new MlflowClient.Config(URI.create(uri), user, password, token, Duration.ofSeconds(2), 3, Duration.ofMillis(10));
    }

    // registered models

    @Test
    void createRegisteredModelSendsNameTagsAndDescriptionAndReadsTheNewModel() {
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/create")).willReturn(okJson(fixtures.createdAnswer("llm-tiny"))));

        MlflowRegistry.Creation creation = registry.createRegisteredModel("llm-tiny", "tiny LLM", Map.of("team", "team-a"));

        assertThat(creation).isInstanceOf(MlflowRegistry.Creation.Created.class);
        assertThat(creation.model().name()).isEqualTo("llm-tiny");
        assertThat(creation.model().tags()).containsExactly(Map.entry("team", "team-a"));
        assertThat(creation.model().aliases()).isEmpty();
        assertThat(creation.model().creationTime()).isEqualTo(Instant.ofEpochMilli(RegistryFixtures.CREATED));
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "registered-models/create"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"name": "llm-tiny", "description": "tiny LLM", "tags": [{"key": "team", "value": "team-a"}]}""")));
    }

    @Test
    void aModelThatAlreadyExistsIsReturnedAsItWasSoRegisteringTwiceIsHarmless() {
        // MLflow maps RESOURCE_ALREADY_EXISTS to 400 (mlflow/exceptions.py)
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/create"))
                .willReturn(failure(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=llm-tiny) already exists.")));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).withQueryParam("name", equalTo("llm-tiny"))
                .willReturn(okJson(fixtures.registeredModelAnswer("llm-tiny"))));

        MlflowRegistry.Creation creation = registry.createRegisteredModel("llm-tiny", null, Map.of("team", "team-b"));

        assertThat(creation).isInstanceOf(MlflowRegistry.Creation.AlreadyExisted.class);
        assertThat(creation.model().tags()).containsEntry("team", "team-a"); // left as it was
        assertThat(creation.model().aliases()).containsEntry("production", "1");
        mlflow.verify(1, postRequestedFor(urlPathEqualTo(API + "registered-models/create")));
    }

    @Test
    void aRegisteredModelComesWithItsAliasesTagsAndLatestVersions() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).withQueryParam("name", equalTo("llm-tiny"))
                .willReturn(okJson(fixtures.registeredModelAnswer("llm-tiny"))));

        RegisteredModel model = registry.registeredModel("llm-tiny").orElseThrow();

        assertThat(model.aliases()).containsExactlyInAnyOrderEntriesOf(Map.of("production", "1", "staging", "2"));
        assertThat(model.tags()).containsEntry("team", "team-a");
        assertThat(model.description()).isEqualTo("tiny LLM trained on the H200 pool");
        assertThat(model.lastUpdatedTime()).isEqualTo(Instant.ofEpochMilli(RegistryFixtures.CREATED + 5000));
        ModelVersion latest = model.latestVersions().get(0);
        assertThat(latest.version()).isEqualTo("2");
        assertThat(latest.runId()).isEqualTo(fixtures.runBs128);
        assertThat(latest.aliases()).containsExactly("staging");
    }

    @Test
    void anUnknownRegisteredModelIsEmpty() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get"))
                .willReturn(failure(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=nope not found")));
        assertThat(registry.registeredModel("nope")).isEmpty();
    }

    @Test
    void aPlain404IsNotAMissingModelButAnError() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody(RegistryFixtures.FLASK_404)));
        assertThatThrownBy(() -> registry.registeredModel("llm-tiny")).isInstanceOfSatisfying(MlflowException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void searchRegisteredModelsSendsTheFilterAndFollowsEveryPage() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/search")).withQueryParam("page_token", absent())
                .willReturn(okJson(fixtures.searchPage("page-2", "llm-tiny", "llm-small"))));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/search")).withQueryParam("page_token", equalTo("page-2"))
                .willReturn(okJson(fixtures.searchPage(null, "llm-base"))));

        List<RegisteredModel> models = registry.searchRegisteredModels("name LIKE '%llm%'");

        assertThat(models).extracting(RegisteredModel::name).containsExactly("llm-tiny", "llm-small", "llm-base");
        mlflow.verify(2, getRequestedFor(urlPathEqualTo(API + "registered-models/search"))
                .withQueryParam("filter", equalTo("name LIKE '%llm%'"))
                .withQueryParam("max_results", equalTo(Integer.toString(MlflowRegistry.MODELS_PAGE))));
    }

    @Test
    void aSearchWithNoHitsIsAnEmptyObjectAndATokenThatRepeatsEndsTheSearch() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/search")).willReturn(okJson("{}")));
        assertThat(registry.searchRegisteredModels(null)).isEmpty();
        mlflow.verify(getRequestedFor(urlPathEqualTo(API + "registered-models/search")).withQueryParam("filter", absent()));

        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search"))
                .willReturn(okJson(fixtures.versionsPage("stuck", fixtures.version("1", fixtures.runBs64, "")))));
        assertThat(registry.searchModelVersions("llm-tiny", null)).hasSize(2); // the page, and once more before the token repeats
        mlflow.verify(2, getRequestedFor(urlPathEqualTo(API + "model-versions/search")));
    }

    @Test
    void setRegisteredModelTagPostsNameKeyAndValue() {
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/set-tag")).willReturn(okJson("{}")));
        registry.setRegisteredModelTag("llm-tiny", "team", "team-a");
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "registered-models/set-tag"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"key\": \"team\", \"value\": \"team-a\"}")));
    }

    // aliases

    @Test
    void aliasesAreSetReadAndDeletedWithMlflowsShapes() {
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/alias"))
                .willReturn(okJson(fixtures.versionAnswer("2", fixtures.runBs128, "\"staging\""))));
        mlflow.stubFor(delete(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));

        registry.setAlias("llm-tiny", "staging", "2");
        ModelVersion staging = registry.versionByAlias("llm-tiny", "staging").orElseThrow();
        registry.deleteAlias("llm-tiny", "staging");

        assertThat(staging.version()).isEqualTo("2");
        assertThat(staging.aliases()).containsExactly("staging");
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "registered-models/alias"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"alias\": \"staging\", \"version\": \"2\"}")));
        mlflow.verify(getRequestedFor(urlPathEqualTo(API + "registered-models/alias"))
                .withQueryParam("name", equalTo("llm-tiny")).withQueryParam("alias", equalTo("staging")));
        // the server reads a DELETE's parameters from a JSON body (handlers.py _get_request_message)
        mlflow.verify(deleteRequestedFor(urlPathEqualTo(API + "registered-models/alias"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"alias\": \"staging\"}")));
    }

    @Test
    void anUnsetAliasIsEmptyThoughMlflowAnswersItWith400() {
        // sqlalchemy_store.get_model_version_by_alias raises INVALID_PARAMETER_VALUE, not RESOURCE_DOES_NOT_EXIST
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/alias"))
                .willReturn(failure(400, "INVALID_PARAMETER_VALUE", "Registered model alias production not found.")));
        assertThat(registry.versionByAlias("llm-tiny", "production")).isEmpty();
    }

    @Test
    void anInvalidAliasNameIsStillAnError() {
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/alias"))
                .willReturn(failure(400, "INVALID_PARAMETER_VALUE", "'latest' alias name (case insensitive) is reserved.")));
        assertThatThrownBy(() -> registry.versionByAlias("llm-tiny", "latest")).isInstanceOfSatisfying(MlflowException.class,
                e -> assertThat(e.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE"));
    }

    // model versions

    @Test
    void createModelVersionSendsSourceRunAndModelIdAndReadsTheVersionAsAString() {
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create"))
                .willReturn(okJson(fixtures.versionAnswer("3", fixtures.runBs64, ""))));

        ModelVersion v = registry.createModelVersion(new MlflowRegistry.NewVersion("llm-tiny", "models:/" + RegistryFixtures.MODEL_ID,
                fixtures.runBs64, RegistryFixtures.MODEL_ID, "bs64 on H200", Map.of("trainops.job", "train-llm-bs64")));

        assertThat(v.version()).isEqualTo("3");
        assertThat(v.source()).isEqualTo("models:/" + RegistryFixtures.MODEL_ID);
        assertThat(v.runId()).isEqualTo(fixtures.runBs64);
        assertThat(v.modelId()).isEqualTo(RegistryFixtures.MODEL_ID);
        assertThat(v.status()).isEqualTo("READY");
        assertThat(v.tags()).containsEntry("trainops.job", "train-llm-bs64");
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/create")).withRequestBody(equalToJson("""
                {"name": "llm-tiny", "source": "models:/%s", "run_id": "%s", "model_id": "%s", "description": "bs64 on H200",
                 "tags": [{"key": "trainops.job", "value": "train-llm-bs64"}]}"""
                .formatted(RegistryFixtures.MODEL_ID, fixtures.runBs64, RegistryFixtures.MODEL_ID))));
    }

    @Test
    void onMlflow2AVersionIsCreatedFromTheRunsArtifactsWithoutAModelId() {
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create"))
                .willReturn(okJson(fixtures.versionAnswer("1", fixtures.runBs64, ""))));
        registry.createModelVersion(new MlflowRegistry.NewVersion("llm-tiny", "runs:/" + fixtures.runBs64 + "/model", fixtures.runBs64,
                null, null, Map.of()));
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/create"))
                .withRequestBody(equalToJson("{\"name\": \"llm-tiny\", \"source\": \"runs:/" + fixtures.runBs64 + "/model\", \"run_id\": \""
                        + fixtures.runBs64 + "\"}")));
    }

    @Test
    void aNewVersionNeedsANameAndASource() {
        assertThatThrownBy(() -> new MlflowRegistry.NewVersion("llm-tiny", " ", null, null, null, Map.of()))
                .hasMessage("a model version needs a source (runs:/<run_id>/<path> or models:/<model_id>)");
        assertThatThrownBy(() -> new MlflowRegistry.NewVersion(null, "runs:/r/model", null, null, null, Map.of()))
                .hasMessage("a model version needs the name of its registered model");
    }

    @Test
    void createModelVersionIsRetriedOn503ButNotSentAgainWhenNoAnswerCame() {
        answerInTurn(() -> post(urlPathEqualTo(API + "model-versions/create")), failure(503, "TEMPORARILY_UNAVAILABLE", "busy"),
                okJson(fixtures.versionAnswer("1", fixtures.runBs64, "")));
        MlflowRegistry.NewVersion v = new MlflowRegistry.NewVersion("llm-tiny", "runs:/" + fixtures.runBs64 + "/model", fixtures.runBs64,
                null, null, Map.of());
        assertThat(registry.createModelVersion(v).version()).isEqualTo("1");
        mlflow.verify(2, postRequestedFor(urlPathEqualTo(API + "model-versions/create")));

        mlflow.resetAll();
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> registry.createModelVersion(v)).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.unreachable()).isTrue();
            assertThat(e.getMessage()).contains("may have been done all the same");
        });
        mlflow.verify(1, postRequestedFor(urlPathEqualTo(API + "model-versions/create")));
    }

    @Test
    void readsAreRetriedOn503And429ButA500IsAnsweredAtOnce() {
        answerInTurn(() -> get(urlPathEqualTo(API + "model-versions/get")), failure(503, "TEMPORARILY_UNAVAILABLE", "busy"),
                failure(429, "REQUEST_LIMIT_EXCEEDED", "slow down"), okJson(fixtures.versionAnswer("1", fixtures.runBs64, "\"production\"")));
        assertThat(registry.modelVersion("llm-tiny", "1").orElseThrow().aliases()).containsExactly("production");
        mlflow.verify(3, getRequestedFor(urlPathEqualTo(API + "model-versions/get")));

        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(failure(500, "INTERNAL_ERROR", "database is locked")));
        assertThatThrownBy(() -> registry.registeredModel("llm-tiny")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.unreachable()).isTrue();
            assertThat(e.getMessage()).contains("INTERNAL_ERROR", "database is locked");
        });
        mlflow.verify(1, getRequestedFor(urlPathEqualTo(API + "registered-models/get")));
    }

    @Test
    void aModelVersionIsReadByNameAndVersionAndAnUnknownOneIsEmpty() {
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).withQueryParam("version", equalTo("1"))
                .willReturn(okJson(fixtures.versionAnswer("1", fixtures.runBs64, "\"production\""))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/get")).withQueryParam("version", equalTo("9"))
                .willReturn(failure(404, "RESOURCE_DOES_NOT_EXIST",
                        "Model Version (name=llm-tiny, version=9) not found")));

        ModelVersion v1 = registry.modelVersion("llm-tiny", "1").orElseThrow();

        assertThat(v1.runId()).isEqualTo(fixtures.runBs64);
        assertThat(v1.userId()).isEqualTo("alice");
        assertThat(registry.modelVersion("llm-tiny", "9")).isEmpty();
        mlflow.verify(getRequestedFor(urlPathEqualTo(API + "model-versions/get"))
                .withQueryParam("name", equalTo("llm-tiny")).withQueryParam("version", equalTo("1")));
    }

    @Test
    void versionsAreSearchedByNameAndRunIdAcrossPages() {
        String filter = "name = 'llm-tiny' AND run_id = '" + fixtures.runBs64 + "'";
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).withQueryParam("page_token", absent())
                .willReturn(okJson(fixtures.versionsPage("v-2", fixtures.version("3", fixtures.runBs64, "")))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).withQueryParam("page_token", equalTo("v-2"))
                .willReturn(okJson(fixtures.versionsPage(null, fixtures.version("1", fixtures.runBs64, "")))));

        List<ModelVersion> versions = registry.searchModelVersions("llm-tiny", fixtures.runBs64);

        assertThat(versions).extracting(ModelVersion::version).containsExactly("3", "1");
        mlflow.verify(2, getRequestedFor(urlPathEqualTo(API + "model-versions/search")).withQueryParam("filter", equalTo(filter))
                .withQueryParam("max_results", equalTo(Integer.toString(MlflowRegistry.VERSIONS_PAGE))));
    }

    @Test
    void aNameWithASingleQuoteIsQuotedSoMlflowsParserKeepsIt() {
        assertThat(MlflowRegistry.quote("llm-tiny")).isEqualTo("'llm-tiny'");
        assertThat(MlflowRegistry.quote("bob's model")).isEqualTo("\"bob's model\"");
        assertThatThrownBy(() -> MlflowRegistry.quote("a'b\"c")).hasMessageContaining("cannot hold both");
    }

    @Test
    void setModelVersionTagPostsNameVersionKeyAndValue() {
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/set-tag")).willReturn(okJson("{}")));
        registry.setModelVersionTag("llm-tiny", "3", "trainops.cost_usd", "41.20");
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "model-versions/set-tag")).withRequestBody(equalToJson(
                "{\"name\": \"llm-tiny\", \"version\": \"3\", \"key\": \"trainops.cost_usd\", \"value\": \"41.20\"}")));
    }

    // MLflow 3 logged models

    @Test
    void onMlflow3TheLoggedModelsOfARunAreFoundBySourceRunId() {
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).willReturn(okJson(fixtures.loggedModelsAnswer(fixtures.runBs64))));

        List<LoggedModel> models = registry.loggedModelsOfRun("1", fixtures.runBs64).orElseThrow();

        assertThat(models).singleElement().satisfies(m -> {
            assertThat(m.modelId()).isEqualTo(RegistryFixtures.MODEL_ID);
            assertThat(m.modelUri()).isEqualTo("models:/" + RegistryFixtures.MODEL_ID);
            assertThat(m.sourceRunId()).isEqualTo(fixtures.runBs64);
            assertThat(m.name()).isEqualTo("model");
            assertThat(m.status()).isEqualTo("LOGGED_MODEL_READY");
            assertThat(m.creationTime()).isEqualTo(Instant.ofEpochMilli(RegistryFixtures.CREATED));
        });
        assertThat(registry.hasLoggedModels()).contains(true);
        mlflow.verify(postRequestedFor(urlPathEqualTo(API + "logged-models/search"))
                .withRequestBody(matchingJsonPath("$.experiment_ids[0]", equalTo("1")))
                .withRequestBody(matchingJsonPath("$.filter", equalTo("source_run_id = '" + fixtures.runBs64 + "'")))
                .withRequestBody(matchingJsonPath("$.max_results", equalTo(Integer.toString(MlflowRegistry.LOGGED_MODELS_PAGE)))));
    }

    @Test
    void onMlflow2TheLoggedModelsPathIsA404AndIsAskedOnlyOnce() {
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody(RegistryFixtures.FLASK_404)));
        assertThat(registry.hasLoggedModels()).isEmpty();

        assertThat(registry.loggedModelsOfRun("1", fixtures.runBs64)).isEmpty();
        assertThat(registry.loggedModelsOfRun("1", fixtures.runBs128)).isEmpty();

        assertThat(registry.hasLoggedModels()).contains(false);
        mlflow.verify(1, postRequestedFor(urlPathEqualTo(API + "logged-models/search")));
    }

    @Test
    void aJsonEndpointNotFoundAlsoMeansNoLoggedModels() {
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search"))
                .willReturn(failure(404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /mlflow/logged-models/search'")));
        assertThat(registry.loggedModelsOfRun("1", fixtures.runBs64)).isEmpty();
        assertThat(registry.hasLoggedModels()).contains(false);
    }

    @Test
    void loggedModelsFollowPages() {
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).withRequestBody(matchingJsonPath("$.page_token", absent()))
                .willReturn(okJson(fixtures.loggedModelsAnswer(fixtures.runBs64).replaceFirst("\\}$", ", \"next_page_token\": \"lm-2\"}"))));
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).withRequestBody(matchingJsonPath("$.page_token", equalTo("lm-2")))
                .willReturn(okJson(fixtures.loggedModelsAnswer(fixtures.runBs64))));
        assertThat(registry.loggedModelsOfRun("1", fixtures.runBs64).orElseThrow()).hasSize(2);
        mlflow.verify(2, postRequestedFor(urlPathEqualTo(API + "logged-models/search")));
    }

    // credentials

    @Test
    void errorsNeverCarryCredentials() {
        String base = mlflow.baseUrl().replace("http://", "http://bob:hunter2@") + "/";
        MlflowRegistry withUserInfo = new MlflowRegistry(config(base, "alice", "s3cret", "tok-123"));
        // a proxy that echoes the request back, credentials and all
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(aResponse().withStatus(403)
                .withBody("Forbidden: Authorization: Bearer tok-123 for " + base + " (alice:s3cret)")));

        assertThatThrownBy(() -> withUserInfo.registeredModel("llm-tiny")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.getMessage()).doesNotContain("tok-123", "s3cret", "hunter2").contains("Forbidden");
        });

        mlflow.stop();
        assertThatThrownBy(() -> withUserInfo.registeredModel("llm-tiny")).isInstanceOfSatisfying(MlflowException.class, e -> {
            assertThat(e.unreachable()).isTrue();
            assertThat(e.getMessage()).doesNotContain("hunter2", "bob:").contains("did not answer");
        });
    }

    // the deprecated stages API

    @Test
    void aWholeRegisterAndPromoteFlowNeverCallsTransitionStage() {
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/create"))
                .willReturn(failure(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=llm-tiny) already exists.")));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/get")).willReturn(okJson(fixtures.registeredModelAnswer("llm-tiny"))));
        mlflow.stubFor(post(urlPathEqualTo(API + "logged-models/search")).willReturn(okJson(fixtures.loggedModelsAnswer(fixtures.runBs64))));
        mlflow.stubFor(get(urlPathEqualTo(API + "model-versions/search")).willReturn(okJson("{}")));
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/create")).willReturn(okJson(fixtures.versionAnswer("3", fixtures.runBs64, ""))));
        mlflow.stubFor(post(urlPathEqualTo(API + "model-versions/set-tag")).willReturn(okJson("{}")));
        mlflow.stubFor(get(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson(fixtures.versionAnswer("2", fixtures.runBs128,
                "\"staging\""))));
        mlflow.stubFor(post(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));
        mlflow.stubFor(delete(urlPathEqualTo(API + "registered-models/alias")).willReturn(okJson("{}")));

        // register: the model (already there), the run's logged model, a version not yet made, tags
        registry.createRegisteredModel("llm-tiny", null, Map.of("team", "team-a"));
        LoggedModel logged = registry.loggedModelsOfRun("1", fixtures.runBs64).orElseThrow().get(0);
        assertThat(registry.searchModelVersions("llm-tiny", fixtures.runBs64)).isEmpty();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("trainops.job", "train-llm-bs64");
        ModelVersion v3 = registry.createModelVersion(new MlflowRegistry.NewVersion("llm-tiny", logged.modelUri(), fixtures.runBs64,
                logged.modelId(), null, tags));
        registry.setModelVersionTag("llm-tiny", v3.version(), "trainops.registered_by", "alice");
        // promote: dev -> staging, staging's holder steps down
        registry.versionByAlias("llm-tiny", "staging");
        registry.setAlias("llm-tiny", "staging", v3.version());
        registry.deleteAlias("llm-tiny", "dev");
        registry.registeredModel("llm-tiny");

        mlflow.verify(0, anyRequestedFor(urlMatching(".*transition-stage.*")));
        mlflow.verify(0, anyRequestedFor(urlMatching(".*get-latest-versions.*")));
        assertThat(mlflow.getAllServeEvents()).hasSizeGreaterThanOrEqualTo(10);
    }
}
