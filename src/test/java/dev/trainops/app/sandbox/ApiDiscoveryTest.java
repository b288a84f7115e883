package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The discovery documents of the sandbox's API server, as kubectl reads them (DESIGN.md, "Kubernetes API": the
 * sandbox's API server answers kubectl's discovery requests for its resources).
 */
class ApiDiscoveryTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    final List<CustomResourceDefinition> crds = new ArrayList<>(SandboxCrds.definitions(JSON));
    final ApiDiscovery discovery = new ApiDiscovery(() -> crds);

    <T> T get(String path, Class<T> type) {
        ApiDiscovery.Answer answer = discovery.answer("GET", path).orElseThrow(() -> new AssertionError(path + " is not answered"));
        assertThat(answer.code()).as(path).isEqualTo(200);
        return JSON.unmarshal(answer.body(), type);
    }

    @Test
    void apisListsTheTrainopsGroupAndTheBuiltInGroupsTheSandboxServes() {
        APIGroupList groups = get("/apis?timeout=32s", APIGroupList.class);

        assertThat(groups.getKind()).isEqualTo("APIGroupList");
        assertThat(groups.getGroups()).extracting(APIGroup::getName).contains("batch", "coordination.k8s.io", "scheduling.k8s.io",
                "apiextensions.k8s.io", "events.k8s.io", "trainops.dev").doesNotContain("");
        APIGroup trainops = groups.getGroups().stream().filter(g -> g.getName().equals("trainops.dev")).findFirst().orElseThrow();
        assertThat(trainops.getPreferredVersion().getGroupVersion()).isEqualTo("trainops.dev/v1alpha1");
        assertThat(get("/apis/trainops.dev", APIGroup.class).getVersions()).extracting(v -> v.getVersion()).containsExactly("v1alpha1");
    }

    @Test
    void theTrainopsGroupVersionListsBothKindsWithShortNamesVerbsAndStatusSubresources() {
        APIResourceList list = get("/apis/trainops.dev/v1alpha1", APIResourceList.class);

        assertThat(list.getGroupVersion()).isEqualTo("trainops.dev/v1alpha1");
        assertThat(list.getResources()).extracting(APIResource::getName)
                .containsExactlyInAnyOrder("trainingjobs", "trainingjobs/status", "trainingbatches", "trainingbatches/status");
        APIResource tj = resource(list, "trainingjobs");
        assertThat(tj.getKind()).isEqualTo("TrainingJob");
        assertThat(tj.getSingularName()).isEqualTo("trainingjob");
        assertThat(tj.getNamespaced()).isTrue();
        assertThat(tj.getShortNames()).containsExactly("tj");
        assertThat(tj.getVerbs()).contains("create", "get", "list", "watch", "patch", "update", "delete");
        assertThat(resource(list, "trainingbatches").getShortNames()).containsExactly("tb");
        assertThat(resource(list, "trainingjobs/status").getVerbs()).containsExactlyInAnyOrder("get", "patch", "update");
    }

    @Test
    void theCoreGroupListsTheKindsTheDemoClusterHolds() {
        assertThat(get("/api", APIVersions.class).getVersions()).containsExactly("v1");
        APIResourceList core = get("/api/v1", APIResourceList.class);

        assertThat(core.getGroupVersion()).isEqualTo("v1");
        assertThat(core.getResources()).extracting(APIResource::getName)
                .contains("namespaces", "nodes", "pods", "pods/status", "events", "resourcequotas", "limitranges", "persistentvolumeclaims");
        assertThat(resource(core, "namespaces").getNamespaced()).isFalse();
        assertThat(resource(core, "pods").getShortNames()).containsExactly("po");
        assertThat(get("/apis/batch/v1", APIResourceList.class).getResources()).extracting(APIResource::getName).contains("jobs", "jobs/status");
    }

    @Test
    void aCrdInstalledLaterShowsItsGroupAndARemovedOneDisappears() {
        assertThat(get("/apis", APIGroupList.class).getGroups()).extracting(APIGroup::getName).doesNotContain("kueue.x-k8s.io");

        crds.add(workloadCrd());
        assertThat(get("/apis", APIGroupList.class).getGroups()).extracting(APIGroup::getName).contains("kueue.x-k8s.io");
        APIGroup kueue = get("/apis/kueue.x-k8s.io", APIGroup.class);
        assertThat(kueue.getVersions()).extracting(v -> v.getVersion()).containsExactly("v1beta2", "v1beta1");
        assertThat(kueue.getPreferredVersion().getVersion()).isEqualTo("v1beta2");
        assertThat(resource(get("/apis/kueue.x-k8s.io/v1beta2", APIResourceList.class), "workloads").getKind()).isEqualTo("Workload");

        crds.remove(crds.size() - 1);
        assertThat(discovery.answer("GET", "/apis/kueue.x-k8s.io/v1beta2").orElseThrow().code()).isEqualTo(404);
    }

    @Test
    void anUnknownGroupVersionIsA404StatusAndResourcePathsAreLeftToTheStore() {
        ApiDiscovery.Answer unknown = discovery.answer("GET", "/apis/example.com/v1").orElseThrow();
        assertThat(unknown.code()).isEqualTo(404);
        Status status = JSON.unmarshal(unknown.body(), Status.class);
        assertThat(status.getReason()).isEqualTo("NotFound");
        assertThat(discovery.answer("GET", "/apis/nothing.example.com").orElseThrow().code()).isEqualTo(404);

        assertThat(discovery.answer("GET", "/api/v1/namespaces/team-a/pods")).isEmpty();
        assertThat(discovery.answer("GET", "/apis/trainops.dev/v1alpha1/namespaces/team-a/trainingjobs/x")).isEmpty();
        assertThat(discovery.answer("GET", "/apis/trainops.dev/v1alpha1/trainingjobs?watch=true")).isEmpty();
        assertThat(discovery.answer("POST", "/apis")).isEmpty();
    }

    @Test
    void versionReportsTheKubernetesReleaseKubectlIsTestedWith() {
        @SuppressWarnings("unchecked")
        Map<String, Object> version = get("/version?timeout=32s", Map.class);
        assertThat(version).containsEntry("major", "1").containsEntry("minor", "32").containsEntry("gitVersion", ApiDiscovery.GIT_VERSION);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theOpenApiDocumentTellsKubectlTheServerValidatesFieldsAndCarriesTheCrdSchema() {
        Map<String, Object> index = get("/openapi/v3", Map.class);
        Map<String, Map<String, String>> paths = (Map<String, Map<String, String>>) index.get("paths");
        assertThat(paths).containsKeys("api/v1", "apis/batch/v1", "apis/trainops.dev/v1alpha1");
        String url = paths.get("apis/trainops.dev/v1alpha1").get("serverRelativeURL");
        assertThat(url).startsWith("/openapi/v3/apis/trainops.dev/v1alpha1?hash=");

        Map<String, Object> doc = get(url, Map.class);
        Map<String, Map<String, Object>> operations = (Map<String, Map<String, Object>>) doc.get("paths");
        Map<String, Object> patch = (Map<String, Object>) operations.get("/apis/trainops.dev/v1alpha1/namespaces/{namespace}/trainingjobs/{name}")
                .get("patch");
        assertThat(patch.get("x-kubernetes-group-version-kind"))
                .isEqualTo(Map.of("group", "trainops.dev", "version", "v1alpha1", "kind", "TrainingJob"));
        assertThat((List<Map<String, Object>>) patch.get("parameters"))
                .anySatisfy(p -> assertThat(p).containsEntry("name", "fieldValidation").containsEntry("in", "query"));
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        Map<String, Object> tj = (Map<String, Object>) schemas.get("dev.trainops.v1alpha1.TrainingJob");
        assertThat((Map<String, Object>) tj.get("properties")).containsKeys("spec", "status");
        assertThat(discovery.answer("GET", "/openapi/v3/apis/example.com/v1").orElseThrow().code()).isEqualTo(404);
    }

    @Test
    void theOpenApiHashChangesWhenACrdChanges() {
        String before = openApiUrl();
        crds.add(workloadCrd());
        assertThat(openApiUrl()).isEqualTo(before); // another group's document
        crds.get(0).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().setDescription("changed");
        assertThat(openApiUrl()).isNotEqualTo(before);
    }

    @SuppressWarnings("unchecked")
    private String openApiUrl() {
        Map<String, Map<String, String>> paths = (Map<String, Map<String, String>>) get("/openapi/v3", Map.class).get("paths");
        return paths.get("apis/trainops.dev/v1alpha1").get("serverRelativeURL");
    }

    @Test
    void versionsAreOrderedAsKubernetesPrefersThem() {
        List<String> versions = new ArrayList<>(List.of("v1alpha1", "v2beta1", "v1", "v1beta2", "v2", "v1beta1", "foo"));
        versions.sort(ApiDiscovery::byPriority);
        assertThat(versions).containsExactly("v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1", "foo");
    }

    @Test
    void aStrategicMergePatchOrServerSideApplyGetsAClear415AndAMergePatchPasses() {
        assertThat(ApiServerDispatcher.unsupportedPatch("application/strategic-merge-patch+json", "/api/v1/namespaces/team-a?fieldManager=x"))
                .hasValueSatisfying(m -> assertThat(m).contains("strategic merge patch to /api/v1/namespaces/team-a").contains("kubectl replace"));
        assertThat(ApiServerDispatcher.unsupportedPatch("application/apply-patch+yaml", "/apis/batch/v1/namespaces/team-a/jobs/j"))
                .hasValueSatisfying(m -> assertThat(m).contains("without --server-side"));
        assertThat(ApiServerDispatcher.unsupportedPatch("application/merge-patch+json", "/apis/trainops.dev/v1alpha1/x")).isEmpty();
        assertThat(ApiServerDispatcher.unsupportedPatch("application/json-patch+json", "/apis/trainops.dev/v1alpha1/x")).isEmpty();
    }

    private static APIResource resource(APIResourceList list, String name) {
        return list.getResources().stream().filter(r -> r.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + list.getGroupVersion()));
    }

    /** Kueue's Workload CRD, trimmed to what discovery reads: two served versions, v1beta2 the newer. */
    static CustomResourceDefinition workloadCrd() {
        return new CustomResourceDefinitionBuilder().withNewMetadata().withName("workloads.kueue.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("kueue.x-k8s.io").withScope("Namespaced")
                .withNewNames().withKind("Workload").withPlural("workloads").withSingular("workload").withShortNames("wl").endNames()
                .addNewVersion().withName("v1beta1").withServed(true).withStorage(false).endVersion()
                .addNewVersion().withName("v1beta2").withServed(true).withStorage(true).withNewSubresources().withNewStatus().endStatus()
                .endSubresources().endVersion()
                .endSpec().build();
    }
}
