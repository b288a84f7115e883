package dev.trainops.app;

import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import java.io.PrintStream;
import java.util.Set;

/**
 * What {@code trainops chat} shows between turns as it happens: the queue's job events and the
 * quota and budget warnings, the same ones an MCP client receives as log notifications
 * (docs/monitoring.md). Warnings (a job at 80% of its max_cost or stopped at it, preempted or
 * failed; a quota at 80%, a budget at 70%) are marked with "!".
 */
final class ChatNotices {
    static final Set<JobEvent.Kind> WARNINGS = Set.of(JobEvent.Kind.PREEMPTED, JobEvent.Kind.FAILED, JobEvent.Kind.NEAR_MAX_COST,
            JobEvent.Kind.MAX_COST_REACHED);

    private final PrintStream out;

    ChatNotices(PrintStream out) {
        this.out = out;
    }

    void job(JobEvent event) {
        print((WARNINGS.contains(event.kind()) ? "! " : "- ") + event.message());
    }

    void team(TeamWarning warning) {
        print("! " + warning.message());
    }

    /** One line; the stream's lock keeps it whole beside the agent's answers. */
    private void print(String line) {
        synchronized (out) {
            out.println("[trainops] " + line);
            out.flush();
        }
    }
}
