package dev.trainops.app;

import picocli.CommandLine.Option;

/** {@code serve}'s options for what the server lets through (a picocli mixin). */
final class GateOptions {
    @Option(names = "--rate-limit", paramLabel = "N", defaultValue = "120",
            description = "Tool calls a minute per principal, in bursts of up to N; beyond it a call answers RATE_LIMITED with "
                    + "retry_after_seconds (default: ${DEFAULT-VALUE}; 0: no limit).")
    int rateLimit;

    @Option(names = "--read-only", description = "List only read-only tools and write nothing to the cluster or the store: no "
            + "admission or usage recording, PriorityClasses checked, not created, and the store neither created nor migrated.")
    boolean readOnly;

    /** @throws IllegalArgumentException naming the option to fix */
    Gates gates() {
        return new Gates(rateLimit, readOnly);
    }
}
