package dev.trainops.app;

import static dev.trainops.app.JobTemplatesSandboxTest.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolOutcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 5 (DESIGN.md, "Identity and tenancy") on the sandbox, through the resources the server
 * publishes (CatalogModule): trainops://jobs/{job_id} and trainops://queue read get_job_queue_status
 * as the caller, so a member reading another team's job gets the NOT_FOUND of a job that does not
 * exist, and the queue holds its teams' jobs only.
 */
class QueueTenancySandboxTest {
    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);

    @TempDir
    Path dir;

    static Map<String, Object> job(String team, String run) {
        return Map.of("model", "mnist", "run_name", run, "team", team, "epochs", 1, "batch_size", 64, "gpu_type", "L4", "gpu_count", 1);
    }

    static ToolError error(ToolOutcome outcome) {
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) outcome).error();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jobs(ToolOutcome outcome) {
        assertThat(outcome).isInstanceOf(ToolOutcome.Success.class);
        return (List<Map<String, Object>>) ((ToolOutcome.Success) outcome).structured().get("jobs");
    }

    @Test
    void rule5_aMemberReadingAnotherTeamsJobResourceGetsNotFoundAndTheQueueResourceHoldsItsTeamsJobsOnly() throws Exception {
        Path config = dir.resolve("config");
        UnpricedUsageTest.copyTree(JobTemplatesSandboxTest.CONFIG, config);
        try (Trainops trainops = Trainops.create(new Trainops.Settings(config, dir.resolve("data"), true, 1.0))) {
            trainops.connect();
            String mine = (String) succeed(trainops, "queue_training_job", job("team-a", "alice-run")).get("job_id");
            String theirs = (String) succeed(trainops, "queue_training_job", job("team-b", "bob-run")).get("job_id");
            CallContext alice = CallContext.of(ALICE);

            ToolError other = error(trainops.catalog().readResource("trainops://jobs/" + theirs, alice));
            ToolError none = error(trainops.catalog().readResource("trainops://jobs/tj-000000000000", alice));
            assertThat(other.code().name()).isEqualTo("NOT_FOUND");
            assertThat(other.message()).isEqualTo(none.message().replace("tj-000000000000", theirs));
            assertThat(other.hint()).isEqualTo(none.hint());
            assertThat(other.details()).isEqualTo(none.details());

            assertThat(jobs(trainops.catalog().readResource("trainops://jobs/" + mine, alice))).singleElement()
                    .satisfies(j -> assertThat(j.get("job_id")).isEqualTo(mine));
            List<Map<String, Object>> queue = jobs(trainops.catalog().readResource("trainops://queue", alice));
            assertThat(queue).extracting(j -> j.get("team")).containsOnly("team-a");
            assertThat(queue).extracting(j -> j.get("job_id")).contains(mine).doesNotContain(theirs);
            // the local admin reads both
            assertThat(jobs(trainops.catalog().readResource("trainops://queue", CallContext.NONE))).extracting(j -> j.get("job_id"))
                    .contains(mine, theirs);
        }
    }
}
