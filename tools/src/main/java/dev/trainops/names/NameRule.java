package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One name's rule, with what a caller is told when a value breaks it: {@code rule} is the sentence
 * after "Argument 'x' ..." and {@code fix} the hint.
 */
record NameRule(Predicate<String> test, String rule, String fix) {
    static NameRule of(String regex, String rule, String fix) {
        return new NameRule(Pattern.compile(regex).asMatchPredicate(), rule, fix);
    }

    boolean matches(String raw) {
        return raw != null && test.test(raw);
    }

    /** {@code raw} trimmed, or INVALID_ARGUMENT naming {@code argument}, with {@code fix} as the hint. */
    String parse(String argument, String raw, String fix) {
        String v = raw == null ? "" : raw.trim();
        if (!matches(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' " + rule + " (got '" + Json.shorten(v) + "').", fix);
        }
        return v;
    }

    String parse(String argument, String raw) {
        return parse(argument, raw, fix);
    }

    /** For a record's constructor: a value that breaks the rule is a programming error there. */
    String require(String value, String what) {
        if (!matches(value)) {
            throw new IllegalArgumentException(what + ", not " + Json.shorten(value));
        }
        return value;
    }
}
