package dev.trainops.registry;

import dev.trainops.catalog.Json;
import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.ModelVersion;
import dev.trainops.mlflow.RegisteredModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;

/**
 * The sandbox's model registry, beside its run store and kept the same way: one JSON file, written
 * whole and moved into place on every change, read back on start, so a restart on the same data
 * directory finds every model, version, tag and alias. MLflow's semantics: versions "1", "2", ...
 * per model, an alias on one version at a time, creating an existing model returns it unchanged.
 */
final class EmbeddedModelRegistry implements ModelRegistry {
    /** As stored: times in epoch milliseconds. */
    record StoredVersion(String version, String source, String runId, String modelId, String description, String userId, long created,
                         long updated, Map<String, String> tags) {
        StoredVersion {
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    record StoredModel(String name, String description, long created, long updated, Map<String, String> tags, Map<String, String> aliases,
                       List<StoredVersion> versions) {
        StoredModel {
            tags = Map.copyOf(tags == null ? Map.of() : tags);
            aliases = Map.copyOf(aliases == null ? Map.of() : aliases);
            versions = List.copyOf(versions == null ? List.of() : versions);
        }
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, StoredModel> models = new LinkedHashMap<>();

    private EmbeddedModelRegistry(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    static EmbeddedModelRegistry open(Path file, Clock clock) {
        EmbeddedModelRegistry r = new EmbeddedModelRegistry(file, clock);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                List<StoredModel> saved = Json.MAPPER.readValue(file.toFile(), new TypeReference<List<StoredModel>>() {
                });
                saved.forEach(m -> r.models.put(m.name(), m));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sandbox model registry at " + file, e);
        }
        return r;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public synchronized Optional<RegisteredModel> model(String name) {
        return Optional.ofNullable(models.get(name)).map(EmbeddedModelRegistry::view);
    }

    @Override
    public synchronized List<RegisteredModel> models() {
        return models.values().stream().map(EmbeddedModelRegistry::view).toList();
    }

    @Override
    public synchronized RegisteredModel create(String name, String description, Map<String, String> tags) {
        StoredModel existing = models.get(name);
        if (existing != null) {
            return view(existing);
        }
        long now = clock.millis();
        StoredModel m = new StoredModel(name, description, now, now, tags, Map.of(), List.of());
        models.put(name, m);
        save();
        return view(m);
    }

    @Override
    public synchronized void setModelTag(String name, String key, String value) {
        StoredModel m = require(name);
        Map<String, String> tags = new LinkedHashMap<>(m.tags());
        tags.put(key, value);
        put(new StoredModel(m.name(), m.description(), m.created(), clock.millis(), tags, m.aliases(), m.versions()));
    }

    @Override
    public synchronized List<ModelVersion> versions(String name) {
        StoredModel m = models.get(name);
        return m == null ? List.of() : m.versions().stream().map(v -> view(m, v)).toList();
    }

    @Override
    public synchronized Optional<ModelVersion> version(String name, String version) {
        StoredModel m = models.get(name);
        return m == null ? Optional.empty() : m.versions().stream().filter(v -> v.version().equals(version)).findFirst().map(v -> view(m, v));
    }

    @Override
    public synchronized ModelVersion createVersion(MlflowRegistry.NewVersion nv) {
        StoredModel m = require(nv.name());
        long now = clock.millis();
        int next = m.versions().stream().mapToInt(v -> Integer.parseInt(v.version())).max().orElse(0) + 1;
        StoredVersion v = new StoredVersion(Integer.toString(next), nv.source(), nv.runId(), nv.modelId(), nv.description(), null, now, now,
                nv.tags());
        List<StoredVersion> versions = new ArrayList<>(m.versions());
        versions.add(v);
        StoredModel updated = new StoredModel(m.name(), m.description(), m.created(), now, m.tags(), m.aliases(), versions);
        put(updated);
        return view(updated, v);
    }

    @Override
    public synchronized void setVersionTag(String name, String version, String key, String value) {
        StoredModel m = require(name);
        List<StoredVersion> versions = new ArrayList<>();
        boolean found = false;
        for (StoredVersion v : m.versions()) {
            if (v.version().equals(version)) {
                Map<String, String> tags = new LinkedHashMap<>(v.tags());
                tags.put(key, value);
                v = new StoredVersion(v.version(), v.source(), v.runId(), v.modelId(), v.description(), v.userId(), v.created(), clock.millis(),
                        tags);
                found = true;
            }
            versions.add(v);
        }
        if (!found) {
            throw new IllegalArgumentException("model " + name + " has no version " + version);
        }
        put(new StoredModel(m.name(), m.description(), m.created(), m.updated(), m.tags(), m.aliases(), versions));
    }

    @Override
    public synchronized void setAlias(String name, String alias, String version) {
        StoredModel m = require(name);
        if (m.versions().stream().noneMatch(v -> v.version().equals(version))) {
            throw new IllegalArgumentException("model " + name + " has no version " + version);
        }
        Map<String, String> aliases = new LinkedHashMap<>(m.aliases());
        aliases.put(alias, version);
        put(new StoredModel(m.name(), m.description(), m.created(), clock.millis(), m.tags(), aliases, m.versions()));
    }

    @Override
    public synchronized void deleteAlias(String name, String alias) {
        StoredModel m = models.get(name);
        if (m == null || !m.aliases().containsKey(alias)) {
            return;
        }
        Map<String, String> aliases = new LinkedHashMap<>(m.aliases());
        aliases.remove(alias);
        put(new StoredModel(m.name(), m.description(), m.created(), clock.millis(), m.tags(), aliases, m.versions()));
    }

    /** The sandbox's runs log no model files; the source says where MLflow would have them. */
    @Override
    public Source sourceOf(ModelRun run) {
        return new Source("runs:/" + run.runId() + "/" + MlflowModelRegistry.DEFAULT_ARTIFACT_PATH, null);
    }

    private StoredModel require(String name) {
        StoredModel m = models.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no registered model " + name);
        }
        return m;
    }

    private void put(StoredModel m) {
        models.put(m.name(), m);
        save();
    }

    private static RegisteredModel view(StoredModel m) {
        List<ModelVersion> latest = m.versions().isEmpty() ? List.of() : List.of(view(m, m.versions().get(m.versions().size() - 1)));
        return new RegisteredModel(m.name(), m.description(), Instant.ofEpochMilli(m.created()), Instant.ofEpochMilli(m.updated()), m.tags(),
                m.aliases(), latest);
    }

    private static ModelVersion view(StoredModel m, StoredVersion v) {
        List<String> aliases = m.aliases().entrySet().stream().filter(e -> e.getValue().equals(v.version())).map(Map.Entry::getKey).sorted()
                .toList();
        return new ModelVersion(m.name(), v.version(), v.source(), v.runId(), v.modelId(), "READY", v.description(), v.userId(),
                Instant.ofEpochMilli(v.created()), Instant.ofEpochMilli(v.updated()), v.tags(), aliases);
    }

    private void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), new ArrayList<>(models.values()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox model registry at " + file, e);
        }
    }
}
