package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * kustomize reads files only under a kustomization's own root, so what deploy/ needs from config/ is
 * copied there by deploy/generate and checked in (DESIGN.md, "Deployment"). Each copy must equal its
 * source, and each copy must be one the kustomization's ConfigMap lists, so none is stale.
 */
class ConfigCopiesTest {
    static final String FIX = "Run deploy/generate and commit what it changes.";

    /** Copy directory (under deploy/) -> its source directory (under the checkout). */
    static final Map<String, String> COPIES = Map.of(
            "deploy/base/config", "config",
            "deploy/overlays/sandbox/sandbox", "config/sandbox");

    @Test
    void everyCopyEqualsItsSourceInConfig() throws IOException {
        Path root = Manifests.root();
        for (String copies : COPIES.keySet()) {
            assertThat(root.resolve(copies)).as(copies + ". " + FIX).isDirectory();
        }
        assertThat(differences(root, COPIES)).as(FIX).isEmpty();
    }

    /** A copy that differs from its source, or has none, is reported: the check can fail. */
    @Test
    void aCopyThatDiffersOrHasNoSourceIsReported(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("config"));
        Files.createDirectories(root.resolve("deploy/base/config"));
        Files.writeString(root.resolve("config/pricing.yaml"), "currency: USD\n");
        Files.writeString(root.resolve("deploy/base/config/pricing.yaml"), "currency: EUR\n");
        Files.writeString(root.resolve("config/quotas.yaml"), "teams: {}\n");
        Files.writeString(root.resolve("deploy/base/config/quotas.yaml"), "teams: {}\n");
        Files.writeString(root.resolve("deploy/base/config/gone.yaml"), "x: 1\n");
        assertThat(differences(root, Map.of("deploy/base/config", "config"))).containsExactlyInAnyOrder(
                "deploy/base/config/pricing.yaml differs from config/pricing.yaml",
                "deploy/base/config/gone.yaml has no source config/gone.yaml");
    }

    static List<String> differences(Path root, Map<String, String> copyDirs) throws IOException {
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> e : copyDirs.entrySet()) {
            Path copies = root.resolve(e.getKey());
            for (Path copy : files(copies)) {
                Path source = root.resolve(e.getValue()).resolve(copies.relativize(copy).toString());
                if (!Files.isRegularFile(source)) {
                    differ.add(root.relativize(copy) + " has no source " + root.relativize(source));
                } else if (Files.mismatch(copy, source) != -1) {
                    differ.add(root.relativize(copy) + " differs from " + root.relativize(source));
                }
            }
        }
        return differ;
    }

    @Test
    void theCopiesAreWhatTheKustomizationsConfigMapsList() throws IOException {
        assertThat(listed(Manifests.base().resolve("kustomization.yaml")))
                .as("files of deploy/base's configMapGenerator. " + FIX)
                .containsExactlyInAnyOrderElementsOf(names(Manifests.base(), "config"));
        assertThat(listed(Manifests.overlay("sandbox").resolve("kustomization.yaml")))
                .as("files of the sandbox overlay's configMapGenerator. " + FIX)
                .containsExactlyInAnyOrderElementsOf(names(Manifests.overlay("sandbox"), "sandbox"));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<String> names(Path kustomization, String dir) throws IOException {
        return files(kustomization.resolve(dir)).stream().map(f -> kustomization.relativize(f).toString()).toList();
    }

    /** The file entries of a kustomization's configMapGenerator ({@code - dir/name.yaml} lines under {@code files:}). */
    @SuppressWarnings("unchecked")
    static List<String> listed(Path kustomization) throws IOException {
        Map<String, Object> k = new tools.jackson.dataformat.yaml.YAMLMapper().readValue(Files.readString(kustomization), Map.class);
        List<String> files = new ArrayList<>();
        for (Map<String, Object> generator : (List<Map<String, Object>>) k.getOrDefault("configMapGenerator", List.of())) {
            for (Object f : (List<Object>) generator.getOrDefault("files", List.of())) {
                String entry = f.toString();
                files.add(entry.contains("=") ? entry.substring(entry.indexOf('=') + 1) : entry);
            }
        }
        return files;
    }
}
