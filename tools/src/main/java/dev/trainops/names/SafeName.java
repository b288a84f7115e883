package dev.trainops.names;

/**
 * A model, run or job name that may be written between single quotes into an MLflow search filter
 * ({@code attributes.run_name = '...'}): 1-128 letters, digits, spaces and {@code _ . : / -}, so no
 * quote can end the string early. Every name a caller gives that reaches a filter is one of these.
 */
public record SafeName(String value) {
    private static final String ALLOWED = "1-128 letters, digits, spaces or _ . : / -";
    private static final NameRule RULE = NameRule.of("^[A-Za-z0-9_.:/ -]{1,128}$", "must be " + ALLOWED, null);

    public SafeName {
        RULE.require(value, "a safe name is " + ALLOWED);
    }

    public static boolean isValid(String raw) {
        return RULE.matches(raw);
    }

    /** The name in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}, with a general fix. */
    public static SafeName parse(String argument, String raw) {
        return parse(argument, raw, "Use a name of " + ALLOWED + ", e.g. " + argument + "=llm-lr3e-4.");
    }

    /** As {@link #parse(String, String)}, with the fix that fits where the name comes from. */
    public static SafeName parse(String argument, String raw, String fix) {
        return new SafeName(RULE.parse(argument, raw, fix));
    }

    @Override
    public String toString() {
        return value;
    }
}
