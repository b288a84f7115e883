package dev.trainops.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The least-privilege check's parts, fast: how a recorded request becomes the permission it needs,
 * how deploy/'s roles become grants, and that a missing and an unused grant are each reported with
 * the verb, group, resource and file (the check itself, over the end-to-end tests' recording, is
 * {@link LeastPrivilegeCheck}).
 */
class LeastPrivilegeTest {
    @TempDir
    Path root;

    static ApiRequest request(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return new ApiRequest(method, q < 0 ? pathAndQuery : pathAndQuery.substring(0, q), q < 0 ? "" : pathAndQuery.substring(q + 1), null,
                List.of());
    }

    @ParameterizedTest(name = "{0} {1} needs {2} {3}/{4}")
    @CsvSource(delimiter = ' ', nullValues = "-", value = {
            "GET /api/v1/nodes list core nodes - -",
            "GET /api/v1/nodes?resourceVersion=0 list core nodes - -",
            "GET /api/v1/nodes?allowWatchBookmarks=true&resourceVersion=12&watch=true watch core nodes - -",
            "GET /api/v1/pods?watch=1 watch core pods - -",
            "GET /api/v1/watch/pods watch core pods - -",
            "GET /api/v1/namespaces/team-a/pods list core pods - team-a",
            "GET /api/v1/namespaces/team-a/pods/p1/log get core pods/log p1 team-a",
            "GET /api/v1/namespaces/team-a get core namespaces team-a -",
            "PUT /api/v1/namespaces/team-a/finalize update core namespaces/finalize team-a -",
            "POST /api/v1/namespaces create core namespaces - -",
            "GET /apis/scheduling.k8s.io/v1/priorityclasses/trainops-urgent get scheduling.k8s.io priorityclasses trainops-urgent -",
            "POST /apis/scheduling.k8s.io/v1/priorityclasses create scheduling.k8s.io priorityclasses - -",
            "POST /apis/batch/v1/namespaces/team-a/jobs create batch jobs - team-a",
            "PUT /apis/batch/v1/namespaces/team-a/jobs/j1/status update batch jobs/status j1 team-a",
            "PATCH /apis/coordination.k8s.io/v1/namespaces/trainops-system/leases/trainops-leader patch coordination.k8s.io leases "
                    + "trainops-leader trainops-system",
            "DELETE /apis/batch/v1/namespaces/team-a/jobs/j1?propagationPolicy=Background delete batch jobs j1 team-a",
            "DELETE /apis/batch/v1/namespaces/team-a/jobs deletecollection batch jobs - team-a",
    })
    void aRecordedRequestNeedsTheVerbTheApiServerReadsFromItsMethodAndPath(String method, String path, String verb, String group,
                                                                          String resource, String name, String namespace) {
        assertThat(request(method, path).permissions())
                .containsExactly(Permission.resource(verb, group.equals("core") ? "" : group, resource, name, namespace));
    }

    @Test
    void aPathThatIsNoResourceNeedsItsNonResourceUrl() {
        assertThat(request("GET", "/version").permissions()).containsExactly(Permission.nonResource("get", "/version"));
        assertThat(request("GET", "/apis/batch/v1").permissions()).containsExactly(Permission.nonResource("get", "/apis/batch/v1"));
    }

    @Test
    void anImpersonatedRequestNeedsImpersonateOnTheUserAndEachGroupAndNothingElseFromTheServer() {
        ApiRequest create = ApiRequest.parse("POST\t/apis/batch/v1/namespaces/team-a/jobs\t\talice\tteam-a,team-b");
        assertThat(create.permissions()).containsExactly(
                Permission.resource("impersonate", "", "users", "alice", null),
                Permission.resource("impersonate", "", "groups", "team-a", null),
                Permission.resource("impersonate", "", "groups", "team-b", null));
        assertThat(ApiRequest.parse("GET\t/api/v1/pods\t\tsystem:serviceaccount:team-a:runner\t").permissions())
                .containsExactly(Permission.resource("impersonate", "", "serviceaccounts", "runner", "team-a"));
    }

    @Test
    void aRecordedLineThatIsNotFiveFieldsSaysWhatItShouldBe() {
        assertThatThrownBy(() -> ApiRequest.parse("GET /api/v1/pods")).hasMessageContaining("5 tab-separated fields")
                .hasMessageContaining("GET /api/v1/pods");
    }

    static final String ROLE = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: trainops}
            rules:
              - apiGroups: [""]
                resources: ["nodes"]
                verbs: ["list", "watch"]
              - apiGroups: ["batch"]
                resources: ["jobs"]
                verbs: ["create", "delete"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: trainops}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: trainops}
            subjects: [{kind: ServiceAccount, name: trainops, namespace: trainops-system}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: leader, namespace: trainops-system}
            rules:
              - apiGroups: ["coordination.k8s.io"]
                resources: ["leases"]
                resourceNames: ["trainops-leader"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: leader, namespace: trainops-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leader}
            subjects: [{kind: ServiceAccount, name: trainops, namespace: trainops-system}]
            """;

    List<Grant> grants(String yaml) throws Exception {
        Files.createDirectories(root.resolve("deploy"));
        Files.writeString(root.resolve("deploy/rbac.yaml"), yaml);
        return RbacFiles.grants(root, List.of("deploy/rbac.yaml"));
    }

    @Test
    void eachRuleIsExpandedIntoItsVerbsTimesGroupsTimesResources() throws Exception {
        assertThat(grants(ROLE)).extracting(Grant::what, Grant::namespace, Grant::resourceNames).containsExactly(
                org.assertj.core.groups.Tuple.tuple("list core/nodes", null, Set.of()),
                org.assertj.core.groups.Tuple.tuple("watch core/nodes", null, Set.of()),
                org.assertj.core.groups.Tuple.tuple("create batch/jobs", null, Set.of()),
                org.assertj.core.groups.Tuple.tuple("delete batch/jobs", null, Set.of()),
                org.assertj.core.groups.Tuple.tuple("get coordination.k8s.io/leases", "trainops-system", Set.of("trainops-leader")));
    }

    @Test
    void rolesThatFitTheRecordedRequestsPassBothWays() throws Exception {
        List<ApiRequest> recorded = List.of(request("GET", "/api/v1/nodes"), request("GET", "/api/v1/nodes?watch=true"),
                request("POST", "/apis/batch/v1/namespaces/team-a/jobs"), request("DELETE", "/apis/batch/v1/namespaces/team-b/jobs/j1"),
                request("GET", "/apis/coordination.k8s.io/v1/namespaces/trainops-system/leases/trainops-leader"));
        LeastPrivilege.Verdict v = LeastPrivilege.compare(recorded, grants(ROLE), List.of("deploy/rbac.yaml"));
        assertThat(v.missing()).isEmpty();
        assertThat(v.unused()).isEmpty();
        assertThat(v.ok()).isTrue();
    }

    @Test
    void aRequestNoRoleAllowsIsReportedWithItsVerbGroupResourceAndTheFiles() throws Exception {
        List<ApiRequest> recorded = List.of(request("GET", "/api/v1/nodes"), request("GET", "/api/v1/nodes?watch=true"),
                request("POST", "/apis/batch/v1/namespaces/team-a/jobs"), request("DELETE", "/apis/batch/v1/namespaces/team-b/jobs/j1"),
                request("GET", "/apis/coordination.k8s.io/v1/namespaces/trainops-system/leases/trainops-leader"),
                request("PATCH", "/apis/batch/v1/namespaces/team-a/jobs/j1"));
        LeastPrivilege.Verdict v = LeastPrivilege.compare(recorded, grants(ROLE), List.of("deploy/rbac.yaml"));
        assertThat(v.unused()).isEmpty();
        assertThat(v.missing()).containsExactly("nothing in deploy/rbac.yaml allows 'patch batch/jobs' in namespace team-a, name j1, which "
                + "trainops requested (PATCH /apis/batch/v1/namespaces/team-a/jobs/j1); add it to the rules of the role it belongs to");
        assertThat(v.ok()).isFalse();
    }

    @Test
    void aGrantNoRecordedRequestNeededIsReportedWithItsRoleAndFile() throws Exception {
        List<ApiRequest> recorded = List.of(request("GET", "/api/v1/nodes"), request("GET", "/api/v1/nodes?watch=true"),
                request("POST", "/apis/batch/v1/namespaces/team-a/jobs"),
                request("GET", "/apis/coordination.k8s.io/v1/namespaces/trainops-system/leases/trainops-leader"));
        LeastPrivilege.Verdict v = LeastPrivilege.compare(recorded, grants(ROLE), List.of("deploy/rbac.yaml"));
        assertThat(v.missing()).isEmpty();
        assertThat(v.unused()).containsExactly("deploy/rbac.yaml: ClusterRole trainops grants 'delete batch/jobs', which no recorded request "
                + "needed; remove it, or add the end-to-end test that makes the request");
    }

    @Test
    void aRoleHoldsOnlyInItsNamespaceAndForItsNamedObjects() throws Exception {
        List<Grant> grants = grants(ROLE);
        LeastPrivilege.Verdict otherNamespace = LeastPrivilege.compare(List.of(
                request("GET", "/apis/coordination.k8s.io/v1/namespaces/team-a/leases/trainops-leader")), grants, List.of("deploy/rbac.yaml"));
        assertThat(otherNamespace.missing()).singleElement().asString().contains("'get coordination.k8s.io/leases' in namespace team-a");
        LeastPrivilege.Verdict otherName = LeastPrivilege.compare(List.of(
                request("GET", "/apis/coordination.k8s.io/v1/namespaces/trainops-system/leases/other")), grants, List.of("deploy/rbac.yaml"));
        assertThat(otherName.missing()).singleElement().asString().contains("name other");
    }

    @Test
    void aWildcardIsRefusedNamingTheFileAndTheFix() {
        assertThatThrownBy(() -> grants(ROLE.replace("verbs: [\"create\", \"delete\"]", "verbs: [\"*\"]")))
                .hasMessageContaining("deploy/rbac.yaml: ClusterRole trainops has a rule with '*'")
                .hasMessageContaining("name each verb, group and resource trainops uses");
    }

    @Test
    void aRoleBoundToNobodyIsRefused() {
        assertThatThrownBy(() -> grants(ROLE.replace("subjects: [{kind: ServiceAccount, name: trainops, namespace: trainops-system}]\n---\n"
                + "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role", "subjects: [{kind: ServiceAccount, name: someone, namespace: x}]\n"
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role")))
                .hasMessageContaining("deploy/rbac.yaml: ClusterRole trainops is bound to no ServiceAccount trainops-system/trainops");
    }

    @Test
    void noFileInDeployBindsTheServiceAccountOutsideTheCheckedOnes() throws Exception {
        assertThat(RbacFiles.uncheckedBindings(RbacFiles.root())).as("bindings of ServiceAccount trainops that LeastPrivilegeCheck "
                + "does not see; add their files to RbacFiles.FILES").isEmpty();
    }

    @Test
    void aBindingOfTheServiceAccountInAnotherFileIsFoundAndADeletePatchIsNot() throws Exception {
        Files.createDirectories(root.resolve("deploy/overlays/x"));
        Files.writeString(root.resolve("deploy/overlays/x/extra.yaml"), """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: extra}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: ServiceAccount, name: trainops, namespace: trainops-system}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: trainops}
                $patch: delete
                """);
        assertThat(RbacFiles.uncheckedBindings(root)).containsExactly("deploy/overlays/x/extra.yaml: ClusterRoleBinding extra");
    }

    @Test
    void theRecordingIsReadFromEveryServersFileOnceEach() throws Exception {
        Path dir = Files.createDirectories(root.resolve("api-requests"));
        Files.writeString(dir.resolve("trainops-1-a.tsv"), "GET\t/api/v1/nodes\t\t\t\nPOST\t/apis/batch/v1/namespaces/team-a/jobs\t\t\t\n");
        Files.writeString(dir.resolve("trainops-2-b.tsv"), "GET\t/api/v1/nodes\t\t\t\n");
        Files.writeString(dir.resolve("notes.txt"), "not a recording");
        assertThat(LeastPrivilege.recorded(dir)).extracting(ApiRequest::toString)
                .containsExactly("GET /api/v1/nodes", "POST /apis/batch/v1/namespaces/team-a/jobs");
        assertThat(LeastPrivilege.recorded(root.resolve("none"))).isEmpty();
    }
}
