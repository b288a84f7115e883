package dev.trainops.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/**
 * MLflow registry answers in the shapes the server writes them (mlflow/protos/model_registry.proto
 * through mlflow/server/handlers.py): int64 timestamps as numbers, versions as strings, empty fields
 * left out, aliases as {@code [{alias, version}]} on the registered model and {@code [alias]} on a
 * version. Run ids are those of the H200 runs in {@link MlflowFixtures}.
 */
final class RegistryFixtures {
    static final String MODEL = "llm-tiny";
    static final long CREATED = 1795884768430L;
    static final String MODEL_ID = "m-4f0c9d2b6a1e4d7f9b3c8e5a1d2f6b7c";

    final String runBs64;
    final String runBs128;

    RegistryFixtures(MlflowFixtures runs) {
        this.runBs64 = runs.run("llm-bs64").runId();
        this.runBs128 = runs.run("llm-bs128").runId();
    }

    /** MLflow 3: a version registered from a logged model. */
    String version(String version, String runId, String aliases) {
        return """
                {"name": "%s", "version": "%s", "creation_timestamp": %d, "last_updated_timestamp": %d,
                 "user_id": "alice", "current_stage": "None", "source": "models:/%s", "run_id": "%s",
                 "status": "READY", "tags": [{"key": "trainops.job", "value": "train-llm-bs64"}],
                 "aliases": [%s], "model_id": "%s"}"""
                .formatted(MODEL, version, CREATED + Long.parseLong(version), CREATED + Long.parseLong(version), MODEL_ID, runId,
                        aliases, MODEL_ID);
    }

    String versionAnswer(String version, String runId, String aliases) {
        return "{\"model_version\": " + version(version, runId, aliases) + "}";
    }

    String registeredModel(String name) {
        return """
                {"name": "%s", "creation_timestamp": %d, "last_updated_timestamp": %d,
                 "description": "tiny LLM trained on the H200 pool",
                 "latest_versions": [%s],
                 "tags": [{"key": "team", "value": "team-a"}],
                 "aliases": [{"alias": "production", "version": "1"}, {"alias": "staging", "version": "2"}]}"""
                .formatted(name, CREATED, CREATED + 5000, version("2", runBs128, "\"staging\""));
    }

    String registeredModelAnswer(String name) {
        return "{\"registered_model\": " + registeredModel(name) + "}";
    }

    /** What registered-models/create answers: the new model, no versions, no aliases. */
    String createdAnswer(String name) {
        return """
                {"registered_model": {"name": "%s", "creation_timestamp": %d, "last_updated_timestamp": %d,
                 "description": "tiny LLM", "tags": [{"key": "team", "value": "team-a"}]}}"""
                .formatted(name, CREATED, CREATED);
    }

    String searchPage(String token, String... names) {
        StringBuilder models = new StringBuilder();
        for (String n : names) {
            models.append(models.length() == 0 ? "" : ", ").append(registeredModel(n));
        }
        return "{\"registered_models\": [" + models + "]" + (token == null ? "" : ", \"next_page_token\": \"" + token + "\"") + "}";
    }

    String versionsPage(String token, String... versions) {
        return "{\"model_versions\": [" + String.join(", ", versions) + "]"
                + (token == null ? "" : ", \"next_page_token\": \"" + token + "\"") + "}";
    }

    String loggedModelsAnswer(String runId) {
        return """
                {"models": [{"info": {"model_id": "%s", "experiment_id": "1", "name": "model",
                   "creation_timestamp_ms": %d, "last_updated_timestamp_ms": %d,
                   "artifact_uri": "mlflow-artifacts:/1/models/%s/artifacts", "status": "LOGGED_MODEL_READY",
                   "source_run_id": "%s", "tags": [{"key": "mlflow.user", "value": "alice"}]},
                  "data": {"params": [{"key": "batch_size", "value": "64"}]}}]}"""
                .formatted(MODEL_ID, CREATED, CREATED, MODEL_ID, runId);
    }

    /** MLflow's error answer: {@code {"error_code", "message"}} with the status the code maps to. */
    static ResponseDefinitionBuilder failure(int status, String code, String message) {
        return aResponse().withStatus(status).withBody("{\"error_code\": \"" + code + "\", \"message\": \"" + message + "\"}");
    }

    /** What Flask (an MLflow 2.x server) answers for a path it does not have. */
    static final String FLASK_404 = """
            <!doctype html>
            <html lang=en>
            <title>404 Not Found</title>
            <h1>Not Found</h1>
            <p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
            """;
}
