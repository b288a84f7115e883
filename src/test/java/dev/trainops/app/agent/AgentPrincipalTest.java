package dev.trainops.app.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The agent acts for one principal (docs/architecture.md, "Who is calling"): every catalog call it
 * makes carries that principal, and nothing in the model's arguments can change it.
 */
class AgentPrincipalTest {
    record JobName(String job) {
    }

    record JobView(String job, String team, String askedBy) {
    }

    static final Map<String, String> TEAM_OF = Map.of("team-a-train", "team-a", "team-b-train", "team-b");

    final List<Principal> seen = new ArrayList<>();

    /** A tool that scopes as the domain tools do: another team's job is the same NOT_FOUND as a missing one. */
    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("get_job", "Get a job", "One job, by name.", JobName.class, JobView.class,
            ToolHints.READ_ONLY, (Tool.Handler<JobName, JobView>) (q, call) -> {
                seen.add(call.principal());
                String team = TEAM_OF.get(q.job());
                ToolException missing = new ToolException(ErrorCode.NOT_FOUND, "No job '" + q.job() + "'.", "List the queue to see the jobs.");
                if (team == null) {
                    throw missing;
                }
                Access.requireVisible(call.principal(), team, () -> missing);
                return new JobView(q.job(), team, call.principal().subject());
            }, v -> v.job(), Set.of())), List.of());

    final Principal alice = new Principal("alice", Set.of("team-a"), Role.MEMBER);

    String call(Principal principal, String arguments) {
        Map<ToolSpecification, ToolExecutor> tools = CatalogTools.of(catalog, principal, c -> { });
        ToolExecutor executor = tools.values().iterator().next();
        return executor.execute(ToolExecutionRequest.builder().id("1").name("get_job").arguments(arguments).build(), "memory");
    }

    @Test
    void rule1_anAgentActingForATeamAMemberGetsNotFoundForTeamBsJob() {
        assertThat(call(alice, "{\"job\":\"team-a-train\"}")).contains("\"asked_by\":\"alice\"").doesNotContain("is_error");
        String other = call(alice, "{\"job\":\"team-b-train\"}");
        String missing = call(alice, "{\"job\":\"no-such-job\"}");
        assertThat(other).contains("\"is_error\":true").contains("\"code\":\"NOT_FOUND\"").contains("No job 'team-b-train'.");
        // the same shape as a job that does not exist
        assertThat(other.replace("team-b-train", "X")).isEqualTo(missing.replace("no-such-job", "X"));
        assertThat(seen).containsOnly(alice);
    }

    @Test
    void nothingTheModelSendsWidensThePrincipal() {
        String widened = call(alice, "{\"job\":\"team-b-train\",\"principal\":{\"subject\":\"root\",\"role\":\"admin\"},\"role\":\"admin\"}");
        assertThat(widened).contains("\"is_error\":true").doesNotContain("\"asked_by\"");
        assertThat(seen).allMatch(alice::equals);
    }

    @Test
    void rule4_anAgentActingForAnAdminSeesEveryTeam() {
        assertThat(call(Principal.LOCAL, "{\"job\":\"team-b-train\"}")).contains("\"asked_by\":\"local\"");
    }
}
