package dev.trainops.rbac;

import java.util.Objects;

/**
 * What one request needs from RBAC: {@code verb} on {@code resource} (with its subresource, e.g.
 * {@code pods/log}) in API group {@code group} ({@code ""} is the core group), the object's
 * {@code name} when the request names one, and its {@code namespace} ({@code null} for a
 * cluster-scoped object or a request across all namespaces). A request to a path that is no
 * resource ({@code /version}, discovery) needs {@code verb} on {@code nonResourceUrl} instead.
 */
record Permission(String verb, String group, String resource, String name, String namespace, String nonResourceUrl) {
    Permission {
        Objects.requireNonNull(verb, "verb");
        if (nonResourceUrl == null) {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(resource, "resource");
        }
    }

    static Permission resource(String verb, String group, String resource, String name, String namespace) {
        return new Permission(verb, group, resource, name, namespace, null);
    }

    static Permission nonResource(String verb, String url) {
        return new Permission(verb, null, null, null, null, url);
    }

    /** {@code list core/pods}, {@code create batch/jobs}, {@code get /version}: how messages and the table name it. */
    String what() {
        return verb + " " + (nonResourceUrl != null ? nonResourceUrl : groupName(group) + "/" + resource);
    }

    /** Where: {@code cluster-wide} or {@code in namespace X}, and the object's name when there is one. */
    String scope() {
        String where = namespace == null ? "cluster-wide" : "in namespace " + namespace;
        return name == null ? where : where + ", name " + name;
    }

    static String groupName(String group) {
        return group.isEmpty() ? "core" : group;
    }
}
