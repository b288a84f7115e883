package dev.trainops.app.sandbox;

import dev.trainops.app.sandbox.ApiResources.ApiResource;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The discovery documents a client reads before it does anything, which fabric8's mock API server does not serve by
 * itself (DESIGN.md, "Kubernetes API"): {@code /version}, {@code /api}, {@code /api/v1}, {@code /apis},
 * {@code /apis/GROUP}, {@code /apis/GROUP/VERSION}, and the OpenAPI v3 documents ({@link OpenApiDocuments}), for the
 * resources {@link ApiResources} lists. kubectl 1.32 first asks for aggregated discovery (apidiscovery.k8s.io/v2); a
 * plain {@code application/json} answer makes it read these unaggregated lists instead, as from any server that does
 * not aggregate. Every other path is the CRUD store's.
 */
final class ApiDiscovery {
    /** What {@code /version} reports: the kubectl this is tested with is 1.32, and kubectl warns about a skew over one minor. */
    static final String GIT_VERSION = "v1.32.0-trainops-sandbox";
    private static final Pattern GROUP_VERSION = Pattern.compile("^/apis/([^/]+)(?:/([^/]+))?$");
    private static final Pattern KUBE_VERSION = Pattern.compile("^v(\\d+)(?:(alpha|beta)(\\d+))?$");

    /** A discovery answer: always {@code application/json}. */
    record Answer(int code, String body) {
    }

    private final Supplier<List<CustomResourceDefinition>> crds;
    private final KubernetesSerialization json = new KubernetesSerialization();

    /** @param crds the CRDs installed in the API server now (read on every discovery request: CRDs come and go) */
    ApiDiscovery(Supplier<List<CustomResourceDefinition>> crds) {
        this.crds = crds;
    }

    /** The answer to a GET of {@code pathAndQuery}, or empty when the path is not a discovery path (the CRUD store answers it). */
    Optional<Answer> answer(String method, String pathAndQuery) {
        if (!"GET".equals(method) || pathAndQuery == null) {
            return Optional.empty();
        }
        String path = pathAndQuery.split("\\?", 2)[0];
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/":
                return Optional.of(ok(Map.of("paths", rootPaths(resources()))));
            case "/version":
                return Optional.of(ok(version()));
            case "/api":
                return Optional.of(ok(new APIVersionsBuilder().withVersions("v1").build()));
            case "/api/v1":
                return Optional.of(resourceList("", "v1", resources()));
            case "/apis":
                return Optional.of(ok(new APIGroupListBuilder().withGroups(groups(resources())).build()));
            case "/openapi/v2":
                // asked only when v3 is missing; answering it would need the protobuf form of Swagger 2.0
                return Optional.of(notFound());
            default:
                break;
        }
        if (path.startsWith("/openapi/v3")) {
            return Optional.of(new OpenApiDocuments(resources(), json).answer(path).map(this::ok).orElseGet(this::notFound));
        }
        Matcher m = GROUP_VERSION.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<ApiResource> resources = resources();
        if (m.group(2) == null) {
            return Optional.of(groups(resources).stream().filter(g -> g.getName().equals(m.group(1))).findFirst()
                    .map(this::ok).orElseGet(this::notFound));
        }
        return Optional.of(resourceList(m.group(1), m.group(2), resources));
    }

    private List<ApiResource> resources() {
        return ApiResources.of(crds.get());
    }

    private Answer resourceList(String group, String version, List<ApiResource> all) {
        List<ApiResource> here = all.stream().filter(r -> r.group().equals(group) && r.version().equals(version)).toList();
        if (here.isEmpty()) {
            return notFound();
        }
        APIResourceListBuilder list = new APIResourceListBuilder().withGroupVersion(here.get(0).groupVersion());
        for (ApiResource r : here) {
            list.addToResources(new APIResourceBuilder().withName(r.plural()).withSingularName(r.singular()).withKind(r.kind())
                    .withNamespaced(r.namespaced()).withVerbs(ApiResources.VERBS).withShortNames(r.shortNames().isEmpty() ? null : r.shortNames())
                    .withCategories(r.categories().isEmpty() ? null : r.categories()).build());
            if (r.status()) {
                list.addToResources(new APIResourceBuilder().withName(r.plural() + "/status").withSingularName("").withKind(r.kind())
                        .withNamespaced(r.namespaced()).withVerbs(ApiResources.SUBRESOURCE_VERBS).build());
            }
        }
        return ok(list.build());
    }

    /** The named groups (not the core one), each with its versions, the preferred one first as a real API server orders them. */
    static List<APIGroup> groups(List<ApiResource> all) {
        Map<String, List<String>> versions = new LinkedHashMap<>();
        for (ApiResource r : all) {
            if (!r.group().isEmpty()) {
                List<String> vs = versions.computeIfAbsent(r.group(), g -> new ArrayList<>());
                if (!vs.contains(r.version())) {
                    vs.add(r.version());
                }
            }
        }
        List<APIGroup> groups = new ArrayList<>();
        versions.forEach((group, vs) -> {
            List<GroupVersionForDiscovery> gvs = vs.stream().sorted(ApiDiscovery::byPriority)
                    .map(v -> new GroupVersionForDiscovery(group + "/" + v, v)).toList();
            groups.add(new APIGroupBuilder().withName(group).withVersions(gvs).withPreferredVersion(gvs.get(0)).build());
        });
        return groups;
    }

    /** Kubernetes's version priority: GA before beta before alpha, then the higher number; other names after, by name. */
    static int byPriority(String a, String b) {
        return Comparator.comparing(ApiDiscovery::priorityKey).thenComparing(Comparator.naturalOrder()).compare(a, b);
    }

    private static String priorityKey(String version) {
        Matcher m = KUBE_VERSION.matcher(version);
        if (!m.matches()) {
            return "9";
        }
        int stage = m.group(2) == null ? 0 : m.group(2).equals("beta") ? 1 : 2;
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        // higher numbers first within a stage: complement them in a fixed-width key
        return stage + String.format("%06d%06d", 999_999 - major, 999_999 - minor);
    }

    private static List<String> rootPaths(List<ApiResource> all) {
        List<String> paths = new ArrayList<>(List.of("/api", "/api/v1", "/apis", "/openapi/v3", "/version"));
        for (APIGroup g : groups(all)) {
            paths.add("/apis/" + g.getName());
            g.getVersions().forEach(v -> paths.add("/apis/" + v.getGroupVersion()));
        }
        return paths;
    }

    private static Map<String, String> version() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", GIT_VERSION);
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-01-01T00:00:00Z");
        v.put("goVersion", "");
        v.put("compiler", "gc");
        v.put("platform", "linux/amd64");
        return v;
    }

    private Answer ok(Object document) {
        return new Answer(200, json.asJson(document));
    }

    private Answer notFound() {
        return new Answer(404, json.asJson(new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404)
                .withMessage("the server could not find the requested resource").withNewMetadata().endMetadata().build()));
    }
}
