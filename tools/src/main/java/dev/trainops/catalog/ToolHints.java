package dev.trainops.catalog;

/** MCP tool annotations: what calling the tool does to the world. */
public record ToolHints(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {
    /** A read that changes nothing and may be repeated freely. */
    public static final ToolHints READ_ONLY = new ToolHints(true, false, true, false);

    public ToolHints {
        if (readOnly && destructive) {
            throw new IllegalArgumentException("a read-only tool cannot be destructive");
        }
    }
}
