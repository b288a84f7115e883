package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "Done when": every kustomization under deploy/ builds with {@code kubectl kustomize},
 * and every object it builds (and every example in deploy/examples) parses as its fabric8 model
 * with no field the model does not know.
 *
 * <p>Objects of the group {@code monitoring.coreos.com} (ServiceMonitor, PrometheusRule,
 * AlertmanagerConfig) have no fabric8 8 model: they are skipped here and checked against their CRDs'
 * schemas by deploy/monitoring's own test; cert-manager's Issuer and Certificate
 * ({@code cert-manager.io}, deploy/components/webhook) likewise, by WebhookComponentTest; Kueue's
 * ({@code kueue.x-k8s.io}, deploy/examples/kueue-budget-check.yaml) by KueueExampleTest.
 */
class ManifestsTest {
    static final List<String> CHECKED_ELSEWHERE = List.of("monitoring.coreos.com", "cert-manager.io", "kueue.x-k8s.io");

    @Test
    void everyKustomizationUnderDeployBuilds() {
        List<Path> found = Manifests.kustomizations();
        assertThat(found).as("kustomizations under deploy/")
                .contains(Manifests.base(), Manifests.overlay("sandbox"), Manifests.overlay("production"));
        for (Path dir : found) {
            assertThat(Manifests.documents(Manifests.build(dir))).as("objects built from " + dir).isNotEmpty();
        }
    }

    @Test
    void everyObjectParsesAsItsFabric8ModelWithNoUnknownField() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path dir : Manifests.kustomizations()) {
            for (String doc : Manifests.documents(Manifests.build(dir))) {
                checked += check(Manifests.root().relativize(dir) + " (kubectl kustomize)", doc, problems);
            }
        }
        List<Path> examples = Manifests.examples();
        assertThat(examples).as("deploy/examples").isNotEmpty();
        for (Path file : examples) {
            for (String doc : Manifests.documents(Files.readString(file))) {
                checked += check(Manifests.root().relativize(file).toString(), doc, problems);
            }
        }
        assertThat(problems).as("objects that are not what their fabric8 model says").isEmpty();
        assertThat(checked).as("objects checked").isGreaterThan(10);
    }

    /**
     * The README names kubectl 1.27 (kustomize v5.0.1) as the oldest kubectl the manifests need:
     * every kustomization uses only fields kustomize v5.0 has. A field added later (or a deprecated
     * one) fails here, so the README's version is checked again before it can go stale.
     */
    @Test
    void kustomizationsUseOnlyFieldsOfKustomizeV5_0() throws IOException {
        java.util.Set<String> v50 = java.util.Set.of("apiVersion", "kind", "metadata", "namespace", "namePrefix", "nameSuffix",
                "labels", "commonLabels", "commonAnnotations", "resources", "components", "crds", "configMapGenerator",
                "secretGenerator", "generatorOptions", "patches", "images", "replicas", "replacements", "configurations",
                "generators", "transformers", "validators", "openapi", "helmCharts", "helmGlobals", "buildMetadata", "sortOptions");
        List<String> newer = new ArrayList<>();
        for (Path dir : Manifests.kustomizations()) {
            for (String file : Manifests.KUSTOMIZATION_FILES) {
                Path f = dir.resolve(file);
                if (Files.isRegularFile(f)) {
                    java.util.Map<?, ?> k = new tools.jackson.dataformat.yaml.YAMLMapper().readValue(Files.readString(f), java.util.Map.class);
                    k.keySet().stream().map(String::valueOf).filter(key -> !v50.contains(key))
                            .forEach(key -> newer.add(Manifests.root().relativize(f) + ": " + key));
                }
            }
        }
        assertThat(newer).as("fields outside kustomize v5.0 (kubectl 1.27): raise the README's oldest kubectl, or use another field")
                .isEmpty();
    }

    /** The checker finds a misspelt field deep in a Deployment, and a field of the wrong type: it can fail. */
    @Test
    void aMisspeltOrMistypedFieldIsFound() {
        String misspelt = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          imagePullPolicyy: Always
                          securityContext: {readOnlyRootFileSystem: true}
                """;
        HasMetadata object = Manifests.object(misspelt);
        assertThat(object).isInstanceOf(Deployment.class);
        assertThat(UnknownFields.of(object)).containsExactlyInAnyOrder(
                "spec.template.spec.containers[0].imagePullPolicyy",
                "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem");

        List<String> problems = new ArrayList<>();
        check("inline", """
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec:
                  ports: [{port: 8080}]
                  sessionAffinity: ClientIP
                  sessionAfinityConfig: {clientIP: {timeoutSeconds: 10}}
                """, problems);
        check("inline", """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: x}
                """, problems);
        assertThat(problems).containsExactly(
                "inline: Service x: unknown field spec.sessionAfinityConfig",
                "inline: example.com/v1 Widget x has no fabric8 model");
    }

    /** The ingress example routes to the Service the base builds, by its port's name, in its namespace. */
    @Test
    void theIngressExampleRoutesToTheBasesService() throws IOException {
        List<HasMetadata> base = Manifests.objects(Manifests.base());
        io.fabric8.kubernetes.api.model.Service service = base.stream().filter(io.fabric8.kubernetes.api.model.Service.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.Service.class::cast).findFirst().orElseThrow();
        HasMetadata example = Manifests.object(Files.readString(Manifests.deploy().resolve("examples/ingress-nginx.yaml")));
        assertThat(example).isInstanceOf(io.fabric8.kubernetes.api.model.networking.v1.Ingress.class);
        io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress = (io.fabric8.kubernetes.api.model.networking.v1.Ingress) example;
        assertThat(ingress.getMetadata().getNamespace()).isEqualTo(service.getMetadata().getNamespace());
        assertThat(ingress.getSpec().getRules()).flatExtracting(r -> r.getHttp().getPaths()).allSatisfy(p -> {
            assertThat(p.getBackend().getService().getName()).isEqualTo(service.getMetadata().getName());
            assertThat(service.getSpec().getPorts()).extracting(io.fabric8.kubernetes.api.model.ServicePort::getName)
                    .contains(p.getBackend().getService().getPort().getName());
        });
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/upstream-hash-by", "$remote_addr");
    }

    /** Without kubectl the deploy/ checks skip on a developer's machine and fail in CI, never pass unchecked. */
    @Test
    void withoutKubectlTheChecksFailInCiAndSkipElsewhere(@org.junit.jupiter.api.io.TempDir Path empty) {
        java.util.Map<String, String> ci = java.util.Map.of("PATH", empty.toString(), "CI", "true");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Manifests.kubectl(ci))
                .isInstanceOf(org.opentest4j.AssertionFailedError.class).hasMessageContaining("CI must have it");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Manifests.kubectl(java.util.Map.of("PATH", empty.toString())))
                .isInstanceOf(org.opentest4j.TestAbortedException.class).hasMessageContaining("kubectl is not on the PATH");
        assertThat(Manifests.kubectl(java.util.Map.of("PATH", empty + java.io.File.pathSeparator + System.getenv("PATH"))))
                .endsWith("kubectl");
    }

    /** Checks one document; returns 1 when it was checked, 0 when it belongs to the monitoring lane's test. */
    static int check(String where, String document, List<String> problems) {
        HasMetadata object = Manifests.object(document);
        String name = object.getKind() + " " + object.getMetadata().getName();
        if (object.getApiVersion() != null && CHECKED_ELSEWHERE.stream().anyMatch(g -> object.getApiVersion().startsWith(g + "/"))) {
            return 0;
        }
        if (object instanceof GenericKubernetesResource) {
            problems.add(where + ": " + object.getApiVersion() + " " + name + " has no fabric8 model");
            return 1;
        }
        for (String field : UnknownFields.of(object)) {
            problems.add(where + ": " + name + ": unknown field " + field);
        }
        return 1;
    }
}
