package dev.trainops.names;

import java.util.Optional;

/** A trainops job id: {@code tj-} and 12 hex digits, as {@code queue_training_job} hands them out. */
public record JobId(String value) {
    private static final NameRule RULE = NameRule.of("^tj-[0-9a-f]{12}$", "is not a trainops job id",
            "Job ids look like tj-3f9a2c1b7e4d (from queue_training_job or get_job_queue_status).");

    public JobId {
        RULE.require(value, "a job id is tj- and 12 lowercase hex digits");
    }

    public static boolean isValid(String raw) {
        return RULE.matches(raw);
    }

    /** The job id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static JobId parse(String argument, String raw) {
        return new JobId(RULE.parse(argument, raw));
    }

    /** As {@link #parse}, with a missing or blank {@code raw} as empty. */
    public static Optional<JobId> parseOptional(String argument, String raw) {
        return raw == null || raw.isBlank() ? Optional.empty() : Optional.of(parse(argument, raw));
    }

    @Override
    public String toString() {
        return value;
    }
}
