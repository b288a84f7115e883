package dev.trainops.app.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resources the sandbox's API server holds, as discovery describes them: a fixed table of the built-in kinds the
 * demo cluster and trainops use (what {@code config/sandbox/cluster.yaml} seeds, what the control loop, the
 * controllers and the Lease election write), and one entry per version of every CRD installed in it (the trainops
 * CRDs, and any other a test or a user creates, such as Kueue's). fabric8's mock stores any kind; these are the ones
 * kubectl is told about.
 */
final class ApiResources {
    /** The verbs of a resource the mock serves in CRUD mode (it has no server-side apply; see {@link ApiServerDispatcher}). */
    static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");
    private static final KubernetesSerialization SCHEMAS = new KubernetesSerialization();

    /**
     * One resource of one group version.
     *
     * @param group      "" for the core group
     * @param status     whether it has a {@code status} subresource
     * @param schema     the OpenAPI v3 schema of its objects (from its CRD), or null for a built-in kind
     */
    record ApiResource(String group, String version, String plural, String singular, String kind, boolean namespaced,
                       List<String> shortNames, List<String> categories, boolean status, Map<String, Object> schema) {
        ApiResource {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(plural, "plural");
            Objects.requireNonNull(kind, "kind");
            shortNames = List.copyOf(shortNames);
            categories = List.copyOf(categories);
            schema = schema == null ? null : java.util.Collections.unmodifiableMap(schema);
        }

        /** {@code v1} for the core group, else {@code group/version}, as apiVersion and discovery write it. */
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private static final List<ApiResource> BUILT_IN = List.of(
            core("namespaces", "Namespace", false, List.of("ns"), true),
            core("nodes", "Node", false, List.of("no"), true),
            core("pods", "Pod", true, List.of("po"), true, "all"),
            core("events", "Event", true, List.of("ev"), false),
            core("resourcequotas", "ResourceQuota", true, List.of("quota"), true),
            core("limitranges", "LimitRange", true, List.of("limits"), false),
            core("persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), true),
            core("configmaps", "ConfigMap", true, List.of("cm"), false),
            core("secrets", "Secret", true, List.of(), false),
            core("services", "Service", true, List.of("svc"), true, "all"),
            core("serviceaccounts", "ServiceAccount", true, List.of("sa"), false),
            core("podtemplates", "PodTemplate", true, List.of(), false),
            builtIn("batch", "v1", "jobs", "Job", true, List.of(), true, "all"),
            builtIn("coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), false),
            builtIn("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, List.of("pc"), false),
            builtIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, List.of("crd", "crds"), true),
            builtIn("events.k8s.io", "v1", "events", "Event", true, List.of("ev"), false));

    private ApiResources() {
    }

    private static ApiResource core(String plural, String kind, boolean namespaced, List<String> shortNames, boolean status,
                                    String... categories) {
        return builtIn("", "v1", plural, kind, namespaced, shortNames, status, categories);
    }

    private static ApiResource builtIn(String group, String version, String plural, String kind, boolean namespaced,
                                       List<String> shortNames, boolean status, String... categories) {
        return new ApiResource(group, version, plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced, shortNames,
                List.of(categories), status, null);
    }

    /** The built-in kinds, then every served version of every CRD in {@code crds} (a CRD that would shadow a built-in is left out). */
    static List<ApiResource> of(List<CustomResourceDefinition> crds) {
        List<ApiResource> all = new ArrayList<>(BUILT_IN);
        for (CustomResourceDefinition crd : crds) {
            for (ApiResource r : fromCrd(crd)) {
                if (all.stream().noneMatch(known -> known.group().equals(r.group()) && known.version().equals(r.version())
                        && known.plural().equals(r.plural()))) {
                    all.add(r);
                }
            }
        }
        return List.copyOf(all);
    }

    /** One entry per served version of {@code crd}; none for a CRD without names or versions (the mock stores what it is given). */
    @SuppressWarnings("unchecked")
    static List<ApiResource> fromCrd(CustomResourceDefinition crd) {
        if (crd.getSpec() == null || crd.getSpec().getNames() == null || crd.getSpec().getGroup() == null
                || crd.getSpec().getVersions() == null) {
            return List.of();
        }
        CustomResourceDefinitionNames names = crd.getSpec().getNames();
        if (names.getPlural() == null || names.getKind() == null) {
            return List.of();
        }
        String singular = names.getSingular() != null ? names.getSingular() : names.getKind().toLowerCase(java.util.Locale.ROOT);
        boolean namespaced = !"Cluster".equals(crd.getSpec().getScope());
        List<ApiResource> out = new ArrayList<>();
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            if (v.getName() == null || Boolean.FALSE.equals(v.getServed())) {
                continue;
            }
            boolean status = v.getSubresources() != null && v.getSubresources().getStatus() != null;
            Map<String, Object> schema = v.getSchema() == null || v.getSchema().getOpenAPIV3Schema() == null ? null
                    : SCHEMAS.convertValue(v.getSchema().getOpenAPIV3Schema(), Map.class);
            out.add(new ApiResource(crd.getSpec().getGroup(), v.getName(), names.getPlural(), singular, names.getKind(), namespaced,
                    names.getShortNames() == null ? List.of() : names.getShortNames(),
                    names.getCategories() == null ? List.of() : names.getCategories(), status, schema));
        }
        return out;
    }
}
