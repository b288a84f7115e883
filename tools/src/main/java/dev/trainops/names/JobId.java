package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** A trainops job id: {@code tj-} and 12 hex digits, as {@code queue_training_job} hands them out. */
public record JobId(String value) {
    private static final Pattern RULE = Pattern.compile("^tj-[0-9a-f]{12}$");

    public JobId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("a job id is tj- and 12 lowercase hex digits, not " + Json.shorten(value));
        }
    }

    public static boolean isValid(String raw) {
        return raw != null && RULE.matcher(raw).matches();
    }

    /** The job id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static JobId parse(String argument, String raw) {
        String v = raw == null ? "" : raw.trim();
        if (!isValid(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' is not a trainops job id (got '" + Json.shorten(v)
                    + "').", "Job ids look like tj-3f9a2c1b7e4d (from queue_training_job or get_job_queue_status).");
        }
        return new JobId(v);
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
