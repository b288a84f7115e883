package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.gpu.GpuAvailability;
import dev.trainops.gpu.GpuAvailabilityRequest;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuSpecs;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.gpu.Sharing;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.prometheus.DcgmJobGpuUsage;
import dev.trainops.prometheus.DcgmUtilization;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.recommend.JobContext;
import dev.trainops.testing.ClusterFixtures;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/gpu (issue 15, item 5) against the NVIDIA GPU Operator chart it names and against what
 * trainops reads: the Helm values hold no key the chart would ignore, the kustomization builds into
 * known Kubernetes objects, the device plugin's configurations produce the node labels trainops
 * prices shares by, every MIG profile is one trainops places and each MIG shape fits its GPU, and
 * the DCGM exporter's series carry the labels trainops's utilisation queries select on. The
 * upstream files it checks against are in src/test/resources/gpu-operator (SOURCES.md).
 */
class GpuStackTest {
    static final Path ROOT = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath().normalize().getParent();
    static final Path GPU = ROOT.resolve("deploy/gpu");
    static final String CHART_VERSION = "v26.7.0";
    static final String NAMESPACE = "gpu-operator";
    static final YAMLMapper YAML = new YAMLMapper();
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /**
     * The MIG-capable GPUs trainops knows, by PCI device and vendor id as mig-parted's device-filter
     * writes it (pci.ids 2023.04: 20b0 A100 SXM4 40GB, 20b1 and 20f1 A100 PCIe 40GB, 20b2 A100 SXM4
     * 80GB, 20b5 A100 PCIe 80GB, 2330 H100 SXM5 80GB, 2331 H100 PCIe; NVIDIA's own MIG configuration
     * for 2335 H200 141GB and 233b H200 NVL), with the product name GPU Feature Discovery writes.
     */
    record KnownGpu(String deviceId, String product, long memoryMib, String gpuType) {
    }

    static final List<KnownGpu> KNOWN_GPUS = List.of(
            new KnownGpu("0x20B010DE", "NVIDIA-A100-SXM4-40GB", 40_960, "A100-40GB"),
            new KnownGpu("0x20B110DE", "NVIDIA-A100-PCIE-40GB", 40_960, "A100-40GB"),
            new KnownGpu("0x20F110DE", "NVIDIA-A100-PCIE-40GB", 40_960, "A100-40GB"),
            new KnownGpu("0x20B210DE", "NVIDIA-A100-SXM4-80GB", 81_920, "A100-80GB"),
            new KnownGpu("0x20B510DE", "NVIDIA-A100-80GB-PCIe", 81_920, "A100-80GB"),
            new KnownGpu("0x233010DE", "NVIDIA-H100-80GB-HBM3", 81_559, "H100"),
            new KnownGpu("0x233110DE", "NVIDIA-H100-PCIe", 81_559, "H100"),
            new KnownGpu("0x233510DE", "NVIDIA-H200", 143_771, "H200"),
            new KnownGpu("0x233B10DE", "NVIDIA-H200-NVL", 143_771, "H200"));

    // ---------------------------------------------------------------- the chart's values

    @Test
    void theValuesTheReadmeAndTheVendoredChartNameOneChartVersion() throws IOException {
        String values = Files.readString(GPU.resolve("gpu-operator-values.yaml"));
        assertThat(values).contains("nvidia/gpu-operator " + CHART_VERSION)
                .contains("helm install gpu-operator nvidia/gpu-operator --version " + CHART_VERSION + " -n gpu-operator");
        assertThat(resource("SOURCES.md")).contains("tag " + CHART_VERSION);
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme).contains("## The GPU stack")
                .contains("helm install gpu-operator nvidia/gpu-operator --version " + CHART_VERSION + " -n gpu-operator")
                .contains("-f deploy/gpu/gpu-operator-values.yaml")
                .contains("kubectl apply -k deploy/gpu");
    }

    @Test
    void everyKeyOfOurValuesIsAKeyOfTheChartOrReadByItsTemplatesAndFreeFormValuesFitTheClusterPolicySchema() {
        JsonNode ours = yaml(GPU.resolve("gpu-operator-values.yaml"));
        List<String> problems = valuesProblems(ours);
        assertThat(problems).as("keys a Helm install of gpu-operator " + CHART_VERSION + " would ignore or refuse").isEmpty();

        // the check can fail: a misspelt key, a key the chart does not have, a bad relabeling action
        ObjectNode typo = (ObjectNode) ours.deepCopy();
        ((ObjectNode) typo.get("dcgmExporter").get("serviceMonitor")).put("honorLabel", true);
        ((ObjectNode) typo.get("devicePlugin")).put("timeSlicing", "on");
        ((ObjectNode) typo.get("dcgmExporter").get("serviceMonitor").get("relabelings").get(0)).put("action", "rename");
        assertThat(valuesProblems(typo)).hasSize(3).anySatisfy(p -> assertThat(p).contains("dcgmExporter.serviceMonitor.honorLabel"))
                .anySatisfy(p -> assertThat(p).contains("devicePlugin.timeSlicing"))
                .anySatisfy(p -> assertThat(p).contains("relabelings[0].action"));
    }

    @Test
    void theValuesTurnOnWhatTrainopsReadsAndNameTheConfigMapsTheKustomizationBuilds() {
        JsonNode v = yaml(GPU.resolve("gpu-operator-values.yaml"));
        assertThat(v.at("/mig/strategy").asString()).isEqualTo("mixed");
        assertThat(v.at("/gfd/enabled").asBoolean()).isTrue();
        assertThat(v.at("/nfd/enabled").asBoolean()).as("GFD runs on the nodes NFD labels").isTrue();
        assertThat(v.at("/devicePlugin/enabled").asBoolean()).isTrue();
        assertThat(v.at("/migManager/enabled").asBoolean()).isTrue();
        assertThat(v.at("/dcgmExporter/enabled").asBoolean()).isTrue();
        assertThat(v.at("/dcgmExporter/serviceMonitor/enabled").asBoolean()).isTrue();

        Map<String, HasMetadata> built = built();
        ConfigMap plugin = configMap(built, v.at("/devicePlugin/config/name").asString());
        assertThat(v.at("/devicePlugin/config/create").asBoolean()).as("the chart must not create a second one").isFalse();
        assertThat(plugin.getData()).containsKey(v.at("/devicePlugin/config/default").asString());
        ConfigMap mig = configMap(built, v.at("/migManager/config/name").asString());
        assertThat(v.at("/migManager/config/create").asBoolean()).isFalse();
        assertThat(mig.getData()).as("the MIG manager reads the key config.yaml").containsOnlyKeys("config.yaml");
        JsonNode migConfigs = YAML.readTree(mig.getData().get("config.yaml")).get("mig-configs");
        String migDefault = v.at("/migManager/config/default").asString();
        assertThat(migConfigs.has(migDefault)).isTrue();
        assertThat(migConfigs.get(migDefault).values()).as("by default GPUs stay whole")
                .allSatisfy(e -> assertThat(e.get("mig-enabled").asBoolean()).isFalse());
    }

    /** Problems with our values against the chart's defaults, its templates and the ClusterPolicy schema. */
    static List<String> valuesProblems(JsonNode ours) {
        JsonNode defaults = YAML.readTree(resource("values.yaml"));
        String template = resource("templates-clusterpolicy.yaml");
        JsonNode spec = YAML.readTree(resource("crd-nvidia.com_clusterpolicies.yaml"))
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        List<String> problems = new ArrayList<>();
        List<String> freeForm = new ArrayList<>();
        compareWithDefaults("", ours, defaults, template, problems, freeForm);
        for (String path : freeForm) {
            JsonNode schema = spec;
            for (String part : path.split("\\.")) {
                schema = schema.path("properties").path(part);
            }
            if (schema.isMissingNode()) {
                problems.add(path + ": the chart has no default for it and the ClusterPolicy has no such field");
                continue;
            }
            validate(path, at(ours, path), schema, problems);
        }
        return problems;
    }

    /**
     * Walks our values beside the chart's defaults. A key the defaults lack is accepted only when
     * the chart's ClusterPolicy template reads {@code .Values.<path>}; a list, or a map whose
     * default is empty, is free-form in the values and checked against the ClusterPolicy schema
     * (the template copies it there with toYaml).
     */
    static void compareWithDefaults(String path, JsonNode ours, JsonNode defaults, String template, List<String> problems, List<String> freeForm) {
        if (ours.isObject() && defaults.isObject() && !defaults.isEmpty()) {
            for (Map.Entry<String, JsonNode> e : ours.properties()) {
                String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode d = defaults.get(e.getKey());
                if (d != null && !d.isNull()) {
                    compareWithDefaults(key, e.getValue(), d, template, problems, freeForm);
                } else if (Pattern.compile("\\.Values\\." + Pattern.quote(key) + "\\b(?![.\\w])").matcher(template).find()) {
                    freeForm.add(key);
                } else {
                    problems.add(key + ": not a key of the chart's values.yaml (" + CHART_VERSION + ") nor read by its templates");
                }
            }
        } else if (ours.isContainer() || defaults.isContainer()) {
            if (ours.isObject() != defaults.isObject() || ours.isArray() != defaults.isArray()) {
                problems.add(path + ": the chart's default is a " + kind(defaults) + ", ours a " + kind(ours));
            } else {
                freeForm.add(path);
            }
        } else if (!kind(ours).equals(kind(defaults))) {
            problems.add(path + ": the chart's default is a " + kind(defaults) + ", ours a " + kind(ours));
        }
    }

    static String kind(JsonNode n) {
        return n.isObject() ? "map" : n.isArray() ? "list" : n.isBoolean() ? "boolean" : n.isNumber() ? "number" : n.isNull() ? "null" : "string";
    }

    /** A small structural check of a value against an OpenAPI v3 schema from a CRD: fields, types, enums, patterns, required. */
    static void validate(String path, JsonNode value, JsonNode schema, List<String> problems) {
        String type = schema.path("type").asString("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(path + ": must be a map");
                    return;
                }
                JsonNode additional = schema.path("additionalProperties");
                for (Map.Entry<String, JsonNode> e : value.properties()) {
                    JsonNode property = schema.path("properties").path(e.getKey());
                    if (!property.isMissingNode()) {
                        validate(path + "." + e.getKey(), e.getValue(), property, problems);
                    } else if (additional.isObject()) {
                        validate(path + "." + e.getKey(), e.getValue(), additional, problems);
                    } else if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        problems.add(path + "." + e.getKey() + ": no such field in the ClusterPolicy schema");
                    }
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asString())) {
                        problems.add(path + ": " + required.asString() + " is required");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": must be a list");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(path + "[" + i + "]", value.get(i), schema.path("items"), problems);
                }
            }
            case "string" -> {
                if (!value.isString()) {
                    problems.add(path + ": must be a string");
                    return;
                }
                List<String> allowed = new ArrayList<>();
                schema.path("enum").forEach(x -> allowed.add(x.asString()));
                if (!allowed.isEmpty() && !allowed.contains(value.asString())) {
                    problems.add(path + ": " + value.asString() + " is not one of " + allowed);
                }
                if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asString()).matcher(value.asString()).find()) {
                    problems.add(path + ": " + value.asString() + " does not match " + schema.get("pattern").asString());
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(path + ": must be true or false");
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(path + ": must be an integer");
                }
            }
            default -> {
                // x-kubernetes-int-or-string and untyped schemas take anything
            }
        }
    }

    // ---------------------------------------------------------------- the kustomization

    @Test
    void theKustomizationBuildsTheNamespaceAndTwoConfigMapsEachAKnownModelWithNoUnknownField() {
        Map<String, HasMetadata> built = built();
        assertThat(built).containsOnlyKeys("Namespace/gpu-operator", "ConfigMap/trainops-device-plugin-config", "ConfigMap/trainops-mig-parted-config");
        assertThat(built.get("Namespace/gpu-operator")).isInstanceOf(Namespace.class);
        assertThat(built.get("Namespace/gpu-operator").getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
        for (HasMetadata o : built.values()) {
            assertThat(o).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(unknownFields(o, o.getKind())).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
            if (o instanceof ConfigMap) {
                assertThat(o.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
                assertThat(o.getMetadata().getName()).as("referenced by name from the values: no hash suffix").startsWith("trainops-").doesNotMatch(".*-[a-z0-9]{10}$");
            }
        }
        // they apply to an API server (fabric8's CRUD mock) and read back as built
        try (CrudMockServer mock = new CrudMockServer()) {
            for (HasMetadata o : built.values()) {
                mock.client().resource(o).create();
            }
            for (HasMetadata o : built.values()) {
                if (o instanceof ConfigMap cm) {
                    assertThat(mock.client().configMaps().inNamespace(NAMESPACE).withName(cm.getMetadata().getName()).get().getData())
                            .isEqualTo(cm.getData());
                }
            }
            assertThat(mock.client().namespaces().withName(NAMESPACE).get()).isNotNull();
        }

        // the check can fail: a misspelt field is an unknown field
        HasMetadata typo = new KubernetesSerialization().unmarshal("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, lables: {a: b}}\ndta: {k: v}\n");
        assertThat(unknownFields(typo, "ConfigMap")).hasSize(2);
    }

    /** Fields a fabric8 model did not know, found in additionalProperties anywhere in the object. */
    static List<String> unknownFields(Object o, String path) {
        List<String> out = new ArrayList<>();
        collectUnknown(o, path, out);
        return out;
    }

    private static void collectUnknown(Object o, String path, List<String> out) {
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectUnknown(v, path + "." + k, out));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                collectUnknown(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class
                    || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": unknown " + extra.keySet());
                }
            } else {
                collectUnknown(value, path + "." + m.getName().substring(3), out);
            }
        }
    }

    // ---------------------------------------------------------------- time-slicing

    @Test
    void eachDevicePluginConfigIsValidForTheDevicePluginAndItsReplicasBecomeTheLabelsAndPricesTrainopsReads() {
        JsonNode values = yaml(GPU.resolve("gpu-operator-values.yaml"));
        ConfigMap cm = configMap(built(), values.at("/devicePlugin/config/name").asString());
        assertThat(cm.getData()).containsOnlyKeys("exclusive", "time-sliced");

        Map<String, JsonNode> configs = new TreeMap<>();
        cm.getData().forEach((k, v) -> configs.put(k, YAML.readTree(v)));
        configs.forEach((name, config) -> assertThat(devicePluginConfigProblems(config, values.at("/mig/strategy").asString()))
                .as("device plugin config " + name).isEmpty());

        // What GFD and the device plugin make of each configuration on a node of 4 L4s, read back
        // by trainops's inventory (NodeGpus) and priced by GpuShares.
        GpuShape l4 = new GpuShape("NVIDIA-L4", 23_034, 4, Map.of());
        Map<String, Node> nodes = new LinkedHashMap<>();
        configs.forEach((name, config) -> nodes.put("ts-" + name, simulateNode("ts-" + name, l4, config)));
        Map<String, GpuAvailability.NodeView> seen = inventory(nodes.values());

        GpuAvailability.NodeView exclusive = seen.get("ts-exclusive");
        assertThat(exclusive.sharingStrategy()).isEqualTo("none");
        assertThat(exclusive.replicas()).isEqualTo(1);
        assertThat(exclusive.gpuType()).isEqualTo("L4");
        assertThat(exclusive.resources()).singleElement().satisfies(r -> {
            assertThat(r.resourceName()).isEqualTo(KubeNames.GPU_RESOURCE);
            assertThat(r.sharing()).isEqualTo(Sharing.EXCLUSIVE);
            assertThat(r.capacity()).isEqualTo(4);
        });
        assertThat(GpuShares.share(KubeNames.GPU_RESOURCE, nodes.get("ts-exclusive").getMetadata().getLabels())).isEqualByComparingTo("1");

        GpuAvailability.NodeView shared = seen.get("ts-time-sliced");
        assertThat(shared.sharingStrategy()).isEqualTo("time-slicing");
        assertThat(shared.replicas()).isEqualTo(4);
        assertThat(shared.gpuType()).isEqualTo("L4");
        assertThat(shared.resources()).singleElement().satisfies(r -> {
            assertThat(r.resourceName()).isEqualTo(KubeNames.GPU_SHARED_RESOURCE);
            assertThat(r.sharing()).isEqualTo(Sharing.TIME_SLICED);
            assertThat(r.capacity()).isEqualTo(16);
            assertThat(r.memoryMibPerUnit()).as("a replica's GPU").isEqualTo(23_034);
        });
        assertThat(nodes.get("ts-time-sliced").getMetadata().getLabels())
                .containsEntry(KubeNames.LABEL_GPU_REPLICAS, "4")
                .containsEntry(KubeNames.LABEL_GPU_SHARING_STRATEGY, "time-slicing");

        // every replicated resource any configuration declares is billed 1/replicas (of its slice)
        configs.forEach((name, config) -> {
            Map<String, String> labels = nodes.get("ts-" + name).getMetadata().getLabels();
            for (JsonNode r : config.at("/sharing/timeSlicing/resources")) {
                String advertised = advertisedName(r.get("name").asString(), config.at("/sharing/timeSlicing"));
                assertThat(GpuShares.sharing(advertised, labels)).isEqualTo(Sharing.TIME_SLICED);
                assertThat(GpuShares.share(advertised, labels)).as(name + ": " + advertised)
                        .isEqualByComparingTo(expectedShare(r.get("name").asString(), r.get("replicas").asInt()));
            }
        });
    }

    @Test
    void aRenamedTimeSlicedMigSliceWouldBeMispricedWhichIsWhyNoConfigurationSharesOne() {
        // the simulation has teeth: renameByDefault on a MIG resource advertises
        // nvidia.com/mig-1g.10gb.shared while GFD labels nvidia.com/mig-1g.10gb.replicas
        JsonNode bad = YAML.readTree("""
                version: v1
                flags: {migStrategy: mixed}
                sharing:
                  timeSlicing:
                    renameByDefault: true
                    resources: [{name: nvidia.com/mig-1g.10gb, replicas: 2}]
                """);
        assertThat(devicePluginConfigProblems(bad, "mixed")).singleElement().satisfies(p -> assertThat(p).contains("nvidia.com/mig-1g.10gb"));
        Node node = simulateNode("renamed", new GpuShape("NVIDIA-A100-SXM4-80GB", 81_920, 1, Map.of("1g.10gb", 7)), bad);
        String advertised = "nvidia.com/mig-1g.10gb.shared";
        assertThat(node.getStatus().getCapacity()).containsKey(advertised);
        assertThat(GpuShares.share(advertised, node.getMetadata().getLabels())).as("billed as a whole GPU, not 1/14")
                .isEqualByComparingTo("1").isNotEqualByComparingTo(expectedShare("nvidia.com/mig-1g.10gb", 2));

        JsonNode ok = YAML.readTree(bad.toString().replace("\"renameByDefault\":true", "\"renameByDefault\":false"));
        assertThat(devicePluginConfigProblems(ok, "mixed")).isEmpty();
        Node fine = simulateNode("kept", new GpuShape("NVIDIA-A100-SXM4-80GB", 81_920, 1, Map.of("1g.10gb", 7)), ok);
        assertThat(GpuShares.share("nvidia.com/mig-1g.10gb", fine.getMetadata().getLabels())).isEqualByComparingTo(expectedShare("nvidia.com/mig-1g.10gb", 2));
    }

    /**
     * The device plugin's own rules for a configuration (k8s-device-plugin v0.20.0,
     * api/config/v1), plus trainops's: every shared resource is one trainops prices, and a MIG
     * resource is not renamed.
     */
    static List<String> devicePluginConfigProblems(JsonNode config, String migStrategy) {
        List<String> problems = new ArrayList<>();
        if (!"v1".equals(config.path("version").asString())) {
            problems.add("version must be v1");
        }
        unknownKeys("", config, Set.of("version", "flags", "resources", "sharing", "imex"), problems);
        if (!migStrategy.equals(config.at("/flags/migStrategy").asString())) {
            problems.add("flags.migStrategy must be the chart's mig.strategy, " + migStrategy);
        }
        JsonNode sharing = config.path("sharing");
        unknownKeys("sharing", sharing, Set.of("timeSlicing"), problems);
        JsonNode ts = sharing.path("timeSlicing");
        if (ts.isMissingNode()) {
            return problems;
        }
        unknownKeys("sharing.timeSlicing", ts, Set.of("renameByDefault", "failRequestsGreaterThanOne", "resources"), problems);
        if (!ts.path("resources").isArray() || ts.path("resources").isEmpty()) {
            problems.add("sharing.timeSlicing.resources: the device plugin refuses a timeSlicing with no resources");
        }
        for (JsonNode r : ts.path("resources")) {
            String name = r.path("name").asString("");
            unknownKeys("resource " + name, r, Set.of("name", "replicas", "devices"), problems);
            if (!r.path("replicas").isIntegralNumber() || r.path("replicas").asInt() < 2) {
                problems.add(name + ": replicas must be an integer >= 2");
            }
            if (r.has("devices") && !"all".equals(r.get("devices").asString(""))) {
                problems.add(name + ": the device plugin ignores a devices list in its config; leave it out");
            }
            boolean mig = name.startsWith(KubeNames.MIG_RESOURCE_PREFIX);
            if (!name.equals(KubeNames.GPU_RESOURCE) && !(mig && GpuTypes.isMigProfile(name.substring(KubeNames.MIG_RESOURCE_PREFIX.length())))) {
                problems.add(name + ": not a resource trainops prices");
            }
            if (mig && ts.path("renameByDefault").asBoolean(false)) {
                problems.add(name + ": renamed to " + name + ".shared it no longer names its MIG profile to trainops");
            }
        }
        return problems;
    }

    static void unknownKeys(String where, JsonNode node, Set<String> known, List<String> problems) {
        for (String key : node.propertyNames()) {
            if (!known.contains(key)) {
                problems.add((where.isEmpty() ? "" : where + ".") + key + ": not a key the device plugin reads (or one trainops uses)");
            }
        }
    }

    static String advertisedName(String resource, JsonNode timeSlicing) {
        return timeSlicing.path("renameByDefault").asBoolean(false) ? resource + ".shared" : resource;
    }

    static BigDecimal expectedShare(String resource, int replicas) {
        int slices = 7;
        int used = 7;
        if (resource.startsWith(KubeNames.MIG_RESOURCE_PREFIX)) {
            used = Integer.parseInt(resource.substring(KubeNames.MIG_RESOURCE_PREFIX.length()).replaceFirst("g\\..*", ""));
        }
        return BigDecimal.valueOf(used).divide(BigDecimal.valueOf((long) slices * replicas), 12, RoundingMode.HALF_EVEN);
    }

    /** A node's GPUs: {@code migDevices} (profile -> slices per GPU) empty for whole GPUs. */
    record GpuShape(String product, long memoryMib, int gpus, Map<String, Integer> migDevices) {
    }

    /**
     * The node labels and capacity GPU Feature Discovery and the device plugin produce for a
     * configuration, as k8s-device-plugin v0.20.0 does (internal/lm/resource.go, mig-strategy.go):
     * labels are keyed by the resource's own name ({@code <name>.replicas}, {@code .product},
     * {@code .count}, {@code .sharing-strategy}); a renamed resource is advertised as
     * {@code <name>.shared} and its product gets no -SHARED suffix; a MIG-enabled GPU's full-GPU
     * labels carry no sharing (replicas 0).
     */
    static Node simulateNode(String name, GpuShape shape, JsonNode config) {
        JsonNode ts = config.at("/sharing/timeSlicing");
        boolean rename = ts.path("renameByDefault").asBoolean(false);
        Map<String, Integer> replicasOf = new LinkedHashMap<>();
        for (JsonNode r : ts.path("resources")) {
            replicasOf.put(r.get("name").asString(), r.get("replicas").asInt());
        }
        Map<String, String> labels = new TreeMap<>();
        Map<String, Integer> capacity = new TreeMap<>();
        String strategy = config.at("/flags/migStrategy").asString("none");
        labels.put(KubeNames.LABEL_MIG_STRATEGY, strategy);
        labels.put(KubeNames.LABEL_GPU_MEMORY_MIB, Long.toString(shape.memoryMib()));
        labels.put(KubeNames.LABEL_GPU_COUNT, Integer.toString(shape.gpus()));
        boolean migEnabled = !shape.migDevices().isEmpty();
        if (migEnabled) {
            labels.put(KubeNames.LABEL_GPU_PRODUCT, shape.product());
            labels.put(KubeNames.LABEL_GPU_REPLICAS, "0");
            labels.put(KubeNames.LABEL_GPU_SHARING_STRATEGY, "none");
            labels.put(KubeNames.LABEL_MIG_CAPABLE, "true");
            shape.migDevices().forEach((profile, perGpu) -> {
                String resource = KubeNames.MIG_RESOURCE_PREFIX + profile;
                int replicas = replicasOf.getOrDefault(resource, 1);
                int count = perGpu * shape.gpus();
                labels.put(resource + ".count", Integer.toString(count));
                labels.put(resource + ".replicas", Integer.toString(replicas));
                labels.put(resource + ".sharing-strategy", replicas > 1 ? "time-slicing" : "none");
                labels.put(resource + ".product", shape.product() + "-MIG-" + profile + (replicas > 1 && !rename ? "-SHARED" : ""));
                labels.put(resource + ".memory", Long.toString(Long.parseLong(profile.replaceFirst(".*\\.", "").replace("gb", "")) * 1024));
                capacity.put(replicas > 1 && rename ? resource + ".shared" : resource, count * replicas);
            });
        } else {
            int replicas = replicasOf.getOrDefault(KubeNames.GPU_RESOURCE, 1);
            labels.put(KubeNames.LABEL_GPU_PRODUCT, shape.product() + (replicas > 1 && !rename ? "-SHARED" : ""));
            labels.put(KubeNames.LABEL_GPU_REPLICAS, Integer.toString(replicas));
            labels.put(KubeNames.LABEL_GPU_SHARING_STRATEGY, replicas > 1 ? "time-slicing" : "none");
            capacity.put(replicas > 1 && rename ? KubeNames.GPU_SHARED_RESOURCE : KubeNames.GPU_RESOURCE, shape.gpus() * replicas);
        }
        return ClusterFixtures.node(name, labels, capacity);
    }

    /** The GPU nodes as trainops's inventory reads them from an API server holding {@code nodes}. */
    static Map<String, GpuAvailability.NodeView> inventory(Collection<Node> nodes) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (CrudMockServer mock = new CrudMockServer()) {
            nodes.forEach(n -> mock.client().resource(n).create());
            ClusterIndex index = new ClusterIndex(clock).start(mock.client());
            try {
                assertThat(index.awaitSynced(Duration.ofSeconds(30))).as("the informers synced").isTrue();
                GpuInventory inventory = new GpuInventory(index, GpuUtilization.UNKNOWN, clock, Duration.ofSeconds(10));
                GpuAvailability a = inventory.availability(new GpuAvailabilityRequest(null, null, null, 1024));
                return a.nodes().stream().collect(Collectors.toMap(GpuAvailability.NodeView::name, n -> n));
            } finally {
                index.close();
            }
        }
    }

    // ---------------------------------------------------------------- MIG

    @Test
    void theKnownGpuTableAgreesWithNvidiasMigConfigurationsAndTrainopsGpuTypes() {
        JsonNode nvidia = nvidiaMigConfigs();
        for (KnownGpu g : KNOWN_GPUS) {
            assertThat(GpuTypes.canonical(g.product(), g.memoryMib())).as(g.product()).isEqualTo(g.gpuType());
            assertThat(GpuSpecs.memoryMib(g.gpuType())).isEqualTo(g.memoryMib());
            // NVIDIA's all-balanced entry for this device uses exactly the profiles trainops has for its type
            JsonNode balanced = entriesFor(nvidia.get("all-balanced"), g.deviceId()).get(0);
            assertThat(balanced.get("mig-devices").propertyNames()).as(g.deviceId())
                    .containsExactlyInAnyOrderElementsOf(GpuSpecs.migProfiles(g.gpuType()).stream().map(GpuSpecs.MigProfile::name).toList());
        }
    }

    @Test
    void everyMigProfileIsOneTrainopsKnowsForAGpuItKnowsEachShapeFitsAndNvidiaOffersIt() {
        ConfigMap cm = configMap(built(), yaml(GPU.resolve("gpu-operator-values.yaml")).at("/migManager/config/name").asString());
        JsonNode config = YAML.readTree(cm.getData().get("config.yaml"));
        assertThat(config.path("version").asString()).isEqualTo("v1");
        assertThat(config.propertyNames()).containsExactlyInAnyOrder("version", "mig-configs");
        JsonNode configs = config.get("mig-configs");
        assertThat(configs.propertyNames()).contains("all-disabled", "all-balanced", "all-1g", "all-2g", "all-3g");
        List<String> problems = migConfigProblems(configs);
        assertThat(problems).isEmpty();

        // every known GPU is covered by every MIG-enabling configuration
        for (String name : configs.propertyNames()) {
            List<JsonNode> enabling = new ArrayList<>();
            configs.get(name).forEach(e -> {
                if (e.path("mig-enabled").asBoolean()) {
                    enabling.add(e);
                }
            });
            if (!enabling.isEmpty()) {
                Set<String> covered = new LinkedHashSet<>();
                enabling.forEach(e -> covered.addAll(deviceFilter(e)));
                assertThat(covered).as(name).containsExactlyInAnyOrderElementsOf(KNOWN_GPUS.stream().map(KnownGpu::deviceId).toList());
            }
        }
        // the largest slices trainops places
        assertThat(configs.get("all-3g").findValues("mig-devices")).allSatisfy(d -> assertThat(d.propertyNames()).allMatch(p -> p.startsWith("3g.")));
        for (KnownGpu g : KNOWN_GPUS) {
            assertThat(GpuSpecs.migProfiles(g.gpuType())).extracting(GpuSpecs.MigProfile::slices).allMatch(s -> s <= 3);
        }

        // the check can fail: a profile trainops does not know, a shape that does not fit, an unknown GPU
        JsonNode bad = YAML.readTree("""
                over:
                  - device-filter: ["0x233010DE"]
                    devices: all
                    mig-enabled: true
                    mig-devices: {"3g.40gb": 3}
                unknown:
                  - device-filter: ["0x233010DE"]
                    devices: all
                    mig-enabled: true
                    mig-devices: {"4g.40gb": 1}
                nofilter:
                  - devices: all
                    mig-enabled: true
                    mig-devices: {"1g.10gb": 7}
                """);
        assertThat(String.join("\n", migConfigProblems(bad))).contains("over", "9 of 7 compute slices", "unknown", "4g.40gb", "nofilter", "device-filter");
    }

    @Test
    void eachMigConfigurationReadsBackAsPoolsTrainopsPlacesAndBillsAtMostTheNodesGpus() {
        JsonNode values = yaml(GPU.resolve("gpu-operator-values.yaml"));
        JsonNode configs = YAML.readTree(configMap(built(), values.at("/migManager/config/name").asString()).getData().get("config.yaml")).get("mig-configs");
        JsonNode plugin = YAML.readTree(configMap(built(), values.at("/devicePlugin/config/name").asString())
                .getData().get(values.at("/devicePlugin/config/default").asString()));
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> shapes = new LinkedHashMap<>();
        for (String name : configs.propertyNames()) {
            for (JsonNode entry : configs.get(name)) {
                if (!entry.path("mig-enabled").asBoolean()) {
                    continue;
                }
                for (String id : deviceFilter(entry)) {
                    KnownGpu g = known(id);
                    Map<String, Integer> perGpu = new TreeMap<>();
                    entry.get("mig-devices").properties().forEach(e -> perGpu.put(e.getKey(), e.getValue().asInt()));
                    // one node of 8 GPUs per configuration and GPU type (devices of one type get the same entry)
                    String node = (name + "-" + g.gpuType()).toLowerCase();
                    if (!nodes.containsKey(node)) {
                        nodes.put(node, simulateNode(node, new GpuShape(g.product(), g.memoryMib(), 8, perGpu), plugin));
                        shapes.put(node, perGpu);
                    }
                    assertThat(shapes.get(node)).as(name + " on " + id).isEqualTo(perGpu);
                }
            }
        }
        Map<String, GpuAvailability.NodeView> seen = inventory(nodes.values());
        assertThat(seen).containsOnlyKeys(nodes.keySet());
        assertThat(seen.get("all-1g-h100").resources()).singleElement().satisfies(r -> {
            assertThat(r.resourceName()).isEqualTo("nvidia.com/mig-1g.10gb");
            assertThat(r.capacity()).isEqualTo(56);
        });
        seen.forEach((node, view) -> {
            assertThat(view.migStrategy()).isEqualTo("mixed");
            Map<String, Integer> perGpu = shapes.get(node);
            assertThat(view.resources()).as(node).hasSize(perGpu.size()).allSatisfy(r -> {
                assertThat(r.sharing()).isEqualTo(Sharing.MIG);
                assertThat(r.resourceName()).isEqualTo(KubeNames.MIG_RESOURCE_PREFIX + r.migProfile());
                assertThat(r.capacity()).isEqualTo(8L * perGpu.get(r.migProfile()));
                GpuSpecs.MigProfile p = GpuSpecs.migProfiles(view.gpuType()).stream().filter(x -> x.name().equals(r.migProfile())).findFirst().orElseThrow();
                assertThat(r.memoryMibPerUnit()).isEqualTo(p.memoryMib());
            });
            BigDecimal billed = BigDecimal.ZERO;
            for (GpuAvailability.Resource r : view.resources()) {
                billed = billed.add(GpuShares.share(r.resourceName(), nodes.get(node).getMetadata().getLabels()).multiply(BigDecimal.valueOf(r.capacity())));
            }
            assertThat(billed).as(node + ": every slice busy bills at most its 8 GPUs").isLessThanOrEqualTo(BigDecimal.valueOf(8));
        });
    }

    /** What is wrong with MIG configurations (mig-parted format) for trainops. */
    static List<String> migConfigProblems(JsonNode configs) {
        JsonNode nvidia = nvidiaMigConfigs();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> c : configs.properties()) {
            String name = c.getKey();
            for (JsonNode entry : c.getValue()) {
                for (String key : entry.propertyNames()) {
                    if (!Set.of("device-filter", "devices", "mig-enabled", "mig-devices").contains(key)) {
                        problems.add(name + ": " + key + " is not a mig-parted key");
                    }
                }
                JsonNode devices = entry.path("devices");
                if (!("all".equals(devices.asString("")) || devices.isArray())) {
                    problems.add(name + ": devices must be all or a list of GPU indices");
                }
                if (!entry.path("mig-enabled").asBoolean(false)) {
                    if (!entry.path("mig-devices").isEmpty()) {
                        problems.add(name + ": mig-devices on a MIG-disabled entry");
                    }
                    continue;
                }
                List<String> ids = deviceFilter(entry);
                if (ids.isEmpty()) {
                    problems.add(name + ": a MIG-enabled entry needs a device-filter naming the GPUs its profiles are for");
                }
                Map<String, Integer> shape = new TreeMap<>();
                entry.path("mig-devices").properties().forEach(e -> shape.put(e.getKey(), e.getValue().asInt()));
                for (String id : ids) {
                    KnownGpu g = KNOWN_GPUS.stream().filter(k -> k.deviceId().equalsIgnoreCase(id)).findFirst().orElse(null);
                    if (g == null) {
                        problems.add(name + ": device " + id + " is not a GPU trainops knows");
                        continue;
                    }
                    Map<String, GpuSpecs.MigProfile> profiles = GpuSpecs.migProfiles(g.gpuType()).stream()
                            .collect(Collectors.toMap(GpuSpecs.MigProfile::name, p -> p));
                    int compute = 0;
                    long memoryEighths = 0;
                    for (Map.Entry<String, Integer> s : shape.entrySet()) {
                        GpuSpecs.MigProfile p = profiles.get(s.getKey());
                        if (p == null) {
                            problems.add(name + ": " + s.getKey() + " is not a MIG profile trainops knows for " + g.gpuType() + " (" + profiles.keySet() + ")");
                            continue;
                        }
                        compute += p.slices() * s.getValue();
                        // MIG memory comes in eighths of the GPU's: 1g takes 1, 2g 2, 3g 4
                        memoryEighths += Math.round(p.memoryMib() * 8.0 / g.memoryMib()) * s.getValue();
                    }
                    if (compute > 7) {
                        problems.add(name + ": " + compute + " of 7 compute slices on " + g.gpuType());
                    }
                    if (memoryEighths > 8) {
                        problems.add(name + ": " + memoryEighths + " of 8 memory slices on " + g.gpuType());
                    }
                    if (!nvidiaOffers(nvidia, g, shape)) {
                        problems.add(name + ": NVIDIA's default MIG configurations offer no " + shape + " on " + id + " (" + g.gpuType() + ")");
                    }
                }
            }
        }
        return problems;
    }

    /** Whether one of NVIDIA's default MIG configurations (gpu-operator v26.7.0) makes this shape on this GPU. */
    static boolean nvidiaOffers(JsonNode nvidia, KnownGpu g, Map<String, Integer> shape) {
        Set<String> typeProfiles = GpuSpecs.migProfiles(g.gpuType()).stream().map(GpuSpecs.MigProfile::name).collect(Collectors.toSet());
        for (JsonNode config : nvidia.values()) {
            for (JsonNode entry : config) {
                Map<String, Integer> theirs = new TreeMap<>();
                entry.path("mig-devices").properties().forEach(e -> theirs.put(e.getKey(), e.getValue().asInt()));
                List<String> filter = deviceFilter(entry);
                boolean forThisGpu = filter.isEmpty() ? typeProfiles.containsAll(theirs.keySet()) : filter.stream().anyMatch(id -> id.equalsIgnoreCase(g.deviceId()));
                if (forThisGpu && theirs.equals(shape) && "all".equals(entry.path("devices").asString(""))) {
                    return true;
                }
            }
        }
        return false;
    }

    static JsonNode nvidiaMigConfigs() {
        JsonNode cm = YAML.readTree(resource("assets-default-mig-parted-config.yaml"));
        return YAML.readTree(cm.at("/data/config.yaml").asString()).get("mig-configs");
    }

    static List<JsonNode> entriesFor(JsonNode config, String deviceId) {
        List<JsonNode> out = new ArrayList<>();
        config.forEach(e -> {
            if (deviceFilter(e).stream().anyMatch(id -> id.equalsIgnoreCase(deviceId))) {
                out.add(e);
            }
        });
        assertThat(out).as("an entry for " + deviceId).isNotEmpty();
        return out;
    }

    static List<String> deviceFilter(JsonNode entry) {
        JsonNode f = entry.path("device-filter");
        List<String> out = new ArrayList<>();
        if (f.isArray()) {
            f.forEach(x -> out.add(x.asString()));
        } else if (f.isString()) {
            out.add(f.asString());
        }
        return out;
    }

    static KnownGpu known(String id) {
        return KNOWN_GPUS.stream().filter(k -> k.deviceId().equalsIgnoreCase(id)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- DCGM exporter

    @Test
    void theExportersSeriesCarryTheLabelsTrainopsSelectsOnSoAJobsUtilisationIsItsOwn() throws Exception {
        JsonNode values = yaml(GPU.resolve("gpu-operator-values.yaml"));
        JsonNode monitor = values.at("/dcgmExporter/serviceMonitor");
        assertThat(monitor.path("honorLabels").asBoolean()).isTrue();

        // the operator's exporter maps GPUs to pods and names the node; nothing in our values undoes it
        JsonNode serviceMonitor = YAML.readTree(resource("assets-dcgm-exporter-service-monitor.yaml"));
        assertThat(serviceMonitor.path("apiVersion").asString() + " " + serviceMonitor.path("kind").asString())
                .as("a Prometheus Operator resource: install kube-prometheus-stack first").isEqualTo("monitoring.coreos.com/v1 ServiceMonitor");
        assertThat(monitor.path("interval").asString()).isEqualTo("15s");
        assertThat(monitor.at("/additionalLabels/release").asString()).isEqualTo("kube-prometheus-stack");
        JsonNode daemonSet = YAML.readTree(resource("assets-dcgm-exporter-daemonset.yaml"));
        Map<String, JsonNode> env = new LinkedHashMap<>();
        daemonSet.at("/spec/template/spec/containers/0/env").forEach(e -> env.put(e.get("name").asString(), e));
        assertThat(env.get("DCGM_EXPORTER_KUBERNETES").get("value").asString()).isEqualTo("true");
        assertThat(env.get("NODE_NAME").at("/valueFrom/fieldRef/fieldPath").asString()).isEqualTo("spec.nodeName");
        assertThat(daemonSet.at("/spec/template/spec/containers/0/securityContext/privileged").asBoolean())
                .as("why the namespace admits privileged pods").isTrue();
        for (JsonNode e : values.at("/dcgmExporter/env")) {
            assertThat(e.get("name").asString()).isNotIn("DCGM_EXPORTER_KUBERNETES", "DCGM_EXPORTER_USE_OLD_NAMESPACE", "NODE_NAME");
        }

        // the per-pod trainops labels: exactly trainops's team, job id and attempt labels
        List<Pattern> allow = new ArrayList<>();
        for (JsonNode r : values.at("/dcgmExporter/podLabelAllowlistRegex")) {
            assertThat(r.asString()).as("the operator joins the list with commas").doesNotContain(",");
            allow.add(Pattern.compile(r.asString()));
        }
        assertThat(values.at("/dcgmExporter/enablePodLabels").asBoolean()).isTrue();
        for (String label : List.of(KubeNames.LABEL_TEAM, KubeNames.LABEL_JOB_ID, KubeNames.LABEL_ATTEMPT)) {
            assertThat(allow).as(label).anyMatch(p -> p.matcher(label).find());
        }
        for (String label : List.of(KubeNames.LABEL_RUN_NAME, KubeNames.LABEL_MODEL, "app", "controller-uid", "batch.kubernetes.io/job-name", "kueue.x-k8s.io/queue-name")) {
            assertThat(allow).as(label).noneMatch(p -> p.matcher(label).find());
        }

        String node = "gpu-node-1";
        String pod = "tj-7f3a9c-1-x2k9d";
        Map<String, String> podLabels = Map.of(KubeNames.LABEL_TEAM, "team-a", KubeNames.LABEL_JOB_ID, "tj-7f3a9c", KubeNames.LABEL_ATTEMPT, "1",
                KubeNames.LABEL_RUN_NAME, "llama-ft", "batch.kubernetes.io/job-name", "tj-7f3a9c-1");
        List<Series> honoured = scrape(values, monitor.path("honorLabels").asBoolean(), node, "team-a", pod, podLabels, allow);
        assertThat(honoured).first().satisfies(s -> assertThat(s.labels())
                .containsEntry("namespace", "team-a").containsEntry("pod", pod).containsEntry("hostname", node).containsEntry("node", node)
                .containsEntry("trainops_dev_job_id", "tj-7f3a9c").containsEntry("trainops_dev_team", "team-a")
                .doesNotContainKeys("trainops_dev_run_name", "batch_kubernetes_io_job_name"));

        try (FakePrometheus prometheus = new FakePrometheus(honoured)) {
            PrometheusClient client = new PrometheusClient(new PrometheusClient.Config(prometheus.url(), null, Duration.ofSeconds(5)));
            DcgmUtilization utilization = new DcgmUtilization(client, Clock.fixed(NOW, ZoneOffset.UTC));
            utilization.refresh();
            assertThat(utilization.podPercent("team-a", pod)).hasValue(87.5);
            assertThat(utilization.node(node).percent()).hasValue(87.5);
            assertThat(utilization.node(node).memoryRatio()).isPresent();

            JobContext job = new JobContext("tj-7f3a9c", "llama-ft", "llama", "team-a", "NORMAL", "H100", 1, 1, 8, false, null, "RUNNING", Map.of());
            assertThat(new DcgmJobGpuUsage(client).of(job, NOW.minusSeconds(3600), NOW))
                    .hasValueSatisfying(m -> assertThat(m.meanPercent()).isEqualTo(87.5));

            // the exporter collects by default every metric trainops asks for
            Set<String> csv = new LinkedHashSet<>();
            for (String line : resource("dcgm-exporter-dcp-metrics-included.csv").split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    csv.add(line.split(",")[0].trim());
                }
            }
            assertThat(prometheus.metricsAsked()).isNotEmpty().isSubsetOf(csv);
        }

        // the check can fail: without honorLabels the workload's labels become exported_*, and the
        // exporter's own pod is what trainops's per-pod reading sees
        List<Series> renamed = scrape(values, false, node, "team-a", pod, podLabels, allow);
        assertThat(renamed.get(0).labels()).containsEntry("exported_pod", pod).containsEntry("exported_namespace", "team-a")
                .containsEntry("namespace", NAMESPACE).hasEntrySatisfying("pod", p -> assertThat(p).startsWith("nvidia-dcgm-exporter-"));
        try (FakePrometheus prometheus = new FakePrometheus(renamed)) {
            PrometheusClient client = new PrometheusClient(new PrometheusClient.Config(prometheus.url(), null, Duration.ofSeconds(5)));
            DcgmUtilization utilization = new DcgmUtilization(client, Clock.fixed(NOW, ZoneOffset.UTC));
            utilization.refresh();
            assertThat(utilization.podPercent("team-a", pod)).isEmpty();
        }
    }

    record Series(Map<String, String> labels, double value) {
    }

    /**
     * The series Prometheus stores from the operator's DCGM exporter on {@code node} while one GPU
     * runs {@code pod}: the exporter's own labels (dcgm-exporter's render template: gpu, UUID,
     * device, modelName, hostname; with Kubernetes mapping pod, namespace, container, pod_uid and
     * the allowlisted pod labels, sanitised to [a-zA-Z0-9_]), merged with the scrape target's
     * labels from the operator's Service and ServiceMonitor as Prometheus does (honor_labels:
     * the scraped label wins; otherwise it is kept as exported_<name>), after our relabelings.
     */
    static List<Series> scrape(JsonNode values, boolean honorLabels, String node, String namespace, String pod, Map<String, String> podLabels,
                               List<Pattern> allow) {
        JsonNode service = YAML.readTree(resource("assets-dcgm-exporter-service.yaml"));
        JsonNode monitor = YAML.readTree(resource("assets-dcgm-exporter-service-monitor.yaml"));
        String exporterPod = "nvidia-dcgm-exporter-q8w4z";
        Map<String, String> target = new LinkedHashMap<>();
        target.put("job", service.at("/metadata/labels").get(monitor.at("/spec/jobLabel").asString()).asString());
        target.put("instance", "10.42.0.17:" + service.at("/spec/ports/0/port").asInt());
        target.put("namespace", NAMESPACE);
        target.put("service", service.at("/metadata/name").asString());
        target.put("pod", exporterPod);
        target.put("container", "nvidia-dcgm-exporter");
        target.put("endpoint", monitor.at("/spec/endpoints/0/port").asString());
        target.put("__meta_kubernetes_pod_node_name", node);
        target.put("__meta_kubernetes_pod_name", exporterPod);
        for (JsonNode r : values.at("/dcgmExporter/serviceMonitor/relabelings")) {
            String action = r.path("action").asString("replace").toLowerCase();
            assertThat(action).as("the relabelings this model applies").isEqualTo("replace");
            List<String> sources = new ArrayList<>();
            r.path("sourceLabels").forEach(s -> sources.add(target.getOrDefault(s.asString(), "")));
            Matcher m = Pattern.compile(r.path("regex").asString("(.*)")).matcher(String.join(r.path("separator").asString(";"), sources));
            if (m.matches()) {
                String replacement = r.path("replacement").asString("$1");
                target.put(r.get("targetLabel").asString(), m.replaceFirst(replacement.replaceAll("\\$\\{?(\\d+)}?", "\\$$1")));
            }
        }
        target.keySet().removeIf(k -> k.startsWith("__"));

        List<Series> out = new ArrayList<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("DCGM_FI_DEV_GPU_UTIL", 87.5);
        metrics.put("DCGM_FI_DEV_FB_USED", 61_440.0);
        metrics.put("DCGM_FI_DEV_FB_FREE", 20_119.0);
        for (var metric : metrics.entrySet()) {
            Map<String, String> scraped = new LinkedHashMap<>();
            scraped.put("__name__", metric.getKey());
            scraped.put("gpu", "0");
            scraped.put("UUID", "GPU-5c1b0e2a-9d7f-4c1e-8a53-0f6f3a1e2b7c");
            scraped.put("pci_bus_id", "00000000:18:00.0");
            scraped.put("device", "nvidia0");
            scraped.put("modelName", "NVIDIA H100 80GB HBM3");
            scraped.put("hostname", node);
            scraped.put("pod", pod);
            scraped.put("namespace", namespace);
            scraped.put("container", "trainer");
            scraped.put("pod_uid", "9b2f8f8e-2f5d-4c57-bb1e-7a4f7d1c2e11");
            podLabels.forEach((k, v) -> {
                if (allow.stream().anyMatch(p -> p.matcher(k).find())) {
                    scraped.put(k.replaceAll("[^a-zA-Z0-9_]", "_"), v);
                }
            });
            Map<String, String> stored = new LinkedHashMap<>(scraped);
            target.forEach((k, v) -> {
                if (!stored.containsKey(k)) {
                    stored.put(k, v);
                } else if (!honorLabels) {
                    stored.put("exported_" + k, stored.get(k));
                    stored.put(k, v);
                }
            });
            out.add(new Series(stored, metric.getValue()));
        }
        return out;
    }

    /**
     * Prometheus's instant-query API over fixed series, enough for trainops's queries: a bare
     * metric name returns its series; otherwise every {@code METRIC{label="v",label=~"re"}}
     * selector in the query is matched and the query answers the mean of what matched (or nothing).
     */
    static final class FakePrometheus implements AutoCloseable {
        private static final Pattern SELECTOR = Pattern.compile("(\\w+)\\{([^}]*)}");
        private static final Pattern MATCHER = Pattern.compile("(\\w+)(=~|=)\"([^\"]*)\"");
        private final com.sun.net.httpserver.HttpServer server;
        private final Set<String> metricsAsked = java.util.concurrent.ConcurrentHashMap.newKeySet();

        FakePrometheus(List<Series> series) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/api/v1/query", exchange -> {
                String raw = exchange.getRequestURI().getRawQuery();
                String query = "";
                for (String part : raw.split("&")) {
                    if (part.startsWith("query=")) {
                        query = java.net.URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8);
                    }
                }
                List<Series> result = answer(query, series);
                StringBuilder body = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
                for (int i = 0; i < result.size(); i++) {
                    body.append(i == 0 ? "" : ",").append("{\"metric\":{");
                    body.append(result.get(i).labels().entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").collect(Collectors.joining(",")));
                    body.append("},\"value\":[").append(NOW.getEpochSecond()).append(",\"").append(result.get(i).value()).append("\"]}");
                }
                body.append("]}}");
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
        }

        private List<Series> answer(String query, List<Series> series) {
            if (query.matches("\\w+")) {
                metricsAsked.add(query);
                return series.stream().filter(s -> query.equals(s.labels().get("__name__"))).toList();
            }
            List<Double> matched = new ArrayList<>();
            Matcher selector = SELECTOR.matcher(query);
            while (selector.find()) {
                String metric = selector.group(1);
                metricsAsked.add(metric);
                Map<String, String> equal = new LinkedHashMap<>();
                Map<String, Pattern> regex = new LinkedHashMap<>();
                Matcher m = MATCHER.matcher(selector.group(2));
                while (m.find()) {
                    if (m.group(2).equals("=")) {
                        equal.put(m.group(1), m.group(3));
                    } else {
                        regex.put(m.group(1), Pattern.compile(m.group(3)));
                    }
                }
                for (Series s : series) {
                    boolean ok = metric.equals(s.labels().get("__name__"))
                            && equal.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey())))
                            && regex.entrySet().stream().allMatch(e -> s.labels().get(e.getKey()) != null && e.getValue().matcher(s.labels().get(e.getKey())).matches());
                    if (ok) {
                        matched.add(s.value());
                    }
                }
            }
            if (matched.isEmpty()) {
                return List.of();
            }
            return List.of(new Series(Map.of(), matched.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        Set<String> metricsAsked() {
            return metricsAsked;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The objects {@code kubectl kustomize deploy/gpu} builds, by kind/name, each as its fabric8 model. */
    static Map<String, HasMetadata> built() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        Map<String, HasMetadata> out = new LinkedHashMap<>();
        for (String doc : Manifests.build(GPU).split("(?m)^---$")) {
            if (doc.isBlank()) {
                continue;
            }
            HasMetadata o = serialization.unmarshal(doc);
            out.put(o.getKind() + "/" + o.getMetadata().getName(), o);
        }
        return out;
    }

    static ConfigMap configMap(Map<String, HasMetadata> built, String name) {
        HasMetadata o = built.get("ConfigMap/" + name);
        assertThat(o).as("the kustomization builds ConfigMap " + name).isInstanceOf(ConfigMap.class);
        return (ConfigMap) o;
    }

    static JsonNode yaml(Path file) {
        return YAML.readTree(file.toFile());
    }

    static JsonNode at(JsonNode root, String dottedPath) {
        JsonNode n = root;
        for (String part : dottedPath.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    static String resource(String name) {
        try (InputStream in = GpuStackTest.class.getResourceAsStream("/gpu-operator/" + name)) {
            assertThat(in).as("test resource gpu-operator/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
