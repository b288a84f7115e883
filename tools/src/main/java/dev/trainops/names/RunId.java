package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An MLflow run id: 32 lowercase hex digits. A run may also be named by its run name, so callers
 * that take either ask {@link #isValid} first and fall back to a {@link SafeName}.
 */
public record RunId(String value) {
    private static final Pattern RULE = Pattern.compile("^[0-9a-f]{32}$");

    public RunId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("an MLflow run id is 32 lowercase hex digits, not " + Json.shorten(value));
        }
    }

    public static boolean isValid(String raw) {
        return raw != null && RULE.matcher(raw).matches();
    }

    /** The run id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static RunId parse(String argument, String raw) {
        String v = raw == null ? "" : raw.trim();
        if (!isValid(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' is not an MLflow run id (got '" + Json.shorten(v)
                    + "').", "MLflow run ids are 32 hex digits, as the MLflow UI shows them under Run ID.");
        }
        return new RunId(v);
    }

    @Override
    public String toString() {
        return value;
    }
}
