package dev.trainops.catalog;

/**
 * Where a long tool call reports how far it got, while it runs. The MCP adapter turns each report
 * into a progress notification for a client that asked for them; the agent and every other caller
 * pass {@link #NONE}.
 */
@FunctionalInterface
public interface Progress {

    /** {@code done} of {@code total} steps are done; {@code message} says which, for a person. */
    void report(int done, int total, String message);

    Progress NONE = (done, total, message) -> {
    };
}
