package dev.trainops.catalog;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Turns raw JSON arguments into a request record, or into an INVALID_ARGUMENT error that names the
 * argument, what was wrong and what is accepted. The checks follow the record: its components are
 * the arguments, {@link Nullable} ones are optional, {@link Bounds} limits numbers, every string is
 * capped at {@link #MAX_STRING_LENGTH} characters and may hold neither NUL nor half a surrogate pair,
 * and no argument nests deeper than {@link #MAX_DEPTH} (issue 14, "Bad input at scale": what a
 * store, a Kubernetes name or a JSON writer cannot take is refused here, by name, not deep inside).
 */
final class ArgumentBinder {
    static final int MAX_STRING_LENGTH = 256;
    /** Objects and arrays inside objects and arrays: no tool's arguments need more than a few. */
    static final int MAX_DEPTH = 16;

    <Q extends Record> Q bind(Map<String, Object> arguments, Class<Q> type) {
        for (var e : arguments.entrySet()) {
            if (depth(e.getValue(), 1) > MAX_DEPTH) {
                String argument = Json.shorten(String.valueOf(e.getKey()));
                throw ToolException.invalidArgument(argument, "Argument '" + argument + "' nests objects or arrays more than " + MAX_DEPTH
                        + " levels deep.", "Send " + argument + " as " + describeShallow(argument, type) + ".");
            }
        }
        checkShape("", arguments, type);
        Q request;
        try {
            request = Json.MAPPER.convertValue(arguments, type);
        } catch (ValueInstantiationException e) {
            throw unwrap(e);
        } catch (JacksonException e) {
            throw translate(e, type);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof ValueInstantiationException vie) {
                throw unwrap(vie);
            }
            if (e.getCause() instanceof JacksonException je) {
                throw translate(je, type);
            }
            throw e;
        }
        checkBounds("", request);
        return request;
    }

    private static Map<String, RecordComponent> components(Class<?> type) {
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            components.put(Schemas.wireName(c.getName()), c);
        }
        return components;
    }

    /**
     * Unknown, missing and over-long arguments, at any depth: an object inside an argument is
     * checked against its record, each element of an array of objects too, and errors name the
     * path ({@code configs[1].epochs}).
     */
    private static void checkShape(String prefix, Map<?, ?> arguments, Class<?> type) {
        Map<String, RecordComponent> components = components(type);
        for (Object k : arguments.keySet()) {
            String key = String.valueOf(k);
            if (!components.containsKey(key)) {
                String where = prefix.isEmpty() ? "" : " in " + prefix.substring(0, prefix.length() - 1);
                throw ToolException.invalidArgument(Json.shorten(prefix + key),
                        "Unknown argument '" + Json.shorten(prefix + key) + "'.",
                        components.isEmpty() ? "This tool takes no arguments."
                                : "Accepted arguments" + where + ": " + String.join(", ", components.keySet()) + ".");
            }
        }
        for (var entry : components.entrySet()) {
            RecordComponent c = entry.getValue();
            String path = prefix + entry.getKey();
            Object value = arguments.get(entry.getKey());
            boolean optional = c.isAnnotationPresent(Nullable.class);
            if (value == null && !optional) {
                throw ToolException.invalidArgument(path,
                        "Missing required argument '" + path + "' (" + describe(c.getGenericType()) + ").",
                        "Call again with " + path + " set.");
            }
            Bounds bounds = c.getAnnotation(Bounds.class);
            if (bounds != null && value instanceof List<?> list && (list.size() < bounds.min() || list.size() > bounds.max())) {
                // before binding, and before its strings are checked: ten thousand items are refused without looking at each
                throw ToolException.invalidArgument(path,
                        "Argument '" + path + "' has " + list.size() + " item(s); it must have " + range(bounds) + ".",
                        "Call again with " + range(bounds) + " items in " + path + ".");
            }
            checkStrings(path, value);
            if (value instanceof Map<?, ?> m && Map.class.isAssignableFrom(c.getType()) && m.values().stream().anyMatch(java.util.Objects::isNull)) {
                // its schema says each value is a string (additionalProperties), as the map's values are
                throw ToolException.invalidArgument(path, "Argument '" + path + "' holds a null value; each of its values is a string.",
                        "Leave the key out, or send it with a string value.");
            }
            Class<?> nested = recordType(c.getGenericType());
            if (nested != null && value instanceof Map<?, ?> m && c.getType().isRecord()) {
                checkShape(path + ".", m, nested);
            } else if (nested != null && value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> m) {
                        checkShape(path + "[" + i + "].", m, nested);
                    }
                }
            }
        }
    }

    /** How deep objects and arrays nest in {@code value}, counted from {@code level}; stops counting past {@link #MAX_DEPTH}. */
    static int depth(Object value, int level) {
        if (level > MAX_DEPTH) {
            return level;
        }
        int deepest = level;
        if (value instanceof Map<?, ?> m) {
            for (Object v : m.values()) {
                deepest = Math.max(deepest, depth(v, level + 1));
            }
        } else if (value instanceof Collection<?> c) {
            for (Object v : c) {
                deepest = Math.max(deepest, depth(v, level + 1));
                if (deepest > MAX_DEPTH) {
                    break;
                }
            }
        }
        return deepest;
    }

    private static String describeShallow(String argument, Class<?> type) {
        RecordComponent c = components(type).get(argument);
        return c == null ? "a flat value" : describe(c.getGenericType());
    }

    /** The record a component holds, directly or as the elements of a list; null for anything else. */
    private static Class<?> recordType(Type type) {
        if (type instanceof Class<?> c && c.isRecord()) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] instanceof Class<?> e && e.isRecord()) {
            return e;
        }
        return null;
    }

    private static void checkStrings(String argument, Object value) {
        if (value instanceof String s && s.length() > MAX_STRING_LENGTH) {
            throw ToolException.invalidArgument(argument,
                    "Argument '" + argument + "' is " + s.length() + " characters long; the limit is " + MAX_STRING_LENGTH + ".",
                    "Send a shorter value.");
        } else if (value instanceof String s && !storable(s)) {
            throw ToolException.invalidArgument(argument,
                    "Argument '" + argument + "' holds a NUL character or half of a UTF-16 surrogate pair.",
                    "Send " + argument + " as plain text.");
        } else if (value instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                checkStrings(argument, e.getKey());
                checkStrings(argument, e.getValue());
            }
        } else if (value instanceof Collection<?> list) {
            for (Object o : list) {
                checkStrings(argument, o);
            }
        }
    }

    /** No NUL (PostgreSQL text refuses it) and no lone surrogate (no UTF-8 writer can encode it). */
    private static boolean storable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == 0) {
                return false;
            }
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(ch)) {
                return false;
            }
        }
        return true;
    }

    /** {@link Bounds} on numbers (the value) and on lists (their size), at any depth. */
    private static void checkBounds(String prefix, Record request) {
        for (RecordComponent c : request.getClass().getRecordComponents()) {
            String argument = prefix + Schemas.wireName(c.getName());
            Bounds bounds = c.getAnnotation(Bounds.class);
            if (bounds == null && recordType(c.getGenericType()) == null) {
                continue; // nothing to check below it
            }
            Object value;
            try {
                value = c.getAccessor().invoke(request);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName(), e);
            }
            if (bounds != null && value instanceof Number n) {
                double d = n instanceof BigDecimal bd ? bd.doubleValue() : n.doubleValue();
                if (Double.isNaN(d) || d < bounds.min() || d > bounds.max()) {
                    throw ToolException.invalidArgument(argument,
                            "Argument '" + argument + "' is " + n + "; it must be " + range(bounds) + ".",
                            "Call again with " + argument + " " + range(bounds) + ".");
                }
            }
            if (value instanceof List<?> list) {
                if (bounds != null && (list.size() < bounds.min() || list.size() > bounds.max())) {
                    throw ToolException.invalidArgument(argument,
                            "Argument '" + argument + "' has " + list.size() + " item(s); it must have " + range(bounds) + ".",
                            "Call again with " + range(bounds) + " items in " + argument + ".");
                }
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Record r) {
                        checkBounds(argument + "[" + i + "].", r);
                    }
                }
            } else if (value instanceof Record r) {
                checkBounds(argument + ".", r);
            }
        }
    }

    private static String range(Bounds b) {
        boolean hasMin = b.min() != Double.NEGATIVE_INFINITY;
        boolean hasMax = b.max() != Double.POSITIVE_INFINITY;
        if (hasMin && hasMax) {
            return "between " + num(b.min()) + " and " + num(b.max());
        }
        return hasMin ? "at least " + num(b.min()) : "at most " + num(b.max());
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static RuntimeException unwrap(ValueInstantiationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ToolException te) {
            return te;
        }
        String argument = argumentOf(e);
        String message = cause != null && cause.getMessage() != null ? cause.getMessage() : "invalid value";
        return ToolException.invalidArgument(argument, "Invalid arguments: " + message + ".", "Fix the value and call again.");
    }

    private static ToolException translate(JacksonException e, Class<?> type) {
        String argument = argumentOf(e);
        Type at = typeAt(type, e.getPath());
        String expected = at == null ? "a valid value" : describe(at);
        String got = "";
        if (e instanceof InvalidFormatException ife && ife.getValue() != null) {
            got = " (got " + Json.shorten(String.valueOf(ife.getValue())) + ")";
        } else if (e instanceof MismatchedInputException) {
            got = "";
        }
        return ToolException.invalidArgument(argument,
                "Argument '" + argument + "' must be " + expected + got + ".",
                "Call again with " + argument + " as " + expected + ".");
    }

    /** The declared type at a Jackson path (property names and array indexes) from {@code root}. */
    private static Type typeAt(Class<?> root, List<JacksonException.Reference> path) {
        Type current = root;
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                Class<?> record = current instanceof Class<?> c && c.isRecord() ? c : null;
                RecordComponent found = null;
                if (record != null) {
                    found = components(record).get(ref.getPropertyName());
                }
                if (found == null) {
                    return null;
                }
                current = found.getGenericType();
            } else if (current instanceof ParameterizedType p && p.getRawType() == List.class) {
                current = p.getActualTypeArguments()[0];
            } else {
                return null;
            }
        }
        return current;
    }

    private static String argumentOf(JacksonException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "arguments" : path.replace(".[", "[");
    }

    /** What a value of this type looks like, in the words of JSON. */
    static String describe(Type type) {
        if (type instanceof Class<?> c) {
            if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
                return "an integer";
            }
            if (c == double.class || c == Double.class || c == BigDecimal.class || c == float.class) {
                return "a number";
            }
            if (c == boolean.class || c == Boolean.class) {
                return "true or false";
            }
            if (c == String.class) {
                return "a string";
            }
            if (c.isEnum()) {
                return "one of " + Arrays.stream(c.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
            }
            return "an object";
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (List.class.isAssignableFrom(raw)) {
                return "an array";
            }
            if (Map.class.isAssignableFrom(raw)) {
                return "an object";
            }
        }
        return "a valid value";
    }
}
