package dev.trainops.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The README's permission table is the one deploy/'s roles yield (the roles {@link LeastPrivilegeCheck}
 * compares with what trainops requested), and each granted resource says why. Out of date, it fails
 * with the command that rewrites it ({@link PermissionTable#REGENERATE}).
 */
class PermissionTableTest {
    @Test
    void theReadmePermissionTableIsGeneratedFromDeployRbac() throws Exception {
        Path root = RbacFiles.root();
        List<Grant> grants = RbacFiles.grants(root, RbacFiles.FILES);
        Path readme = root.resolve("README.md");
        String current = Files.readString(readme);
        String wanted = PermissionTable.replaceBlock(current, PermissionTable.markdown(grants));
        if (Boolean.getBoolean("trainops.writeReadme") && !wanted.equals(current)) {
            Files.writeString(readme, wanted);
            current = wanted;
        }
        assertThat(current).as("README.md's permission table is not what " + RbacFiles.FILES + " grant; regenerate it: "
                + PermissionTable.REGENERATE).isEqualTo(wanted);
    }

    @Test
    void everyGrantedResourceSaysWhyAndNoReasonIsLeftForOneNoLongerGranted() {
        List<Grant> grants = RbacFiles.grants(RbacFiles.root(), RbacFiles.FILES);
        TreeSet<String> granted = new TreeSet<>(grants.stream().filter(g -> g.nonResourceUrl() == null).map(PermissionTable::key).toList());
        assertThat(new TreeSet<>(PermissionTable.WHY.keySet())).as("PermissionTable.WHY has one sentence per granted group/resource")
                .isEqualTo(granted);
    }

    /** README, "Kubernetes impersonation": the component names the teams of config/quotas.yaml as the only groups. */
    @Test
    void theImpersonatorMayImpersonateExactlyTheTeamsOfTheQuotaConfig() throws Exception {
        Path root = RbacFiles.root();
        List<Grant> groups = RbacFiles.grants(root, List.of("deploy/components/kube-impersonate/rbac.yaml")).stream()
                .filter(g -> g.resource() != null && g.resource().equals("groups")).toList();
        assertThat(groups).singleElement().extracting(g -> new TreeSet<>(g.resourceNames()))
                .isEqualTo(new TreeSet<>(dev.trainops.queue.QuotaConfig.load(root.resolve("config/quotas.yaml")).teams().keySet()));
    }

    @Test
    void aRowPerRoleResourceAndScopeWithItsVerbsInTheApiServersOrder() {
        List<Grant> grants = List.of(
                new Grant("deploy/base/rbac.yaml", "ClusterRole trainops", "watch", "", "nodes", java.util.Set.of(), null, null),
                new Grant("deploy/base/rbac.yaml", "ClusterRole trainops", "list", "", "nodes", java.util.Set.of(), null, null),
                new Grant("deploy/base/rbac.yaml", "Role trainops-leader-election", "patch", "coordination.k8s.io", "leases",
                        java.util.Set.of("trainops-leader"), "trainops-system", null));
        assertThat(PermissionTable.markdown(grants)).isEqualTo("""
                | Verbs | API group | Resource | Where | Granted by | Why |
                |---|---|---|---|---|---|
                | list, watch | core (`""`) | `nodes` | cluster-wide | ClusterRole trainops in `deploy/base/rbac.yaml` | %s |
                | patch | `coordination.k8s.io` | `leases` | namespace `trainops-system`, only `trainops-leader` | Role trainops-leader-election in \
                `deploy/base/rbac.yaml` | %s |
                """.formatted(PermissionTable.WHY.get("core/nodes"), PermissionTable.WHY.get("coordination.k8s.io/leases")));
    }
}
