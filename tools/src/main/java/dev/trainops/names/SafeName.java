package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model, run or job name that may be written between single quotes into an MLflow search filter
 * ({@code attributes.run_name = '...'}): 1-128 letters, digits, spaces and {@code _ . : / -}, so no
 * quote can end the string early. Every name a caller gives that reaches a filter is one of these.
 */
public record SafeName(String value) {
    private static final Pattern RULE = Pattern.compile("^[A-Za-z0-9_.:/ -]{1,128}$");
    private static final String ALLOWED = "1-128 letters, digits, spaces or _ . : / -";

    public SafeName {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("a safe name is " + ALLOWED + ", not " + Json.shorten(value));
        }
    }

    public static boolean isValid(String raw) {
        return raw != null && RULE.matcher(raw).matches();
    }

    /** The name in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}, with a general fix. */
    public static SafeName parse(String argument, String raw) {
        return parse(argument, raw, "Use a name of " + ALLOWED + ", e.g. " + argument + "=llm-lr3e-4.");
    }

    /** As {@link #parse(String, String)}, with the fix that fits where the name comes from. */
    public static SafeName parse(String argument, String raw, String fix) {
        String v = raw == null ? "" : raw.trim();
        if (!isValid(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' must be " + ALLOWED + " (got '" + Json.shorten(v)
                    + "').", fix);
        }
        return new SafeName(v);
    }

    @Override
    public String toString() {
        return value;
    }
}
