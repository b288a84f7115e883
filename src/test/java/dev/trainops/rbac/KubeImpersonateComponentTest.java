package dev.trainops.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README, "Kubernetes impersonation": an overlay that adds deploy/components/kube-impersonate gets
 * the flag on the server and the impersonator's role bound to its ServiceAccount, built by kubectl's
 * kustomize on a copy of the component beside a minimal Deployment (the base's own overlays are
 * built by the deploy tests). Needs kubectl: in CI it fails without it, elsewhere it is skipped.
 */
class KubeImpersonateComponentTest {
    @TempDir
    Path dir;

    static boolean kubectl() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void anOverlayWithTheComponentRunsTheServerWithTheFlagAndBindsTheImpersonatorRole() throws Exception {
        boolean ci = System.getenv("CI") != null;
        boolean present = kubectl();
        assertThat(present || !ci).as("kubectl is needed in CI (kubectl kustomize)").isTrue();
        Assumptions.assumeTrue(present, "kubectl is not installed here");
        Path component = Files.createDirectories(dir.resolve("components/kube-impersonate"));
        Path source = RbacFiles.root().resolve("deploy/components/kube-impersonate");
        for (String f : List.of("kustomization.yaml", "rbac.yaml")) {
            Files.copy(source.resolve(f), component.resolve(f));
        }
        Path overlay = Files.createDirectories(dir.resolve("overlay"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: trainops-system
                resources: [deployment.yaml]
                components: [../components/kube-impersonate]
                """);
        Files.writeString(overlay.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: trainops}
                spec:
                  selector: {matchLabels: {app: trainops}}
                  template:
                    metadata: {labels: {app: trainops}}
                    spec:
                      containers: [{name: trainops, image: trainops, args: [serve, --transport, http]}]
                """);
        String out = dev.trainops.app.deploy.Manifests.build(overlay);
        Files.writeString(dir.resolve("built.yaml"), out);
        List<HasMetadata> objects = RbacFiles.objects(dir, "built.yaml");
        assertThat(objects).filteredOn(Deployment.class::isInstance).singleElement()
                .satisfies(d -> assertThat(((Deployment) d).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                        .containsExactly("serve", "--transport", "http", "--kube-impersonate"));
        assertThat(objects).filteredOn(ClusterRoleBinding.class::isInstance).singleElement()
                .satisfies(b -> {
                    ClusterRoleBinding binding = (ClusterRoleBinding) b;
                    assertThat(binding.getRoleRef().getName()).isEqualTo("trainops-impersonator");
                    assertThat(binding.getSubjects()).singleElement()
                            .satisfies(s -> assertThat(s.getNamespace() + "/" + s.getName()).isEqualTo("trainops-system/trainops"));
                });
    }
}
