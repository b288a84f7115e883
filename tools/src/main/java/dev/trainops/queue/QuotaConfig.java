package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code config/quotas.yaml}: GPU quotas per team, the warning line, and per-GPU container defaults. */
public record QuotaConfig(BigDecimal warnAt, Map<String, TeamQuota> teams, Quantity cpuPerGpu, Quantity memoryPerGpu) {

    public record TeamQuota(int gpus, Quantity cpu, Quantity memory) {
    }

    public QuotaConfig {
        teams = Map.copyOf(teams);
        if (warnAt.signum() <= 0 || warnAt.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("quotas.yaml: warn_at must be above 0 and at most 1, was " + warnAt);
        }
    }

    public static QuotaConfig defaults() {
        return new QuotaConfig(new BigDecimal("0.80"), Map.of(), new Quantity("8"), new Quantity("64Gi"));
    }

    public static QuotaConfig load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        Map<String, TeamQuota> teams = new LinkedHashMap<>();
        for (var e : root.path("teams").properties()) {
            JsonNode t = e.getValue();
            if (!t.path("gpus").isInt() || t.path("gpus").asInt() < 0) {
                throw new IllegalArgumentException(file + ": teams." + e.getKey() + ".gpus must be a whole number of GPUs");
            }
            teams.put(e.getKey(), new TeamQuota(t.path("gpus").asInt(), new Quantity(t.path("cpu").asString("0")),
                    new Quantity(t.path("memory").asString("0"))));
        }
        JsonNode defaults = root.path("defaults_per_gpu");
        return new QuotaConfig(new BigDecimal(root.path("warn_at").asString("0.80")), teams,
                new Quantity(defaults.path("cpu").asString("8")), new Quantity(defaults.path("memory").asString("64Gi")));
    }
}
