package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each overlay applies to an API server: every object it builds is created through fabric8 in the
 * CRUD mock API server, and the Deployment read back is the one DESIGN.md "Deployment" describes.
 */
@EnableKubernetesMockClient(https = false, crud = true)
class OverlaysApplyTest {
    KubernetesClient client;

    @Test
    void productionAppliesWithTwoReplicasOnPostgresqlAndOidc() {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("production"));
        applyAll(objects);

        Deployment d = client.apps().deployments().inNamespace("trainops-system").withName("trainops").get();
        assertThat(d).as("the Deployment trainops, read back").isNotNull();
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        Container c = Manifests.container(d);
        assertThat(c.getArgs()).contains("--oidc-issuer", "--oidc-audience", "--auth-token-file").doesNotContain("--sandbox");
        assertThat(secretRefs(c)).containsExactlyInAnyOrder(
                "TRAINOPS_DB_URL=trainops-db/url", "TRAINOPS_DB_USER=trainops-db/user", "TRAINOPS_DB_PASSWORD=trainops-db/password");
        assertThat(c.getImage()).as("the overlay's image").startsWith("registry.example.com/trainops:");
        commonShape(d, c, "trainops-system");

        assertThat(client.rbac().clusterRoles().withName("trainops").get()).isNotNull();
        ClusterRoleBinding binding = client.rbac().clusterRoleBindings().withName("trainops").get();
        assertThat(binding.getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getNamespace() + "/" + s.getName()).isEqualTo("trainops-system/trainops"));
        assertThat(client.resources(PodDisruptionBudget.class).inNamespace("trainops-system").withName("trainops").get())
                .extracting(pdb -> pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("trainops-system").withName("trainops").get();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement()
                .satisfies(rule -> assertThat(rule.getPorts()).singleElement()
                        .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080)));
    }

    @Test
    void sandboxAppliesAsOneReplicaWithNoClusterPermissionsAndNoEgress() {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("sandbox"));
        assertThat(objects).as("RBAC objects in the sandbox")
                .noneMatch(o -> o.getApiVersion().startsWith("rbac.authorization.k8s.io/"));
        assertThat(objects).as("a PodDisruptionBudget for one replica would block every drain")
                .noneMatch(PodDisruptionBudget.class::isInstance);
        applyAll(objects);

        Deployment d = client.apps().deployments().inNamespace("trainops-sandbox").withName("trainops").get();
        assertThat(d).as("the Deployment trainops, read back").isNotNull();
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container c = Manifests.container(d);
        assertThat(c.getArgs()).contains("--sandbox", "--auth-token-file");
        assertThat(c.getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("TRAINOPS_DB_"));
        commonShape(d, c, "trainops-sandbox");

        List<VolumeProjection> sources = pod.getVolumes().stream().filter(v -> v.getName().equals("config")).findFirst().orElseThrow()
                .getProjected().getSources();
        assertThat(sources).hasSize(2);
        assertThat(sources.get(1).getConfigMap().getItems()).extracting(i -> i.getPath())
                .containsExactlyInAnyOrder("sandbox/cluster.yaml", "sandbox/run-history.jsonl");
        NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("trainops-sandbox").withName("trainops").get();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getEgress()).as("egress rules: none, so none is allowed").isEmpty();
    }

    private void applyAll(List<HasMetadata> objects) {
        assertThat(objects).isNotEmpty();
        certManagerInstalled();
        for (HasMetadata o : objects) {
            client.resource(o).create();
        }
        for (HasMetadata o : objects) {
            assertThat(client.resource(o).get()).as("read back " + o.getKind() + " " + o.getMetadata().getName()).isNotNull();
        }
    }

    /**
     * The cluster has cert-manager, as deploy/components/webhook needs (README, "Admission webhook"):
     * the CRDs of its Issuer and Certificate, so the API server (here the mock) serves them.
     */
    private void certManagerInstalled() {
        for (String kind : List.of("Issuer", "Certificate")) {
            String plural = kind.toLowerCase(java.util.Locale.ROOT) + "s";
            client.apiextensions().v1().customResourceDefinitions().resource(new io.fabric8.kubernetes.api.model.apiextensions.v1
                    .CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + ".cert-manager.io").endMetadata().withNewSpec()
                    .withGroup("cert-manager.io").withScope("Namespaced").withNewNames().withKind(kind).withPlural(plural).endNames()
                    .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema().withNewOpenAPIV3Schema()
                    .withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema().endVersion().endSpec()
                    .build()).createOr(existing -> existing.update());
        }
    }

    /** What both overlays keep from the base. */
    private void commonShape(Deployment d, Container c, String namespace) {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("trainops");
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("trainops").get()).isNotNull();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(c.getEnv()).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("TRAINOPS_NAMESPACE=metadata.namespace", "POD_NAME=metadata.name");
        assertThat(c.getEnv()).as("secret values in the manifests").allMatch(e -> e.getValue() == null || !e.getName().contains("PASSWORD"));
        List<String> tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).map(m -> m.getName()).toList();
        assertThat(tmp).singleElement().satisfies(name -> assertThat(pod.getVolumes()).anyMatch(v -> v.getName().equals(name) && v.getEmptyDir() != null));
        assertThat(pod.getVolumes()).filteredOn(v -> v.getProjected() != null)
                .allSatisfy(v -> v.getProjected().getSources().forEach(s ->
                        assertThat(client.configMaps().inNamespace(namespace).withName(s.getConfigMap().getName()).get())
                                .as("ConfigMap " + s.getConfigMap().getName() + " the config volume names").isNotNull()));
        Service service = client.services().inNamespace(namespace).withName("trainops").get();
        assertThat(service.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(8080);
        });
        assertThat(service.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    }

    private static List<String> secretRefs(Container c) {
        return c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey())
                .toList();
    }
}
