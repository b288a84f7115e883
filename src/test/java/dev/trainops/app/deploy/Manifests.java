package dev.trainops.app.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The manifests of deploy/ as the tests see them: every kustomization built with {@code kubectl
 * kustomize} (the kubectl of the machine: 1.32 with kustomize v5.5 here and in CI), and the
 * examples read as they are. Without kubectl a test is skipped on a developer's machine and fails
 * in CI ({@code CI=true}), where a skip would hide that nothing was checked.
 */
public final class Manifests {
    /** The files kustomize takes as a kustomization. */
    static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private static final Map<Path, String> BUILT = new ConcurrentHashMap<>();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static {
        // trainops's own kinds (deploy/examples has them), so they are checked against their model too
        SERIALIZATION.registerKubernetesResource(dev.trainops.resource.TrainingJob.class);
        SERIALIZATION.registerKubernetesResource(dev.trainops.resource.TrainingBatch.class);
    }

    private Manifests() {
    }

    /** The checkout's root: the parent of the config directory the build passes (trainops.configDir). */
    public static Path root() {
        String configDir = System.getProperty("trainops.configDir");
        Path root = configDir == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(configDir).toAbsolutePath().normalize().getParent();
        if (!Files.isDirectory(root.resolve("deploy"))) {
            fail("No deploy/ under " + root + "; run the tests through Maven (./mvnw -pl src -am test), which sets trainops.configDir.");
        }
        return root;
    }

    public static Path deploy() {
        return root().resolve("deploy");
    }

    public static Path base() {
        return deploy().resolve("base");
    }

    public static Path overlay(String name) {
        return deploy().resolve("overlays").resolve(name);
    }

    /** Every directory under deploy/ that holds a kustomization, sorted. */
    public static List<Path> kustomizations() {
        try (Stream<Path> walk = Files.walk(deploy())) {
            return walk.filter(Files::isDirectory)
                    .filter(dir -> KUSTOMIZATION_FILES.stream().anyMatch(f -> Files.isRegularFile(dir.resolve(f))))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML files under deploy/examples: objects meant to be copied and applied by hand. */
    public static List<Path> examples() {
        Path dir = deploy().resolve("examples");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of deploy/ under {@code dir} (as {@code dir/deploy}), for a test that edits a kustomization as a reader would. */
    public static Path copyOfDeploy(Path dir) throws IOException {
        Path from = deploy();
        Path to = dir.resolve("deploy");
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
        return to;
    }

    /** {@code kubectl} on the PATH; skips without it, except in CI, where it fails. */
    public static String kubectl() {
        return kubectl(System.getenv());
    }

    /** {@code kubectl} on {@code env}'s PATH; without it, skips, or fails when {@code env} has CI=true. */
    static String kubectl(Map<String, String> env) {
        for (String dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String why = "kubectl is not on the PATH: the deploy/ tests build every kustomization with `kubectl kustomize` "
                + "(kubectl 1.27 or later; README, \"Install in a cluster\").";
        if ("true".equalsIgnoreCase(env.get("CI"))) {
            fail(why + " CI must have it: a skipped check here would pass unchecked manifests.");
        }
        Assumptions.abort(why);
        return null;
    }

    /** {@code kubectl kustomize DIR}'s output; the test fails with kubectl's message when it cannot build. */
    public static String build(Path dir) {
        return BUILT.computeIfAbsent(dir.toAbsolutePath().normalize(), Manifests::runKustomize);
    }

    private static String runKustomize(Path dir) {
        String kubectl = kubectl();
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize " + root().relativize(dir) + " did not finish in 120 s.");
            }
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                fail("kubectl kustomize " + root().relativize(dir) + " failed (exit " + p.exitValue() + "):\n" + stderr);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The YAML documents of a multi-document stream, empty ones left out. */
    public static List<String> documents(String yaml) {
        List<String> docs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            if (line.equals("---") || line.startsWith("--- ")) {
                docs.add(current.toString());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        docs.add(current.toString());
        return docs.stream().filter(d -> d.lines().anyMatch(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))).toList();
    }

    /** A document as fabric8 reads it: its typed model where fabric8 has one, else a GenericKubernetesResource. */
    public static HasMetadata object(String document) {
        return SERIALIZATION.unmarshal(document, HasMetadata.class);
    }

    /** The objects a kustomization builds, typed. */
    public static List<HasMetadata> objects(Path kustomization) {
        return documents(build(kustomization)).stream().map(Manifests::object).toList();
    }

    public static Deployment deployment(List<HasMetadata> objects) {
        List<Deployment> found = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().equals("trainops")).toList();
        if (found.size() != 1) {
            fail("Expected one Deployment named trainops, found " + found.size());
        }
        return found.get(0);
    }

    public static Container container(Deployment deployment) {
        List<Container> found = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("trainops")).toList();
        if (found.size() != 1) {
            fail("Expected one container named trainops in the Deployment, found " + found.size());
        }
        return found.get(0);
    }

    public static ConfigMap configMap(List<HasMetadata> objects, String name) {
        return objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                .orElseGet(() -> fail("No ConfigMap named " + name + " in the build."));
    }
}
