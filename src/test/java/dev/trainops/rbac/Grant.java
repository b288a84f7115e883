package dev.trainops.rbac;

import java.util.Set;

/**
 * One verb on one resource (or non-resource URL) that a rule of a Role or ClusterRole grants: the
 * rules expanded, verbs times groups times resources. {@code namespace} is the Role's ({@code null}
 * for a ClusterRole bound cluster-wide); {@code resourceNames} empty means any object.
 */
record Grant(String file, String role, String verb, String group, String resource, Set<String> resourceNames, String namespace,
             String nonResourceUrl) {
    Grant {
        resourceNames = Set.copyOf(resourceNames);
    }

    /** Whether this grant lets the server's ServiceAccount do what {@code p} needs (RBAC's own rule). */
    boolean allows(Permission p) {
        if (!verb.equals(p.verb())) {
            return false;
        }
        if (nonResourceUrl != null || p.nonResourceUrl() != null) {
            return nonResourceUrl != null && p.nonResourceUrl() != null && (nonResourceUrl.equals(p.nonResourceUrl())
                    || nonResourceUrl.endsWith("*") && p.nonResourceUrl().startsWith(nonResourceUrl.substring(0, nonResourceUrl.length() - 1)));
        }
        if (!group.equals(p.group()) || !resource.equals(p.resource())) {
            return false;
        }
        if (namespace != null && !namespace.equals(p.namespace())) {
            return false; // a Role holds in its own namespace only
        }
        return resourceNames.isEmpty() || p.name() != null && resourceNames.contains(p.name());
    }

    /** {@code create batch/jobs}: as {@link Permission#what()}. */
    String what() {
        return verb + " " + (nonResourceUrl != null ? nonResourceUrl : Permission.groupName(group) + "/" + resource);
    }

    /** {@code ClusterRole trainops (deploy/base/rbac.yaml)}. */
    String where() {
        return role + " (" + file + ")";
    }
}
