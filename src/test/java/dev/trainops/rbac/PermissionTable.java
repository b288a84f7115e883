package dev.trainops.rbac;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The README's permission list, made from the same grants the least-privilege check compares with
 * what the tests recorded, plus one sentence per resource on why trainops needs it ({@link #WHY}).
 */
final class PermissionTable {
    static final String BEGIN = "<!-- permissions:begin";
    static final String END = "<!-- permissions:end -->";
    /** How to write the table into the README when it is out of date. */
    static final String REGENERATE = "./mvnw -B -ntp -o -q -pl src -am test -Dtest=PermissionTableTest -Dsurefire.failIfNoSpecifiedTests=false "
            + "-Dtrainops.writeReadme=true";
    private static final List<String> VERB_ORDER = List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
            "impersonate");

    /** Why, per group/resource: every granted resource has one, and none is here that nothing grants. */
    static final Map<String, String> WHY = Map.ofEntries(
            Map.entry("core/nodes", "The GPU inventory: each node's GPUs, MIG slices and GPU Feature Discovery labels (informer)."),
            Map.entry("core/pods", "What holds GPUs now, per node and per job, in every namespace (informer)."),
            Map.entry("core/resourcequotas", "Team quotas set in the cluster, which win over config/quotas.yaml (informer)."),
            Map.entry("core/limitranges", "Teams' defaults for containers that do not say (informer)."),
            Map.entry("scheduling.k8s.io/priorityclasses", "The queue's priorities: read (informer) and created at start when missing "
                    + "(read-only servers only check)."),
            Map.entry("batch/jobs", "Training jobs: created on admission, deleted on cancel, preemption and cost caps, followed to their end "
                    + "(informer)."),
            Map.entry("coordination.k8s.io/leases", "Leader election: only the holder of Lease trainops-leader runs the control loops."),
            Map.entry("core/users", "`--kube-impersonate` only: a Job is created as the person who queued it and deleted as the canceller."),
            Map.entry("core/groups", "`--kube-impersonate` only: the teams (namespace names) of the impersonated person."),
            Map.entry("autoscaling.x-k8s.io/provisioningrequests", "Scale-up only: a ProvisioningRequest per URGENT job waiting for "
                    + "capacity, deleted when it no longer waits; listed by label to reconcile after a restart."),
            Map.entry("core/podtemplates", "Scale-up only: the pod each ProvisioningRequest asks room for, created and deleted with it."),
            Map.entry("apiextensions.k8s.io/customresourcedefinitions", "Whether a CRD trainops works with is installed, by name: "
                    + "TrainingJob and TrainingBatch (their controllers stay off without them), Kueue's Workload and AdmissionCheck."),
            Map.entry("kueue.x-k8s.io/admissionchecks", "Kueue budget check: the AdmissionChecks with controllerName trainops.dev/budget."),
            Map.entry("kueue.x-k8s.io/admissionchecks/status", "Kueue budget check: their Active condition, by JSON patch."),
            Map.entry("kueue.x-k8s.io/workloads", "Kueue budget check: the Workloads whose quota is reserved and whose budget check is Pending."),
            Map.entry("kueue.x-k8s.io/workloads/status", "Kueue budget check: its own entry of status.admissionChecks (Ready, Retry or "
                    + "Rejected), by JSON patch; no other field."),
            Map.entry("kueue.x-k8s.io/resourceflavors", "Kueue budget check: a Workload's GPU type, from its flavor's nvidia.com/gpu.product "
                    + "node label."),
            Map.entry("trainops.dev/trainingjobs", "The TrainingJob controller: its informer in every namespace; the mirrors of jobs "
                    + "queued through MCP, created, and deleted a day after their job ended."),
            Map.entry("trainops.dev/trainingjobs/status", "The queue's view of each TrainingJob (state, reason, position, ETA, cost), "
                    + "written through the status subresource."),
            Map.entry("trainops.dev/trainingbatches", "TrainingBatch objects (a batch applied with kubectl): each becomes a queue "
                    + "submission; the controller's informer."),
            Map.entry("trainops.dev/trainingbatches/status", "A TrainingBatch's status: its jobs' states, progress, estimate and cost "
                    + "so far, or REJECTED with the reason."),
            Map.entry("core/events", "Events on TrainingJobs and TrainingBatches: queued, rejected with the numbers, succeeded, failed "
                    + "(kubectl describe)."));

    private PermissionTable() {
    }

    static String key(Grant g) {
        return Permission.groupName(g.group()) + "/" + g.resource();
    }

    /** The Markdown table, one row per role, resource and scope, with its verbs. */
    static String markdown(List<Grant> grants) {
        Map<String, List<Grant>> rows = new LinkedHashMap<>();
        for (Grant g : grants) {
            String row = String.join("|", g.file(), g.role(), String.valueOf(g.group()), String.valueOf(g.resource()),
                    String.valueOf(g.namespace()), new TreeSet<>(g.resourceNames()).toString(), String.valueOf(g.nonResourceUrl()));
            rows.computeIfAbsent(row, k -> new ArrayList<>()).add(g);
        }
        StringBuilder out = new StringBuilder();
        out.append("| Verbs | API group | Resource | Where | Granted by | Why |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (List<Grant> row : rows.values()) {
            Grant g = row.get(0);
            List<String> verbs = row.stream().map(Grant::verb).distinct()
                    .sorted((a, b) -> Integer.compare(order(a), order(b))).toList();
            String where = g.namespace() == null ? "cluster-wide" : "namespace `" + g.namespace() + "`";
            if (!g.resourceNames().isEmpty()) {
                where += ", only " + String.join(", ", new TreeSet<>(g.resourceNames()).stream().map(n -> "`" + n + "`").toList());
            }
            String resource = g.nonResourceUrl() != null ? "`" + g.nonResourceUrl() + "`" : "`" + g.resource() + "`";
            String group = g.nonResourceUrl() != null ? "(non-resource URL)" : g.group().isEmpty() ? "core (`\"\"`)" : "`" + g.group() + "`";
            String why = g.nonResourceUrl() != null ? "" : WHY.getOrDefault(key(g), "");
            out.append("| ").append(String.join(", ", verbs)).append(" | ").append(group).append(" | ").append(resource).append(" | ")
                    .append(where).append(" | ").append(g.role()).append(" in `").append(g.file()).append("` | ").append(why).append(" |\n");
        }
        return out.toString();
    }

    private static int order(String verb) {
        int i = VERB_ORDER.indexOf(verb);
        return i < 0 ? VERB_ORDER.size() : i;
    }

    /** The README with the block between the markers replaced by {@code table}; the markers must be there. */
    static String replaceBlock(String readme, String table) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new AssertionError("README.md has no '" + BEGIN + " ... -->' and '" + END + "' markers for the permission table");
        }
        int afterBegin = readme.indexOf("-->", begin) + 3;
        return readme.substring(0, afterBegin) + "\n" + table + readme.substring(end);
    }
}
