package dev.trainops.rbac;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One request trainops made to the API server, as {@code ApiRequestLog} (src/main) records it: a
 * tab-separated line {@code method, path, query, Impersonate-User, Impersonate-Group (comma-joined)}.
 * {@link #permissions()} is what the request needs from the server's own RBAC, read the way the API
 * server reads a path (Kubernetes's {@code RequestInfoFactory}): GET of one object is {@code get},
 * of a collection {@code list}, with {@code watch=true} {@code watch}; POST {@code create}; PUT
 * {@code update}; PATCH {@code patch}; DELETE {@code delete}, of a collection {@code deletecollection}.
 * An impersonated request needs {@code impersonate} on the user and on each group, and nothing else
 * from the server: the API server decides the request itself as the impersonated user.
 */
record ApiRequest(String method, String path, String query, String user, List<String> groups) {
    /** Subresources of a namespace: {@code /api/v1/namespaces/x/status} is the namespace's, not a resource in it. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    ApiRequest {
        groups = List.copyOf(groups);
    }

    static ApiRequest parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
            throw new IllegalArgumentException("a recorded request has 5 tab-separated fields (method, path, query, "
                    + "Impersonate-User, Impersonate-Group), not " + f.length + ": '" + line + "'");
        }
        List<String> groups = f[4].isEmpty() ? List.of() : Arrays.asList(f[4].split(","));
        return new ApiRequest(f[0], f[1], f[2], f[3].isEmpty() ? null : f[3], groups);
    }

    /** {@code GET /api/v1/pods?watch=true}: how a message shows the request. */
    @Override
    public String toString() {
        String s = method + " " + path + (query.isEmpty() ? "" : "?" + query);
        return user == null ? s : s + " as " + user + (groups.isEmpty() ? "" : " " + groups);
    }

    List<Permission> permissions() {
        if (user != null) {
            List<Permission> needed = new ArrayList<>();
            String[] sa = user.split(":");
            if (user.startsWith("system:serviceaccount:") && sa.length == 4) {
                needed.add(Permission.resource("impersonate", "", "serviceaccounts", sa[3], sa[2]));
            } else {
                needed.add(Permission.resource("impersonate", "", "users", user, null));
            }
            for (String g : groups) {
                needed.add(Permission.resource("impersonate", "", "groups", g, null));
            }
            return needed;
        }
        return List.of(own());
    }

    /** The permission of the request itself, made as the server. */
    Permission own() {
        String verbOfMethod = method.toLowerCase(Locale.ROOT);
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (parts.size() >= 3 && parts.get(0).equals("api")) {
            group = "";
            rest = parts.subList(2, parts.size());
        } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            rest = parts.subList(3, parts.size());
        } else {
            return Permission.nonResource(verbOfMethod.equals("head") ? "get" : verbOfMethod, path);
        }
        boolean watch = false;
        if (rest.get(0).equals("watch")) { // the deprecated /watch/ paths
            watch = true;
            rest = rest.subList(1, rest.size());
        }
        String namespace = null;
        if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                namespace = rest.get(1);
                rest = rest.subList(2, rest.size());
            }
        }
        if (rest.isEmpty()) {
            return Permission.nonResource(verbOfMethod, path);
        }
        String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
        String name = rest.size() >= 2 ? rest.get(1) : null;
        watch = watch || Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        String verb = switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD" -> watch ? "watch" : name != null ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("a recorded request has an HTTP method the API server does not take: " + this);
        };
        return Permission.resource(verb, group, resource, name, namespace);
    }
}
