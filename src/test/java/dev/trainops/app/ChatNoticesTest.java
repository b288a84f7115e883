package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code trainops chat} prints of a job event or a quota/budget warning as it arrives. */
class ChatNoticesTest {
    static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aJobNearItsCapAndItsStopAreMarkedAsWarningsAndAStartIsNot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChatNotices notices = new ChatNotices(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        notices.job(new JobEvent(JobEvent.Kind.STARTED, "tj-000000000001", "team-a", "llm-5ep", "Running on h100-a.", AT));
        notices.job(new JobEvent(JobEvent.Kind.NEAR_MAX_COST, "tj-000000000001", "team-a", "llm-5ep",
                "It has cost $4.01 of its max_cost $5.00 (80%) and is stopped at 100% (MAX_COST_REACHED).", AT));
        notices.team(new TeamWarning(TeamWarning.Kind.QUOTA, "team-a", "gpu", 0.8, 0.8, "team-a uses 8 of its 10 gpu quota.", AT));

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "[trainops] - job tj-000000000001 (llm-5ep, team-a) STARTED: Running on h100-a.",
                "[trainops] ! job tj-000000000001 (llm-5ep, team-a) NEAR_MAX_COST: It has cost $4.01 of its max_cost $5.00 (80%) and is "
                        + "stopped at 100% (MAX_COST_REACHED).",
                "[trainops] ! team-a gpu quota at 80.0% (warns at 80%): team-a uses 8 of its 10 gpu quota.");
    }
}
