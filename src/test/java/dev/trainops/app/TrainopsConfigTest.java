package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration is read once, and a missing or broken file fails the start naming the file, the key and the fix. */
class TrainopsConfigTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();

    @TempDir
    Path dir;

    Trainops.Settings settings(Path configDir) {
        return new Trainops.Settings(configDir, dir.resolve("data"), false, 1.0);
    }

    Path copyOfConfig(String... leaveOut) throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        for (String name : new String[] {"pricing.yaml", "budgets.yaml", "priorities.yaml", "quotas.yaml", "jobs.yaml"}) {
            if (!java.util.List.of(leaveOut).contains(name)) {
                Files.copy(CONFIG.resolve(name), config.resolve(name));
            }
        }
        return config;
    }

    @Test
    void readsEveryFileAndTheEnvironmentOnce() throws Exception {
        TrainopsConfig config = TrainopsConfig.read(settings(copyOfConfig()), Map.of("MLFLOW_TRACKING_URI", "http://mlflow:5000",
                "TRAINOPS_DB_URL", "jdbc:postgresql://db/trainops", "TRAINOPS_DB_PASSWORD", "s3cret"));

        assertThat(config.prices().currency().getCurrencyCode()).isEqualTo("USD");
        assertThat(config.budgets()).isNotEmpty();
        assertThat(config.quotas().teams()).isNotEmpty();
        assertThat(config.mlflow()).isPresent();
        assertThat(config.prometheus()).isEmpty();
        assertThat(config.teams()).contains("team-a");
        assertThat(config.store().url()).isEqualTo("jdbc:postgresql://db/trainops");
        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("jdbc:");
    }

    @Test
    void aMissingPrioritiesFileFailsTheStartNamingTheFileAndTheFix() throws Exception {
        Path config = copyOfConfig("priorities.yaml");

        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Missing " + config.resolve("priorities.yaml") + ": trainops reads its PriorityClasses")
                .hasMessageContaining("Copy config/priorities.yaml from the trainops checkout into " + config);
    }

    @Test
    void aMissingQuotasFileFailsTheStartNamingTheFile() throws Exception {
        Path config = copyOfConfig("quotas.yaml");

        assertThatThrownBy(() -> Trainops.create(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Missing " + config.resolve("quotas.yaml") + ": trainops reads its team GPU quotas");
    }

    @Test
    void aBrokenValueNamesTheFileAndTheKey() throws Exception {
        Path config = copyOfConfig();
        Files.writeString(config.resolve("quotas.yaml"), "teams:\n  team-a:\n    gpus: many\n");

        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(config.resolve("quotas.yaml") + ": teams.team-a.gpus must be a whole number of GPUs. Fix quotas.yaml and start again.");
    }

    @Test
    void rule6_teamsYamlMapsExperimentsToTeamsAndABrokenOneNamesTheFileAndTheKey() throws Exception {
        Path config = copyOfConfig();
        assertThat(TrainopsConfig.read(settings(config), Map.of()).experimentTeams().experiments()).isEmpty();
        Files.copy(CONFIG.resolve("teams.yaml"), config.resolve("teams.yaml"));
        assertThat(TrainopsConfig.read(settings(config), Map.of()).experimentTeams().teamOf("mnist")).isEqualTo("team-b");
        Files.writeString(config.resolve("teams.yaml"), "experiments:\n  llm: Team A\n");
        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(config.resolve("teams.yaml") + ": experiments.llm must be a team name (a lowercase DNS label such as "
                        + "team-a), was 'Team A'. Fix teams.yaml and start again.");
    }

    @Test
    void aBrokenJobTemplateFailsTheStartNamingTheFileTheKeyAndTheFix() throws Exception {
        Path config = copyOfConfig();
        Files.writeString(config.resolve("jobs.yaml"), Files.readString(config.resolve("jobs.yaml"))
                .replace("      - key: nvidia.com/gpu\n        operator: Exists\n", "      - operator: Equal\n"));

        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(config.resolve("jobs.yaml") + ": templates.default.tolerations[0].key is required unless operator is "
                        + "Exists")
                .hasMessageEndingWith("Fix jobs.yaml and start again.");
    }

    @Test
    void aMissingJobTemplatesFileFailsTheStartNamingIt() throws Exception {
        Path config = copyOfConfig("jobs.yaml");

        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Missing " + config.resolve("jobs.yaml") + ": trainops reads its job templates");
    }

    @Test
    void theServeCommandStopsOnABrokenJobTemplateWithTheFileAndTheKey() throws Exception {
        Path config = copyOfConfig();
        Files.writeString(config.resolve("jobs.yaml"), Files.readString(config.resolve("jobs.yaml")).replace("memory_per_gpu: 64Gi",
                "memory_per_gpu: 64GB"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.commandLine(new String[] {"serve"}).execute("serve", "--transport", "http", "--port", "0", "--config-dir",
                    config.toString(), "--data-dir", dir.resolve("data").toString());
        } finally {
            System.setErr(saved);
        }

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("trainops: " + config.resolve("jobs.yaml")
                + ": templates.default.memory_per_gpu is not a positive Kubernetes quantity (was 64GB); write one such as 64Gi. Fix jobs.yaml "
                + "and start again.");
    }

    @Test
    void aBrokenEnvironmentVariableNamesIt() throws Exception {
        Path config = copyOfConfig();

        assertThatThrownBy(() -> TrainopsConfig.read(settings(config), Map.of("PROMETHEUS_URL", "prometheus:9090")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PROMETHEUS_URL must be an http(s) URL");
    }
}
