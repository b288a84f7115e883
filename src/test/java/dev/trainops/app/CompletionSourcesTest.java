package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.Completions;
import dev.trainops.catalog.ToolOutcome;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where each kind of completion comes from, on the whole app over the sandbox (docs/tools.md,
 * "Completions"): teams from budgets.yaml and quotas.yaml, models and run names from the run
 * history and the queue, job ids from the queue, months from the ledger to the clock's month.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompletionSourcesTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();

    Trainops trainops;
    Completions completions;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        trainops = Trainops.create(new Trainops.Settings(CONFIG, dir.resolve("data"), true, 1.0));
        trainops.connect();
        completions = trainops.catalog().completions();
    }

    @AfterAll
    void stop() {
        trainops.close();
    }

    /** The sandbox seeds its history and the store opens in the background: wait for them, bounded. */
    static void await(String what, BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 240 && !done.getAsBoolean(); i++) {
            Thread.sleep(250);
        }
        assertThat(done.getAsBoolean()).as(what + " within 60 s").isTrue();
    }

    @Test
    void teamsAreThoseBudgetsAndQuotasName() {
        assertThat(completions.complete("team", "").values()).containsExactlyElementsOf(trainops.config().teams())
                .containsExactly("team-a", "team-b", "team-c");
        assertThat(completions.complete("team", "TEAM-B").values()).containsExactly("team-b");
    }

    @Test
    void modelsComeFromTheRunHistory() throws InterruptedException {
        await("the sandbox history", () -> !completions.complete("model", "").values().isEmpty());
        assertThat(completions.complete("model", "ll").values()).contains("llm").allMatch(m -> m.startsWith("ll"));
    }

    @Test
    void runNamesAndJobIdsComeFromTheQueueAndRunsFromTheHistory() throws InterruptedException {
        await("the queue", () -> trainops.catalog().invoke("get_job_queue_status", Map.of()) instanceof ToolOutcome.Success);
        ToolOutcome queued = trainops.catalog().invoke("queue_training_job", Map.of("model", "mnist", "run_name", "completion-mnist-1",
                "team", "team-a", "epochs", 1, "batch_size", 32));
        assertThat(queued).as(String.valueOf(queued)).isInstanceOf(ToolOutcome.Success.class);
        String jobId = (String) ((ToolOutcome.Success) queued).structured().get("job_id");

        Completions.Answer ids = completions.complete("job_id", "");
        assertThat(ids.values()).first().as("the newest job first").isEqualTo(jobId);
        assertThat(completions.complete("job_id", jobId).values()).containsExactly(jobId);
        assertThat(completions.complete("run_id", "completion-").values()).containsExactly("completion-mnist-1");
        assertThat(completions.complete("run_id", jobId).values()).containsExactly(jobId);
        assertThat(completions.complete("model", "mni").values()).containsExactly("mnist");
        await("the sandbox history", () -> completions.complete("run_id", "").total() > 2);
    }

    @Test
    void monthsRunFromTheLedgersFirstUsageToTheClocksMonthNewestFirst() throws InterruptedException {
        YearMonth now = YearMonth.now(trainops.clock().withZone(ZoneOffset.UTC));
        await("the ledger", () -> !completions.complete("month", "").values().isEmpty());
        List<String> months = completions.complete("month", "").values();
        assertThat(months.get(0)).isEqualTo(now.toString());
        for (int i = 1; i < months.size(); i++) {
            assertThat(YearMonth.parse(months.get(i))).isEqualTo(YearMonth.parse(months.get(i - 1)).minusMonths(1));
        }
        assertThat(completions.complete("month", now.getYear() + "-").values()).contains(now.toString());
    }

    static final dev.trainops.access.Principal TEAM_A = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"),
            dev.trainops.access.Role.MEMBER);
    static final dev.trainops.access.Principal TEAM_B = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"),
            dev.trainops.access.Role.VIEWER);

    @Test
    void rule5_completionsOfferOnlyTheCallersTeams() throws InterruptedException {
        assertThat(completions.complete("team", "", TEAM_B).values()).containsExactly("team-b");
        assertThat(completions.complete("team", "team-a", TEAM_B).values()).isEmpty();
        // the sandbox's runs carry their team's tag: llm-* are team-a's, mnist-bs32 team-b's, validation-suite team-c's
        await("the sandbox history", () -> completions.complete("run_id", "mnist-bs32", TEAM_B).total() == 1);
        assertThat(completions.complete("run_id", "", TEAM_B).values()).doesNotContain("llm-bs64-baseline", "llm-bs128", "validation-suite");
        assertThat(completions.complete("run_id", "", TEAM_A).values()).contains("llm-bs64-baseline").doesNotContain("mnist-bs32");
        assertThat(completions.complete("run_id", "", dev.trainops.access.Principal.LOCAL).values())
                .contains("llm-bs64-baseline", "mnist-bs32", "validation-suite");
    }

    @Test
    void rule5_jobIdsAndPromptArgumentsOfAnotherTeamAreNotFound() throws InterruptedException {
        await("the queue", () -> trainops.catalog().invoke("get_job_queue_status", Map.of()) instanceof ToolOutcome.Success);
        ToolOutcome queued = trainops.catalog().invoke("queue_training_job", Map.of("model", "mnist", "run_name", "rule5-mnist",
                "team", "team-a", "epochs", 1, "batch_size", 32));
        assertThat(queued).as(String.valueOf(queued)).isInstanceOf(ToolOutcome.Success.class);
        String jobId = (String) ((ToolOutcome.Success) queued).structured().get("job_id");
        assertThat(completions.complete("job_id", jobId, TEAM_A).values()).containsExactly(jobId);
        assertThat(completions.complete("job_id", jobId, TEAM_B).values()).isEmpty();
        assertThat(completions.complete("run_id", "rule5-", TEAM_B).values()).isEmpty();

        completions.requireVisible(Map.of("job_id", jobId, "team", "team-a"), TEAM_A);
        completions.requireVisible(Map.of("job_id", jobId, "team", "team-b"), dev.trainops.access.Principal.LOCAL);
        String unknownJob = "tj-000000000000";
        assertThatThrownBy(() -> completions.requireVisible(Map.of("job_id", jobId), TEAM_B))
                .isInstanceOfSatisfying(dev.trainops.catalog.ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
                    Throwable unknown = org.assertj.core.api.Assertions.catchThrowable(
                            () -> completions.requireVisible(Map.of("job_id", unknownJob), TEAM_B));
                    assertThat(e.getMessage()).isEqualTo(unknown.getMessage().replace(unknownJob, jobId));
                });
        assertThatThrownBy(() -> completions.requireVisible(Map.of("team", "team-a"), TEAM_B))
                .hasMessage("No team 'team-a'.");
    }

    @Test
    void rule5_aRunIdPromptArgumentOfAnotherTeamIsNotFoundAsAnUnknownOne() throws InterruptedException {
        // train_cheaper's run_id: a run of the caller's teams by name, or its team's job by id or run name (rule 6)
        await("the sandbox history", () -> completions.complete("run_id", "mnist-bs32", TEAM_B).total() == 1);
        completions.requireVisible(Map.of("run_id", "mnist-bs32"), TEAM_B);
        completions.requireVisible(Map.of("run_id", "llm-bs128"), TEAM_A);
        completions.requireVisible(Map.of("run_id", "mnist-bs32"), dev.trainops.access.Principal.LOCAL);
        assertThatThrownBy(() -> completions.requireVisible(Map.of("run_id", "mnist-bs32"), TEAM_A))
                .isInstanceOfSatisfying(dev.trainops.catalog.ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("No run 'mnist-bs32'.");
                });
        assertThatThrownBy(() -> completions.requireVisible(Map.of("run_id", "no-such-run"), TEAM_A)).hasMessage("No run 'no-such-run'.");

        await("the queue", () -> trainops.catalog().invoke("get_job_queue_status", Map.of()) instanceof ToolOutcome.Success);
        ToolOutcome queued = trainops.catalog().invoke("queue_training_job", Map.of("model", "mnist", "run_name", "rule5-run",
                "team", "team-a", "epochs", 1, "batch_size", 32));
        String jobId = (String) ((ToolOutcome.Success) queued).structured().get("job_id");
        completions.requireVisible(Map.of("run_id", jobId), TEAM_A);
        completions.requireVisible(Map.of("run_id", "rule5-run"), TEAM_A);
        assertThatThrownBy(() -> completions.requireVisible(Map.of("run_id", jobId), TEAM_B)).hasMessage("No run '" + jobId + "'.");
        assertThatThrownBy(() -> completions.requireVisible(Map.of("run_id", "rule5-run"), TEAM_B)).hasMessage("No run 'rule5-run'.");
    }
}
