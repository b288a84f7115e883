package dev.trainops.catalog;

import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON conventions of the wire: snake_case names, ISO-8601 instants, nulls written out (a
 * nullable field is present with {@code null}, so the output always has the same shape), strict
 * binding (no unknown properties, no coercion of "5" to 5 or 5.5 to 5).
 */
public final class Json {
    /** Immutable once built; shared because configuration, not state. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            // 7 is not a string, and true is not "true": a wrong type is the client's error to fix.
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            // exact decimals travel as strings ("6.500000"), never as JSON numbers a client may read as floats
            .withConfigOverride(java.math.BigDecimal.class,
                    o -> o.setFormat(com.fasterxml.jackson.annotation.JsonFormat.Value.forShape(com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING)))
            .enable(tools.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    public static Map<String, Object> toMap(Object value) {
        return MAPPER.convertValue(value, MAP);
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /**
     * Shortens a client-supplied string before it is echoed in a message, never through the middle
     * of a surrogate pair, with control characters and lone surrogates as U+FFFD: an echo must stay
     * writable as UTF-8 and readable on one line.
     */
    public static String shorten(String s) {
        if (s == null) {
            return "null";
        }
        int end = s.length() <= 64 ? s.length() : Character.isHighSurrogate(s.charAt(60)) ? 60 : 61;
        StringBuilder out = new StringBuilder(end + 3);
        for (int i = 0; i < end; i++) {
            char ch = s.charAt(i);
            boolean pair = Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                out.append(ch).append(s.charAt(++i));
            } else {
                out.append(Character.isISOControl(ch) || Character.isSurrogate(ch) ? '\uFFFD' : ch);
            }
        }
        return end < s.length() ? out.append("...").toString() : out.toString();
    }
}
