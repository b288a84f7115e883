package dev.trainops.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The RBAC objects in deploy/ that give trainops's ServiceAccount its rights, expanded into
 * {@link Grant}s. Only a role bound to ServiceAccount {@value #SERVICE_ACCOUNT} in namespace
 * {@value #NAMESPACE} counts; a wildcard, or a role no binding gives the ServiceAccount, is an error
 * (it would grant what nobody checked, or nothing at all).
 */
final class RbacFiles {
    static final String SERVICE_ACCOUNT = "trainops";
    static final String NAMESPACE = "trainops-system";
    /** Every file that grants trainops's ServiceAccount something, relative to the repository root. */
    static final List<String> FILES = List.of("deploy/base/rbac.yaml", "deploy/components/kube-impersonate/rbac.yaml",
            "deploy/components/scale-up/rbac.yaml");

    private RbacFiles() {
    }

    /** The repository root: above the config directory the build names (src/pom.xml), else above src/. */
    static Path root() {
        return Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath().normalize().getParent();
    }

    static List<HasMetadata> objects(Path root, String file) {
        Path path = root.resolve(file);
        String yaml;
        try {
            yaml = Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                continue;
            }
            objects.add(serialization.unmarshal(doc, HasMetadata.class));
        }
        return objects;
    }

    /** Every grant in {@code files}, checked as described above; an error names the file and the fix. */
    static List<Grant> grants(Path root, List<String> files) {
        List<Grant> grants = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String file : files) {
            List<HasMetadata> objects = objects(root, file);
            for (HasMetadata o : objects) {
                List<PolicyRule> rules;
                String namespace;
                if (o instanceof ClusterRole cr) {
                    rules = cr.getRules();
                    namespace = null;
                    if (!bound(objects, "ClusterRole", o.getMetadata().getName(), null)) {
                        errors.add(file + ": ClusterRole " + o.getMetadata().getName() + " is bound to no ServiceAccount " + NAMESPACE + "/"
                                + SERVICE_ACCOUNT + " by a ClusterRoleBinding in the same file; bind it, or remove it");
                    }
                } else if (o instanceof Role r) {
                    rules = r.getRules();
                    namespace = o.getMetadata().getNamespace();
                    if (namespace == null) {
                        errors.add(file + ": Role " + o.getMetadata().getName() + " has no metadata.namespace; name the namespace its rights hold in");
                        continue;
                    }
                    if (!bound(objects, "Role", o.getMetadata().getName(), namespace)) {
                        errors.add(file + ": Role " + o.getMetadata().getName() + " is bound to no ServiceAccount " + NAMESPACE + "/"
                                + SERVICE_ACCOUNT + " by a RoleBinding in " + namespace + " in the same file; bind it, or remove it");
                    }
                } else {
                    continue;
                }
                String role = o.getKind() + " " + o.getMetadata().getName();
                for (PolicyRule rule : rules == null ? List.<PolicyRule>of() : rules) {
                    expand(file, role, namespace, rule, grants, errors);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError(String.join("\n", errors));
        }
        return grants;
    }

    private static void expand(String file, String role, String namespace, PolicyRule rule, List<Grant> grants, List<String> errors) {
        List<String> verbs = list(rule.getVerbs());
        List<String> groups = list(rule.getApiGroups());
        List<String> resources = list(rule.getResources());
        List<String> urls = list(rule.getNonResourceURLs());
        Set<String> names = Set.copyOf(list(rule.getResourceNames()));
        for (List<String> l : List.of(verbs, groups, resources)) {
            if (l.contains("*")) {
                errors.add(file + ": " + role + " has a rule with '*' (" + rule.getApiGroups() + " " + rule.getResources() + " "
                        + rule.getVerbs() + "); name each verb, group and resource trainops uses");
                return;
            }
        }
        if (verbs.isEmpty() || urls.isEmpty() && (groups.isEmpty() || resources.isEmpty())) {
            errors.add(file + ": " + role + " has a rule that grants nothing (" + rule + "); remove it");
            return;
        }
        for (String verb : verbs) {
            for (String url : urls) {
                grants.add(new Grant(file, role, verb, null, null, Set.of(), namespace, url));
            }
            for (String group : groups) {
                for (String resource : resources) {
                    grants.add(new Grant(file, role, verb, group, resource, names, namespace, null));
                }
            }
        }
    }

    private static boolean bound(List<HasMetadata> objects, String kind, String name, String namespace) {
        for (HasMetadata o : objects) {
            RoleRef ref;
            List<Subject> subjects;
            if (o instanceof ClusterRoleBinding b && namespace == null) {
                ref = b.getRoleRef();
                subjects = b.getSubjects();
            } else if (o instanceof RoleBinding b && namespace != null && namespace.equals(o.getMetadata().getNamespace())) {
                ref = b.getRoleRef();
                subjects = b.getSubjects();
            } else {
                continue;
            }
            if (ref != null && kind.equals(ref.getKind()) && name.equals(ref.getName()) && subjects != null && subjects.stream()
                    .anyMatch(s -> "ServiceAccount".equals(s.getKind()) && SERVICE_ACCOUNT.equals(s.getName()) && NAMESPACE.equals(s.getNamespace()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Files under deploy/ outside {@link #FILES} with a RoleBinding or ClusterRoleBinding that gives
     * ServiceAccount {@value #SERVICE_ACCOUNT} a role: rights the check would not see. A kustomize
     * patch that deletes a binding ({@code $patch: delete}) gives nothing and is not one.
     */
    @SuppressWarnings("unchecked")
    static List<String> uncheckedBindings(Path root) throws IOException {
        KubernetesSerialization yaml = new KubernetesSerialization();
        List<String> found = new ArrayList<>();
        Path deploy = root.resolve("deploy");
        if (!Files.isDirectory(deploy)) {
            return found;
        }
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(deploy)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        for (Path f : files) {
            String rel = root.relativize(f).toString().replace('\\', '/');
            if (FILES.contains(rel)) {
                continue;
            }
            List<Object> docs = new ArrayList<>();
            for (String doc : Files.readString(f).split("(?m)^---\\s*$")) {
                try {
                    docs.add(yaml.unmarshal(doc, java.util.Map.class));
                } catch (RuntimeException notYaml) {
                    // not YAML kubectl would apply (a template); nothing it holds is applied as it stands
                }
            }
            for (Object doc : docs) {
                if (doc instanceof java.util.Map<?, ?> m && ("RoleBinding".equals(m.get("kind")) || "ClusterRoleBinding".equals(m.get("kind")))
                        && !m.containsKey("$patch") && m.get("subjects") instanceof List<?> subjects
                        && subjects.stream().anyMatch(s -> s instanceof java.util.Map<?, ?> sm && "ServiceAccount".equals(sm.get("kind"))
                        && SERVICE_ACCOUNT.equals(sm.get("name")))) {
                    Object meta = m.get("metadata");
                    found.add(rel + ": " + m.get("kind") + " " + (meta instanceof java.util.Map<?, ?> mm ? mm.get("name") : "?"));
                }
            }
        }
        return found;
    }

    private static List<String> list(List<String> l) {
        return l == null ? List.of() : l;
    }
}
