package dev.trainops.catalog;

import java.util.Map;

/** The result of one tool call as the adapters see it: structured content plus a short text. */
public sealed interface ToolOutcome {

    String text();

    /** The call worked: {@code structured} validates against the tool's output schema. */
    record Success(Map<String, Object> structured, String text) implements ToolOutcome {
        public Success {
            // nulls are meaningful here (an unknown value), so no Map.copyOf
            structured = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(structured));
        }
    }

    /** The call failed in a way the client can act on; {@code error} is the structured form. */
    record Failure(ToolError error, String text) implements ToolOutcome {
    }
}
