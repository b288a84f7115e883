package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/examples/kueue-budget-check.yaml, and the Kueue fixtures the budget check's tests use, are
 * what Kueue's v1beta2 API takes: each object valid for the schema of its CRD as Kueue v0.19.2 ships
 * it (vendored in tools/src/test/resources/kueue), and the example wires a ClusterQueue to an
 * AdmissionCheck of controller {@code trainops.dev/budget}.
 */
class KueueExampleTest {
    static final Path KUEUE = Path.of("../tools/src/test/resources/kueue");
    static final YAMLMapper YAML = new YAMLMapper();
    static final Map<String, String> CRDS = Map.of("Workload", "workloads", "AdmissionCheck", "admissionchecks", "ResourceFlavor",
            "resourceflavors", "ClusterQueue", "clusterqueues");

    static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    /** What the CRD's v1beta2 schema finds wrong with {@code o}, less the CEL rules it cannot evaluate (an API server would). */
    static List<String> violations(JsonNode o) throws Exception {
        String kind = o.path("kind").asString();
        assertThat(CRDS).as("a vendored CRD for " + kind).containsKey(kind);
        assertThat(o.path("apiVersion").asString()).isEqualTo(KubeNames.KUEUE_GROUP + "/" + KubeNames.KUEUE_VERSION);
        CrdSchema schema = CrdSchema.load(KUEUE.resolve("kueue.x-k8s.io_" + CRDS.get(kind) + ".yaml"), KubeNames.KUEUE_VERSION);
        assertThat(schema.kind()).isEqualTo(kind);
        return schema.violations(o).stream().filter(v -> !v.contains("carries the CEL rule")).toList();
    }

    @Test
    void theExampleIsAnAdmissionCheckOfTrainopsAFlavorAndAClusterQueueThatListsTheCheckAllValidForKueuesSchemas() throws Exception {
        List<JsonNode> docs = documents(Manifests.deploy().resolve("examples/kueue-budget-check.yaml"));

        assertThat(docs).extracting(d -> d.path("kind").asString()).containsExactly("AdmissionCheck", "ResourceFlavor", "ClusterQueue");
        for (JsonNode d : docs) {
            assertThat(violations(d)).as(d.path("kind").asString()).isEmpty();
            GenericKubernetesResource generic = new KubernetesSerialization().unmarshal(YAML.writeValueAsString(d), GenericKubernetesResource.class);
            assertThat(generic.getMetadata().getName()).isNotBlank();
        }
        JsonNode check = docs.get(0);
        assertThat(check.path("spec").path("controllerName").asString()).isEqualTo(KubeNames.KUEUE_BUDGET_CONTROLLER);
        JsonNode queue = docs.get(2);
        assertThat(queue.path("spec").path("admissionChecksStrategy").path("admissionChecks").findValuesAsString("name"))
                .containsExactly(check.path("metadata").path("name").asString());
        JsonNode flavor = docs.get(1);
        assertThat(queue.path("spec").path("resourceGroups").get(0).path("flavors").get(0).path("name").asString())
                .isEqualTo(flavor.path("metadata").path("name").asString());
        assertThat(GpuTypes.canonical(flavor.path("spec").path("nodeLabels").path(KubeNames.LABEL_GPU_PRODUCT).asString(), 0))
                .as("the GPU type trainops reads from the flavor").isEqualTo("H100");
    }

    @Test
    void theBudgetChecksTestFixturesAreValidKueueV1beta2Objects() throws Exception {
        List<Path> fixtures;
        try (Stream<Path> files = Files.list(KUEUE.resolve("fixtures"))) {
            fixtures = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(fixtures).hasSize(4);
        for (Path f : fixtures) {
            for (JsonNode d : documents(f)) {
                assertThat(violations(d)).as(f.getFileName().toString()).isEmpty();
            }
        }
    }

    /** The check knows a broken object when it sees one, so the two tests above can fail. */
    @Test
    void aWorkloadEntryWithAnUnknownStateOrFieldIsNotValid() throws Exception {
        JsonNode w = documents(KUEUE.resolve("fixtures/workload-reserved.yaml")).get(0);
        ((tools.jackson.databind.node.ObjectNode) w.path("status").path("admissionChecks").get(1)).put("state", "Approved");
        ((tools.jackson.databind.node.ObjectNode) w.path("status").path("admissionChecks").get(1)).put("requeueAfter", 5);
        assertThat(violations(w)).anySatisfy(v -> assertThat(v).startsWith("status.admissionChecks[1].state"))
                .anySatisfy(v -> assertThat(v).startsWith("status.admissionChecks[1].requeueAfter: unknown field"));
    }
}
