package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/scale-up.yaml (docs/kubernetes.md, "Scale-up"): shipped off, with the check-capacity class;
 * optional; a class the autoscaler does not offer, or a key it does not know, fails the start naming
 * the file, the key and the values it may take.
 */
class ScaleUpConfigTest {
    static final Path CONFIG = TrainopsConfigTest.CONFIG;

    @TempDir
    Path dir;

    private int configs;

    Path config(String scaleUp) throws Exception {
        Path config = dir.resolve("config-" + ++configs);
        Files.createDirectories(config);
        for (String name : new String[] {"pricing.yaml", "budgets.yaml", "priorities.yaml", "quotas.yaml", "jobs.yaml"}) {
            Files.copy(CONFIG.resolve(name), config.resolve(name));
        }
        if (scaleUp != null) {
            Files.writeString(config.resolve(ScaleUpConfig.FILE), scaleUp);
        }
        return config;
    }

    ScaleUpConfig read(Path config) {
        return TrainopsConfig.read(new Trainops.Settings(config, dir.resolve("data"), false, 1.0), Map.of()).scaleUp();
    }

    @Test
    void theShippedFileLeavesScaleUpOffWithTheCheckCapacityClass() throws Exception {
        ScaleUpConfig shipped = read(config(Files.readString(CONFIG.resolve(ScaleUpConfig.FILE))));

        assertThat(shipped).isEqualTo(new ScaleUpConfig(false, "check-capacity.autoscaling.x-k8s.io"));
    }

    @Test
    void withoutTheFileScaleUpIsOff() throws Exception {
        assertThat(read(config(null))).isEqualTo(ScaleUpConfig.DISABLED);
        assertThat(ScaleUpConfig.DISABLED.enabled()).isFalse();
    }

    @Test
    void eitherClassTheAutoscalerOffersCanBeChosen() throws Exception {
        assertThat(read(config("provisioning_requests: {enabled: true, class: best-effort-atomic-scale-up.autoscaling.x-k8s.io}\n")))
                .isEqualTo(new ScaleUpConfig(true, "best-effort-atomic-scale-up.autoscaling.x-k8s.io"));
        assertThat(read(config("provisioning_requests:\n  enabled: true\n")))
                .isEqualTo(new ScaleUpConfig(true, "check-capacity.autoscaling.x-k8s.io"));
    }

    @Test
    void anotherClassFailsTheStartNamingTheKeyAndTheTwoValues() throws Exception {
        Path config = config("provisioning_requests: {enabled: true, class: atomic-scale-up.kubernetes.io}\n");

        assertThatThrownBy(() -> read(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(config.resolve("scale-up.yaml") + ": provisioning_requests.class must be "
                        + "check-capacity.autoscaling.x-k8s.io or best-effort-atomic-scale-up.autoscaling.x-k8s.io, "
                        + "was 'atomic-scale-up.kubernetes.io'. Fix scale-up.yaml and start again.");
    }

    @Test
    void anUnknownKeyOrANonBooleanEnabledNamesTheKey() throws Exception {
        Path misspelt = config("provisioning_requests: {enable: true}\n");
        assertThatThrownBy(() -> read(misspelt)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(misspelt.resolve("scale-up.yaml") + ": unknown key 'provisioning_requests.enable'; the keys are "
                        + "provisioning_requests.enabled and provisioning_requests.class. Fix scale-up.yaml and start again.");

        Path yes = config("provisioning_requests: {enabled: yes please}\n");
        assertThatThrownBy(() -> read(yes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(": provisioning_requests.enabled must be true or false, was 'yes please'.");
    }
}
