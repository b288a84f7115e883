package dev.trainops.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "Least privilege that is checked": after every test ran (the unit tests that run the
 * whole app on fabric8's CRUD mock API server, and the end-to-end tests), what trainops's own client
 * requested (recorded by {@code ApiRequestLog} under {@code TRAINOPS_API_REQUEST_LOG}) is compared
 * with the roles in deploy/: nothing requested is missing from them, and they grant nothing that was
 * never requested. Run by src/pom.xml's second failsafe execution (post-integration-test, profile
 * {@code least-privilege}), which a run of a chosen IT ({@code -Dit.test=...}) skips: a few tests
 * cannot show that a grant is unused.
 */
class LeastPrivilegeCheck {
    @Test
    void deployRbacAllowsEveryRequestTrainopsMadeAndGrantsNothingElse() {
        String dir = System.getenv("TRAINOPS_API_REQUEST_LOG");
        assertThat(dir).as("TRAINOPS_API_REQUEST_LOG is set for the tests in src/pom.xml").isNotBlank();
        List<ApiRequest> recorded = LeastPrivilege.recorded(Path.of(dir));
        assertThat(recorded).as("no request was recorded in " + dir + ": did the tests run with TRAINOPS_API_REQUEST_LOG (src/pom.xml)?")
                .isNotEmpty();
        List<Grant> grants = RbacFiles.grants(RbacFiles.root(), RbacFiles.FILES);
        LeastPrivilege.Verdict verdict = LeastPrivilege.compare(recorded, grants, RbacFiles.FILES);
        System.out.println(recorded.size() + " distinct requests recorded in " + dir + "; " + grants.size() + " grants in " + RbacFiles.FILES);
        // what the recording needs, for the log: one line per verb, group, resource and scope
        recorded.stream().flatMap(r -> r.permissions().stream())
                .map(p -> p.what() + (p.nonResourceUrl() != null ? "" : p.namespace() == null ? " (cluster-wide)" : " (namespaced)"))
                .distinct().sorted().forEach(line -> System.out.println("  needs " + line));
        assertThat(verdict.missing()).as("requests trainops made that deploy/'s roles do not allow").isEmpty();
        assertThat(verdict.unused()).as("grants in deploy/ that no request needed").isEmpty();
    }
}
