package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.WebhookDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/components/webhook in the production overlay (DESIGN.md, "Kubernetes API"; README,
 * "Admission webhook"), as {@code kubectl kustomize} builds it: the ValidatingWebhookConfiguration
 * {@code trainops} (Fail for trainops's kinds, Ignore for Jobs and Pods of the teams' namespaces, 5 s,
 * no side effects, v1 reviews, the CA from cert-manager), the certificate for the Service's name in
 * the Secret the pods mount, the Service 443 -> 8443, the NetworkPolicy, and arguments that start
 * the webhook on those files as {@code serve} parses them.
 */
class WebhookComponentTest {
    @TempDir
    Path dir;

    @Test
    void theWebhookConfigurationSendsTrainopsKindsFailClosedAndTeamGpuWorkloadsFailOpen() throws Exception {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("production"));
        ValidatingWebhookConfiguration config = only(objects, ValidatingWebhookConfiguration.class);
        assertThat(config.getMetadata().getName()).isEqualTo("trainops");
        assertThat(config.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "trainops-system/trainops-webhook");
        assertThat(config.getWebhooks()).extracting(ValidatingWebhook::getName)
                .containsExactly("trainingjobs.trainops.dev", "gpu-workloads.trainops.dev");
        for (ValidatingWebhook w : config.getWebhooks()) {
            assertThat(w.getTimeoutSeconds()).isEqualTo(5);
            assertThat(w.getSideEffects()).isEqualTo("None");
            assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(w.getClientConfig().getService().getName()).isEqualTo("trainops-webhook");
            assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo("trainops-system");
            assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/admission/validate");
            assertThat(w.getClientConfig().getService().getPort()).isEqualTo(443);
            assertThat(w.getRules()).allSatisfy(r -> assertThat(r.getOperations()).containsExactly("CREATE"));
        }
        ValidatingWebhook own = config.getWebhooks().get(0);
        assertThat(own.getFailurePolicy()).isEqualTo("Fail");
        assertThat(own.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("trainops.dev");
            assertThat(r.getApiVersions()).containsExactly("v1alpha1");
            assertThat(r.getResources()).containsExactly("trainingjobs", "trainingbatches");
        });
        ValidatingWebhook raw = config.getWebhooks().get(1);
        assertThat(raw.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(raw.getRules()).extracting(r -> r.getApiGroups().get(0) + "/" + r.getApiVersions().get(0) + " " + r.getResources())
                .containsExactly("batch/v1 [jobs]", "/v1 [pods]");
        LabelSelectorRequirement teams = raw.getNamespaceSelector().getMatchExpressions().get(0);
        assertThat(teams.getKey()).isEqualTo("kubernetes.io/metadata.name");
        assertThat(teams.getOperator()).isEqualTo("In");
        assertThat(new TreeSet<>(teams.getValues())).as("the team namespaces: the teams of config/quotas.yaml").isEqualTo(quotaTeams());
        assertThat(raw.getObjectSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("app.kubernetes.io/managed-by");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactly("trainops");
        });
    }

    @Test
    void thePodsServeTheWebhookOnTheCertificatesSecretBehindTheService() throws Exception {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("production"));
        Deployment d = Manifests.deployment(objects);
        Container c = Manifests.container(d);
        WebhookDeployment.Parsed serve = WebhookDeployment.parse(c.getArgs());
        assertThat(serve.port()).isEqualTo(8443);
        assertThat(c.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .contains(org.assertj.core.groups.Tuple.tuple("webhook", 8443));
        Volume tls = d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals("webhook-tls")).findFirst()
                .orElseThrow();
        String mountPath = c.getVolumeMounts().stream().filter(m -> m.getName().equals("webhook-tls")).findFirst().orElseThrow().getMountPath();
        assertThat(serve.certFile()).isEqualTo(Path.of(mountPath, "tls.crt"));
        assertThat(serve.keyFile()).isEqualTo(Path.of(mountPath, "tls.key"));
        assertThat(tls.getSecret().getItems()).extracting(i -> i.getKey() + "=" + i.getPath()).containsExactly("tls.crt=tls.crt", "tls.key=tls.key");

        GenericKubernetesResource certificate = generic(objects, "Certificate", "trainops-webhook");
        Map<String, Object> spec = certificate.get("spec");
        assertThat(spec.get("secretName")).isEqualTo(tls.getSecret().getSecretName()).isEqualTo("trainops-webhook-tls");
        assertThat(strings(spec.get("dnsNames"))).contains("trainops-webhook.trainops-system.svc");
        assertThat(spec).containsOnlyKeys("secretName", "dnsNames", "issuerRef", "duration", "renewBefore", "privateKey", "usages");
        assertThat(map(spec.get("privateKey"))).containsOnlyKeys("algorithm", "size", "encoding", "rotationPolicy")
                .containsEntry("encoding", "PKCS8");
        assertThat(map(spec.get("issuerRef"))).containsEntry("name", "trainops-selfsigned").containsEntry("kind", "Issuer");
        assertThat(certificate.getMetadata().getNamespace()).isEqualTo("trainops-system");
        GenericKubernetesResource issuer = generic(objects, "Issuer", "trainops-selfsigned");
        assertThat(map(issuer.get("spec"))).containsOnlyKeys("selfSigned");

        Service service = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals("trainops-webhook")).findFirst().orElseThrow();
        assertThat(service.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(443);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("webhook");
        });
        NetworkPolicy policy = objects.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast)
                .filter(p -> p.getMetadata().getName().equals("trainops-webhook")).findFirst().orElseThrow();
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8443)));
    }

    @Test
    void withKubeImpersonationTooEveryComponentsArgumentsAreKept() throws Exception {
        Path copy = dir.resolve("deploy");
        copyTree(Manifests.deploy(), copy);
        ProductionWithImpersonationTest.addComponent(copy.resolve("overlays/production/kustomization.yaml"), "../../components/kube-impersonate");
        String built = Manifests.build(copy.resolve("overlays/production"));
        Container c = Manifests.container(Manifests.deployment(Manifests.documents(built).stream().map(Manifests::object).toList()));
        assertThat(c.getArgs()).contains("--kube-impersonate").containsSubsequence("--webhook-port", "8443")
                .containsSubsequence("--oidc-issuer", "$(OIDC_ISSUER)");
        assertThat(Files.readString(copy.resolve("overlays/production/kustomization.yaml")).split("\ncomponents:", -1))
                .as("one components: key").hasSize(2);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return (List<String>) o;
    }

    private static Set<String> quotaTeams() throws Exception {
        Map<?, ?> quotas = new tools.jackson.dataformat.yaml.YAMLMapper().readValue(Files.readString(Manifests.root().resolve("config/quotas.yaml")),
                Map.class);
        Set<String> teams = new TreeSet<>();
        ((Map<?, ?>) quotas.get("teams")).keySet().forEach(k -> teams.add(String.valueOf(k)));
        return teams;
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static GenericKubernetesResource generic(List<HasMetadata> objects, String kind, String name) {
        return objects.stream().filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast)
                .filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name) && o.getApiVersion().equals("cert-manager.io/v1"))
                .findFirst().orElseThrow(() -> new AssertionError("no cert-manager.io/v1 " + kind + " " + name));
    }

    private static void copyTree(Path from, Path to) throws Exception {
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
