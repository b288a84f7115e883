package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.deploy.Manifests;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use kubectl with the sandbox", as a person runs it: {@code serve --sandbox --sandbox-kubeconfig FILE},
 * then the real kubectl (1.32 here and in CI; without it the test is skipped on a developer's machine and fails in
 * CI) with {@code --kubeconfig FILE}: apply deploy/examples/trainingjob.yaml, list it with {@code get tj -A}, read
 * it back as JSON, change it, delete it. Every step needs the discovery and OpenAPI answers fabric8's mock does not
 * give by itself (DESIGN.md, "Kubernetes API").
 */
class KubectlOnTheSandboxIT {
    static final Duration KUBECTL_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        Run ok() {
            assertThat(exit).as("kubectl exit code; stderr: " + err + "; stdout: " + out).isZero();
            return this;
        }
    }

    @Test
    void kubectlAppliesListsReadsChangesAndDeletesATrainingJobOnTheSandbox() throws Exception {
        String kubectl = Manifests.kubectl();
        Path kubeconfig = dir.resolve("trainops.kubeconfig");
        Path data = Files.createDirectories(dir.resolve("data"));
        Process server = SandboxServers.http(data, SandboxServers.freePort(), "1", "--sandbox-kubeconfig", kubeconfig.toString());
        try {
            awaitFile(kubeconfig, data);
            Path example = Manifests.deploy().resolve("examples").resolve("trainingjob.yaml");

            assertThat(kubectl(kubectl, kubeconfig, "apply", "-f", example.toString()).ok().out())
                    .contains("trainingjob.trainops.dev/mnist-one-epoch created");

            String listed = kubectl(kubectl, kubeconfig, "get", "tj", "-A").ok().out();
            // the mock serves no Table: kubectl prints its default columns, names included
            assertThat(listed).contains("NAMESPACE").contains("team-a").contains("mnist-one-epoch");

            Map<String, Object> tj = json(kubectl(kubectl, kubeconfig, "get", "tj", "mnist-one-epoch", "-n", "team-a", "-o", "json").ok().out());
            assertThat(tj).containsEntry("apiVersion", "trainops.dev/v1alpha1").containsEntry("kind", "TrainingJob");
            assertThat(tj.get("spec")).isEqualTo(Map.of("model", "mnist", "epochs", 1, "batchSize", 64, "gpuType", "L4", "gpuCount", 1,
                    "priority", "NORMAL", "maxCost", "5.00", "params", Map.of("learning_rate", "0.01")));
            assertThat(((Map<?, ?>) tj.get("metadata")).get("uid")).isNotNull();

            // the controller queued it: its status, as kubectl reads it, carries the queue's state
            String state = "";
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < until && state.isBlank()) {
                state = kubectl(kubectl, kubeconfig, "get", "tj", "mnist-one-epoch", "-n", "team-a", "-o", "jsonpath={.status.state}").ok()
                        .out().trim();
                if (state.isBlank()) {
                    Thread.sleep(500);
                }
            }
            assertThat(state).as("status.state written by the TrainingJob controller").isIn("QUEUED", "SCHEDULED", "RUNNING", "SUCCEEDED");

            // a second apply of a changed object: kubectl sends a JSON merge patch for a custom resource
            Path labelled = dir.resolve("labelled.yaml");
            Files.writeString(labelled, Files.readString(example).replace("  namespace: team-a\n",
                    "  namespace: team-a\n  labels:\n    experiment: kubectl\n"));
            assertThat(kubectl(kubectl, kubeconfig, "apply", "-f", labelled.toString()).ok().out())
                    .contains("trainingjob.trainops.dev/mnist-one-epoch configured");
            assertThat(kubectl(kubectl, kubeconfig, "get", "tj", "-n", "team-a", "-l", "experiment=kubectl", "-o", "name").ok().out())
                    .contains("trainingjob.trainops.dev/mnist-one-epoch");

            assertThat(kubectl(kubectl, kubeconfig, "delete", "tj", "mnist-one-epoch", "-n", "team-a").ok().out())
                    .contains("trainingjob.trainops.dev \"mnist-one-epoch\" deleted");
            Run after = kubectl(kubectl, kubeconfig, "get", "tj", "-A").ok();
            assertThat(after.out()).doesNotContain("mnist-one-epoch");
            assertThat(after.err()).contains("No resources found");
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        assertThat(kubeconfig).as("removed when trainops stops").doesNotExist();
    }

    /** The kubeconfig is written once the sandbox is seeded, which on a loaded machine can be after /readyz answers. */
    static void awaitFile(Path file, Path data) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " not written within 60 s; server log:\n" + Files.readString(data.resolve("server.log")));
            }
            Thread.sleep(100);
        }
    }

    /** kubectl with the sandbox's kubeconfig and a discovery cache of this test's own (not ~/.kube/cache). */
    Run kubectl(String kubectl, Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString(), "--cache-dir",
                dir.resolve("kube-cache").toString(), "--request-timeout", "30s"));
        command.addAll(List.of(args));
        Path out = dir.resolve("kubectl.out");
        Path err = dir.resolve("kubectl.err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        if (!p.waitFor(KUBECTL_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish within " + KUBECTL_WAIT.toSeconds() + " s; stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) {
        return new KubernetesSerialization().unmarshal(text, Map.class);
    }
}
