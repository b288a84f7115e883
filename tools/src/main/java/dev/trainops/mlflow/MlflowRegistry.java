package dev.trainops.mlflow;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * MLflow's model registry over the REST API 2.0 (mlflow/protos/model_registry.proto): registered
 * models, model versions, their tags, and aliases, which is where trainops keeps stages. The
 * deprecated {@code model-versions/transition-stage} is never called. MLflow 3's logged models
 * (logged-models/search, service.proto) are found by asking: a 2.x server answers the path with a
 * plain 404, and that answer is remembered for the life of this client.
 *
 * <p>Same transport as {@link MlflowClient} (auth, retries on 429/503, {@link MlflowException}s);
 * "does not exist" comes back as an empty Optional, "already exists" on create as
 * {@link Creation.AlreadyExisted}, so registering twice is harmless.
 */
public final class MlflowRegistry {
    /** registered-models/search allows at most 1000 (SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD). */
    static final int MODELS_PAGE = 1000;
    /** model-versions/search allows 200,000 on the open-source server; backends may allow fewer. */
    static final int VERSIONS_PAGE = 1000;
    static final int LOGGED_MODELS_PAGE = 100;

    /** What registered-models/create did. */
    public sealed interface Creation {
        RegisteredModel model();

        /** The model is new. */
        record Created(RegisteredModel model) implements Creation {
        }

        /** MLflow answered RESOURCE_ALREADY_EXISTS: the model as it already was, left unchanged. */
        record AlreadyExisted(RegisteredModel model) implements Creation {
        }
    }

    /**
     * A model version to create. {@code source} is where the model's files are ({@code runs:/<run>/<path>}
     * on 2.x, {@code models:/<modelId>} for an MLflow 3 logged model, with {@code modelId} set).
     */
    public record NewVersion(String name, String source, String runId, String modelId, String description,
                             Map<String, String> tags) {
        public NewVersion {
            requireText(name, "a model version needs the name of its registered model");
            requireText(source, "a model version needs a source (runs:/<run_id>/<path> or models:/<model_id>)");
            tags = Map.copyOf(tags);
        }
    }

    private final MlflowHttp http;
    /** null until a logged-models call has told which: true on MLflow 3, false on 2.x. */
    private volatile Boolean hasLoggedModels;

    public MlflowRegistry(MlflowClient.Config config) {
        this.http = new MlflowHttp(config);
    }

    // registered models

    /** Creates a registered model; one that already exists is returned as it is, tags and description untouched. */
    public Creation createRegisteredModel(String name, String description, Map<String, String> tags) {
        requireText(name, "a registered model needs a name");
        ObjectNode body = MlflowHttp.JSON.createObjectNode().put("name", name);
        putTags(body, tags);
        if (description != null && !description.isBlank()) {
            body.put("description", description);
        }
        try {
            return new Creation.Created(readRegisteredModel(http.post("registered-models/create", body).path("registered_model")));
        } catch (MlflowException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                throw e;
            }
            return new Creation.AlreadyExisted(registeredModel(name).orElseThrow(() -> e));
        }
    }

    public Optional<RegisteredModel> registeredModel(String name) {
        return ifFound(() -> readRegisteredModel(http.get("registered-models/get", Map.of("name", name)).path("registered_model")));
    }

    /**
     * Registered models matching a registered-models/search filter ({@code name LIKE '%llm%'},
     * {@code tags.team = 'a'}; null for all), every page.
     */
    public List<RegisteredModel> searchRegisteredModels(String filter) {
        List<RegisteredModel> models = new ArrayList<>();
        pages("registered-models/search", filter, MODELS_PAGE,
                page -> page.path("registered_models").forEach(m -> models.add(readRegisteredModel(m))));
        return models;
    }

    public void setRegisteredModelTag(String name, String key, String value) {
        http.post("registered-models/set-tag", MlflowHttp.JSON.createObjectNode().put("name", name).put("key", key).put("value", value));
    }

    // aliases: the stages

    /** Points the alias at the version, moving it from any other version. */
    public void setAlias(String name, String alias, String version) {
        http.post("registered-models/alias", MlflowHttp.JSON.createObjectNode().put("name", name).put("alias", alias).put("version", version));
    }

    /** Removes the alias; removing one that is not set is not an error (MLflow answers 200). */
    public void deleteAlias(String name, String alias) {
        http.delete("registered-models/alias", MlflowHttp.JSON.createObjectNode().put("name", name).put("alias", alias));
    }

    /**
     * The version the alias points at. MLflow answers an unset alias with 400 INVALID_PARAMETER_VALUE
     * "Registered model alias X not found." (not a 404), and an unknown model the same way; both are empty.
     */
    public Optional<ModelVersion> versionByAlias(String name, String alias) {
        try {
            return Optional.of(readModelVersion(http.get("registered-models/alias", Map.of("name", name, "alias", alias)).path("model_version")));
        } catch (MlflowException e) {
            if (doesNotExist(e) || ("INVALID_PARAMETER_VALUE".equals(e.errorCode()) && e.getMessage().contains("not found"))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // model versions

    /**
     * Creates the next version of a registered model (which must exist). Not sent again when MLflow
     * does not answer: the version may have been made, and a second try would make another one.
     */
    public ModelVersion createModelVersion(NewVersion v) {
        ObjectNode body = MlflowHttp.JSON.createObjectNode().put("name", v.name()).put("source", v.source());
        if (v.runId() != null) {
            body.put("run_id", v.runId());
        }
        if (v.modelId() != null) {
            body.put("model_id", v.modelId());
        }
        if (v.description() != null && !v.description().isBlank()) {
            body.put("description", v.description());
        }
        putTags(body, v.tags());
        return readModelVersion(http.post("model-versions/create", body, MlflowHttp.Retry.NOT_ON_NO_ANSWER).path("model_version"));
    }

    public Optional<ModelVersion> modelVersion(String name, String version) {
        return ifFound(() -> readModelVersion(http.get("model-versions/get", Map.of("name", name, "version", version)).path("model_version")));
    }

    /** Versions of a registered model, of a run, or of both (a null leaves that condition out), every page. */
    public List<ModelVersion> searchModelVersions(String name, String runId) {
        List<String> conditions = new ArrayList<>();
        if (name != null) {
            conditions.add("name = " + quote(name));
        }
        if (runId != null) {
            conditions.add("run_id = " + quote(runId));
        }
        List<ModelVersion> versions = new ArrayList<>();
        pages("model-versions/search", conditions.isEmpty() ? null : String.join(" AND ", conditions), VERSIONS_PAGE,
                page -> page.path("model_versions").forEach(mv -> versions.add(readModelVersion(mv))));
        return versions;
    }

    public void setModelVersionTag(String name, String version, String key, String value) {
        http.post("model-versions/set-tag", MlflowHttp.JSON.createObjectNode().put("name", name).put("version", version)
                .put("key", key).put("value", value));
    }

    // MLflow 3 logged models

    /**
     * The logged models a run made, every page; empty when the server is MLflow 2.x, which has no
     * logged models (then its versions are registered from {@code runs:/<run_id>/<path>}). The first
     * call finds out which, and a 2.x answer is not asked again.
     */
    public Optional<List<LoggedModel>> loggedModelsOfRun(String experimentId, String runId) {
        if (Boolean.FALSE.equals(hasLoggedModels)) {
            return Optional.empty();
        }
        List<LoggedModel> models = new ArrayList<>();
        String token = null;
        Set<String> seen = new HashSet<>();
        do {
            ObjectNode body = MlflowHttp.JSON.createObjectNode();
            body.putArray("experiment_ids").add(experimentId);
            body.put("filter", "source_run_id = " + quote(runId)).put("max_results", LOGGED_MODELS_PAGE);
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page;
            try {
                page = http.post("logged-models/search", body);
            } catch (MlflowException e) {
                if (e.status() == 404 && !"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                    hasLoggedModels = false; // no such endpoint: Flask's HTML 404, or ENDPOINT_NOT_FOUND
                    return Optional.empty();
                }
                throw e;
            }
            hasLoggedModels = true;
            page.path("models").forEach(m -> models.add(readLoggedModel(m.path("info"))));
            token = MlflowHttp.nextToken(page, seen);
        } while (token != null);
        return Optional.of(models);
    }

    /** Whether the server has MLflow 3's logged models; empty until a {@link #loggedModelsOfRun} call has found out. */
    public Optional<Boolean> hasLoggedModels() {
        return Optional.ofNullable(hasLoggedModels);
    }

    // plumbing

    private void pages(String path, String filter, int pageSize, java.util.function.Consumer<JsonNode> onPage) {
        String token = null;
        Set<String> seen = new HashSet<>();
        do {
            Map<String, String> q = new LinkedHashMap<>();
            if (filter != null && !filter.isBlank()) {
                q.put("filter", filter);
            }
            q.put("max_results", Integer.toString(pageSize));
            if (token != null) {
                q.put("page_token", token);
            }
            JsonNode page = http.get(path, q);
            onPage.accept(page);
            token = MlflowHttp.nextToken(page, seen);
        } while (token != null);
    }

    private static <T> Optional<T> ifFound(java.util.function.Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (MlflowException e) {
            if (doesNotExist(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * MLflow's own "no such model or version". A 404 without that code is not one: it is a path the
     * server does not have (a URL that is not MLflow's, or an older MLflow), and stays an error.
     */
    private static boolean doesNotExist(MlflowException e) {
        return "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode());
    }

    /**
     * A string literal for MLflow's search filters. The parser strips the quotes and does not
     * unescape (mlflow/utils/search_utils.py), so a value holding a single quote goes in double quotes.
     */
    static String quote(String value) {
        if (!value.contains("'")) {
            return "'" + value + "'";
        }
        if (!value.contains("\"")) {
            return "\"" + value + "\"";
        }
        throw new IllegalArgumentException("a value in an MLflow filter cannot hold both ' and \", was " + value);
    }

    private static void putTags(ObjectNode body, Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return;
        }
        ArrayNode array = body.putArray("tags");
        tags.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
    }

    private static Map<String, String> tags(JsonNode array) {
        Map<String, String> tags = new LinkedHashMap<>();
        array.forEach(t -> tags.put(t.path("key").asString(), t.path("value").asString("")));
        return tags;
    }

    static RegisteredModel readRegisteredModel(JsonNode m) {
        Map<String, String> aliases = new LinkedHashMap<>();
        m.path("aliases").forEach(a -> aliases.put(a.path("alias").asString(), a.path("version").asString()));
        List<ModelVersion> latest = new ArrayList<>();
        m.path("latest_versions").forEach(v -> latest.add(readModelVersion(v)));
        return new RegisteredModel(m.path("name").asString(), text(m, "description"), MlflowClient.millis(m.get("creation_timestamp")),
                MlflowClient.millis(m.get("last_updated_timestamp")), tags(m.path("tags")), aliases, latest);
    }

    static ModelVersion readModelVersion(JsonNode v) {
        List<String> aliases = new ArrayList<>();
        v.path("aliases").forEach(a -> aliases.add(a.asString()));
        // int64 and string fields alike may arrive as numbers or strings; the version is a string
        return new ModelVersion(v.path("name").asString(), v.path("version").asString(), text(v, "source"), text(v, "run_id"),
                text(v, "model_id"), text(v, "status"), text(v, "description"), text(v, "user_id"),
                MlflowClient.millis(v.get("creation_timestamp")), MlflowClient.millis(v.get("last_updated_timestamp")),
                tags(v.path("tags")), aliases);
    }

    static LoggedModel readLoggedModel(JsonNode info) {
        return new LoggedModel(info.path("model_id").asString(), text(info, "name"), text(info, "experiment_id"),
                text(info, "source_run_id"), text(info, "artifact_uri"), text(info, "status"),
                MlflowClient.millis(info.get("creation_timestamp_ms")), tags(info.path("tags")));
    }

    /** A string field, null when MLflow left it out (it leaves out empty fields). */
    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static void requireText(String value, String message) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }
}
