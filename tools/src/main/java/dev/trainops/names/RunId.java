package dev.trainops.names;

/**
 * An MLflow run id: 32 lowercase hex digits. A run may also be named by its run name, so callers
 * that take either ask {@link #isValid} first and fall back to a {@link SafeName}.
 */
public record RunId(String value) {
    private static final NameRule RULE = NameRule.of("^[0-9a-f]{32}$", "is not an MLflow run id",
            "MLflow run ids are 32 hex digits, as the MLflow UI shows them under Run ID.");

    public RunId {
        RULE.require(value, "an MLflow run id is 32 lowercase hex digits");
    }

    public static boolean isValid(String raw) {
        return RULE.matches(raw);
    }

    /** The run id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static RunId parse(String argument, String raw) {
        return new RunId(RULE.parse(argument, raw));
    }

    @Override
    public String toString() {
        return value;
    }
}
