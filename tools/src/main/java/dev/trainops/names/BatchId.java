package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.Objects;
import java.util.regex.Pattern;

/** A trainops batch id: {@code tb-} and 12 hex digits, as {@code submit_batch_training} hands them out. */
public record BatchId(String value) {
    private static final Pattern RULE = Pattern.compile("^tb-[0-9a-f]{12}$");

    public BatchId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("a batch id is tb- and 12 lowercase hex digits, not " + Json.shorten(value));
        }
    }

    public static boolean isValid(String raw) {
        return raw != null && RULE.matcher(raw).matches();
    }

    /** The batch id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static BatchId parse(String argument, String raw) {
        String v = raw == null ? "" : raw.trim();
        if (!isValid(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' is not a trainops batch id (got '"
                    + Json.shorten(v) + "').", "Batch ids look like tb-3f9a2c1b7e4d (from submit_batch_training).");
        }
        return new BatchId(v);
    }

    @Override
    public String toString() {
        return value;
    }
}
