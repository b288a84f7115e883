package dev.trainops.catalog;

import java.util.Map;
import java.util.Objects;

/**
 * The one domain error type. It carries a code, a message that says what happened and what to do
 * next, a hint, and the facts behind it; the MCP layer turns it into an {@code isError} result and
 * the agent into a tool answer, so no Java class name or stack trace reaches a client.
 */
public final class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String hint;
    private final boolean retryable;
    private final Map<String, Object> details;

    public ToolException(ErrorCode code, String message, String hint) {
        this(code, message, hint, code.retryableByDefault(), Map.of());
    }

    public ToolException(ErrorCode code, String message, String hint, boolean retryable, Map<String, Object> details) {
        super(Objects.requireNonNull(message, "message"));
        this.code = Objects.requireNonNull(code, "code");
        this.hint = hint == null ? "" : hint;
        this.retryable = retryable;
        this.details = Map.copyOf(details);
    }

    public static ToolException invalidArgument(String argument, String message, String hint) {
        return new ToolException(ErrorCode.INVALID_ARGUMENT, message, hint, false, Map.of("argument", argument));
    }

    public ErrorCode code() {
        return code;
    }

    public String hint() {
        return hint;
    }

    public boolean retryable() {
        return retryable;
    }

    public Map<String, Object> details() {
        return details;
    }

    public ToolError toError() {
        return new ToolError(code, getMessage(), hint, retryable, details);
    }
}
