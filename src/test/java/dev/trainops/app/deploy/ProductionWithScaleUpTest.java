package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.ScaleUpConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README, "Scale-up": adding {@code ../../components/scale-up} to deploy/overlays/production's
 * {@code components:} list turns provisioning_requests on in the ConfigMap the pods mount (a new
 * hash, so they roll) and binds the role trainops-scale-up to trainops's ServiceAccount; the
 * overlay alone leaves it off and grants nothing of it (the component is opt-in). Built on a copy of
 * deploy/ with the line added, as a reader would.
 */
class ProductionWithScaleUpTest {
    @TempDir
    Path dir;

    static ScaleUpConfig scaleUp(List<HasMetadata> objects, Path dir) throws IOException {
        ConfigMap config = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().startsWith("trainops-config-")).findFirst().orElseThrow();
        // the pods mount that very ConfigMap as their --config-dir
        List<Volume> volumes = Manifests.deployment(objects).getSpec().getTemplate().getSpec().getVolumes();
        assertThat(volumes).anySatisfy(v -> assertThat(v.toString()).contains(config.getMetadata().getName()));
        Path file = Files.writeString(dir.resolve(config.getMetadata().getName() + "-" + ScaleUpConfig.FILE),
                config.getData().get(ScaleUpConfig.FILE));
        return ScaleUpConfig.load(file);
    }

    @Test
    void productionWithTheComponentTurnsScaleUpOnAndGrantsItsRights() throws IOException {
        Path copy = Manifests.copyOfDeploy(dir);
        // a line in the overlay's components: list (one more, if it has some already)
        Path file = copy.resolve("overlays/production/kustomization.yaml");
        tools.jackson.dataformat.yaml.YAMLMapper yaml = new tools.jackson.dataformat.yaml.YAMLMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> k = yaml.readValue(Files.readString(file), Map.class);
        List<Object> components = new ArrayList<>((List<?>) k.getOrDefault("components", List.of()));
        components.add("../../components/scale-up");
        k.put("components", components);
        Files.writeString(file, yaml.writeValueAsString(k));

        List<HasMetadata> objects = Manifests.documents(Manifests.build(copy.resolve("overlays/production"))).stream()
                .map(Manifests::object).toList();

        assertThat(scaleUp(objects, dir)).isEqualTo(new ScaleUpConfig(true, "check-capacity.autoscaling.x-k8s.io"));
        assertThat(objects).filteredOn(ClusterRole.class::isInstance).filteredOn(o -> o.getMetadata().getName().equals("trainops-scale-up"))
                .singleElement().satisfies(r -> assertThat(((ClusterRole) r).getRules()).extracting(
                        rule -> rule.getApiGroups() + " " + rule.getResources() + " " + rule.getVerbs()).containsExactly(
                        "[autoscaling.x-k8s.io] [provisioningrequests] [list, create, delete]",
                        "[] [podtemplates] [list, create, delete]"));
        assertThat(objects).filteredOn(ClusterRoleBinding.class::isInstance)
                .filteredOn(o -> o.getMetadata().getName().equals("trainops-scale-up")).singleElement()
                .satisfies(b -> assertThat(((ClusterRoleBinding) b).getSubjects()).singleElement()
                        .satisfies(s -> assertThat(s.getKind() + " " + s.getNamespace() + "/" + s.getName())
                                .isEqualTo("ServiceAccount trainops-system/trainops")));
    }

    @Test
    void productionAloneLeavesScaleUpOffAndGrantsNothingOfIt() throws IOException {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("production"));

        assertThat(scaleUp(objects, dir)).isEqualTo(ScaleUpConfig.DISABLED);
        assertThat(objects).extracting(o -> o.getMetadata().getName()).doesNotContain("trainops-scale-up");
    }
}
