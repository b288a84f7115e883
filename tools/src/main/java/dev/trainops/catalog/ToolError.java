package dev.trainops.catalog;

import java.util.Map;
import java.util.Objects;

/** The wire form of a failed tool call: {@code {code, message, hint, retryable, details}}. */
public record ToolError(ErrorCode code, String message, String hint, boolean retryable, Map<String, Object> details) {
    public ToolError {
        Objects.requireNonNull(code, "code must not be null");
        Objects.requireNonNull(message, "message must not be null");
        hint = hint == null ? "" : hint;
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
