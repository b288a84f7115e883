package dev.trainops.app;

/**
 * {@code --controllers}: whether this process runs the control loops (admission, usage recording,
 * the metrics collector, the training poller, and the controllers to come; docs/architecture.md,
 * "Roles of a process"). Every process serves MCP and reads either way.
 */
public enum Controllers {
    /** On for a local store (SQLite in --data-dir); for a shared one (TRAINOPS_DB_URL), only while holding the Lease trainops-leader. */
    auto,
    /** Always, on any store (the per-pass advisory lock still keeps two processes' passes apart). */
    on,
    /** Never: this process serves and reads; another runs the loops. */
    off;

    /**
     * What {@code asked} means beside {@code --read-only}: a read-only process writes nothing, so it
     * runs no control loop; asking for them too is a usage error naming both options and the fix.
     */
    static Controllers withReadOnly(Controllers asked, boolean readOnly) {
        if (!readOnly) {
            return asked;
        }
        if (asked == on) {
            throw new IllegalArgumentException("--read-only and --controllers on do not go together: a read-only server writes nothing, "
                    + "so it cannot run the control loops. Drop --controllers on (--read-only implies --controllers off), or drop --read-only.");
        }
        return off;
    }

    /** The role this choice gives a process on {@code config}'s store. */
    Leadership leadership(TrainopsConfig config) {
        return switch (this) {
            case on -> Leadership.ALWAYS;
            case off -> Leadership.NEVER;
            case auto -> config.sharedStore() ? new LeaseElection(config.candidate(), LeaseElection.Timing.PRODUCT) : Leadership.ALWAYS;
        };
    }
}
