package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README, "Kubernetes impersonation": adding {@code components: [../../components/kube-impersonate]}
 * to deploy/overlays/production keeps {@code --kube-impersonate} and the OIDC options together. The
 * production overlay appends its options with JSON 6902 {@code add} ops; a strategic-merge patch of
 * {@code args} would replace the list and silently drop the component's flag. Built on a copy of
 * deploy/ with the line added, as a reader would.
 */
class ProductionWithImpersonationTest {
    @TempDir
    Path dir;

    @Test
    void productionWithTheComponentServesWithKubeImpersonateAndOidc() throws IOException {
        Path copy = dir.resolve("deploy");
        copyTree(Manifests.deploy(), copy);
        addComponent(copy.resolve("overlays/production/kustomization.yaml"), "../../components/kube-impersonate");

        List<HasMetadata> objects = Manifests.documents(Manifests.build(copy.resolve("overlays/production"))).stream()
                .map(Manifests::object).toList();
        Container c = Manifests.container(Manifests.deployment(objects));
        assertThat(c.getArgs()).contains("--kube-impersonate")
                .containsSubsequence("--auth-token-file", "/etc/trainops-auth/tokens")
                .containsSubsequence("--oidc-issuer", "$(OIDC_ISSUER)")
                .containsSubsequence("--public-url", "$(PUBLIC_URL)");
        assertThat(c.getEnv()).extracting(EnvVar::getName)
                .contains("TRAINOPS_DB_URL", "OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_TEAMS_CLAIM", "OIDC_ADMIN_GROUP", "PUBLIC_URL");
        assertThat(objects).filteredOn(ClusterRoleBinding.class::isInstance).extracting(o -> o.getMetadata().getName())
                .contains("trainops-impersonator");
    }

    @Test
    void productionAloneHasNoKubeImpersonateButReadsTheOptionalEndpoints() {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("production"));
        Container c = Manifests.container(Manifests.deployment(objects));
        assertThat(c.getArgs()).doesNotContain("--kube-impersonate").containsSubsequence("--oidc-issuer", "$(OIDC_ISSUER)");
        assertThat(c.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getConfigMapRef().getName()).startsWith("trainops-endpoints-"));
        // endpoints.env ships with every line commented out: nothing is set until the reader sets it
        assertThat(objects).filteredOn(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance)
                .filteredOn(o -> o.getMetadata().getName().startsWith("trainops-endpoints-")).singleElement()
                .satisfies(m -> assertThat(((io.fabric8.kubernetes.api.model.ConfigMap) m).getData()).isNullOrEmpty());
    }

    /**
     * README, step 3, "Tokens only": deleting the trainops-oidc generator and the oidc-patch.yaml entry
     * leaves a production overlay that builds and serves with the token file alone.
     */
    @Test
    void productionWithoutTheOidcEntriesServesWithTheTokenFileAlone() throws IOException {
        Path copy = dir.resolve("deploy");
        copyTree(Manifests.deploy(), copy);
        Path file = copy.resolve("overlays/production/kustomization.yaml");
        tools.jackson.dataformat.yaml.YAMLMapper yaml = new tools.jackson.dataformat.yaml.YAMLMapper();
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> k = yaml.readValue(Files.readString(file), java.util.Map.class);
        List<?> generators = (List<?>) k.get("configMapGenerator");
        List<?> patches = (List<?>) k.get("patches");
        k.put("configMapGenerator", generators.stream().filter(g -> !"trainops-oidc".equals(((java.util.Map<?, ?>) g).get("name"))).toList());
        k.put("patches", patches.stream().filter(p -> !"oidc-patch.yaml".equals(((java.util.Map<?, ?>) p).get("path"))).toList());
        assertThat((List<?>) k.get("configMapGenerator")).hasSize(generators.size() - 1);
        assertThat((List<?>) k.get("patches")).hasSize(patches.size() - 1);
        Files.writeString(file, yaml.writeValueAsString(k));

        List<HasMetadata> objects = Manifests.documents(Manifests.build(copy.resolve("overlays/production"))).stream()
                .map(Manifests::object).toList();
        Container c = Manifests.container(Manifests.deployment(objects));
        assertThat(c.getArgs()).containsSubsequence("--auth-token-file", "/etc/trainops-auth/tokens")
                .noneMatch(a -> a.startsWith("--oidc") || a.equals("--public-url"));
        assertThat(c.getEnv()).extracting(EnvVar::getName).doesNotContain("OIDC_ISSUER", "PUBLIC_URL");
        assertThat(objects).extracting(o -> o.getMetadata().getName()).noneMatch(n -> n.startsWith("trainops-oidc"));
    }

    /** Adds a line to the kustomization's components: list, as README says (a second components: key would replace the first). */
    static void addComponent(Path kustomization, String component) throws IOException {
        String text = Files.readString(kustomization);
        int at = text.indexOf("\ncomponents:\n");
        if (at < 0) {
            Files.writeString(kustomization, "\ncomponents:\n  - " + component + "\n", StandardOpenOption.APPEND);
            return;
        }
        int line = at + "\ncomponents:\n".length();
        Files.writeString(kustomization, text.substring(0, line) + "  - " + component + "\n" + text.substring(line));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
