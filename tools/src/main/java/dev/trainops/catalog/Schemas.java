package dev.trainops.catalog;

import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON Schema 2020-12 generated from the request and response records (victools), never written
 * by hand. Names are snake_case like the wire; {@link Nullable} components are optional in inputs
 * and may be null in outputs; {@link Bounds} become minimum/maximum; inputs forbid unknown
 * properties. A map argument ({@code Map<String, String>}, e.g. queue_training_job's params) is an
 * object whose values follow the map's value type ({@code additionalProperties: {"type": "string",
 * ...}}): forbidding every property there would forbid every key, and no client that validates its
 * arguments could send one.
 */
public final class Schemas {
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private static final SchemaGenerator INPUT = generator(true);
    private static final SchemaGenerator OUTPUT = generator(false);
    private static final Map<Class<?>, Map<String, Object>> INPUT_CACHE = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Map<String, Object>> OUTPUT_CACHE = new ConcurrentHashMap<>();

    private Schemas() {
    }

    public static Map<String, Object> input(Class<? extends Record> type) {
        return INPUT_CACHE.computeIfAbsent(type, t -> exported("in", type).orElseGet(() -> generateInput(type)));
    }

    public static Map<String, Object> output(Class<? extends Record> type) {
        return OUTPUT_CACHE.computeIfAbsent(type, t -> exported("out", type).orElseGet(() -> generateOutput(type)));
    }

    /** Generated, then normalised through JSON text, so a generated schema and an exported one are the same map. */
    static Map<String, Object> generateInput(Class<? extends Record> type) {
        return read(PLAIN.writeValueAsString(INPUT.generateSchema(type)));
    }

    static Map<String, Object> generateOutput(Class<? extends Record> type) {
        return read(PLAIN.writeValueAsString(OUTPUT.generateSchema(type)));
    }

    /** Schemas as JSON: plain numbers and names, nothing of the wire's conventions. */
    static final tools.jackson.databind.json.JsonMapper PLAIN = tools.jackson.databind.json.JsonMapper.builder().build();

    static Map<String, Object> read(String json) {
        return Map.copyOf(PLAIN.readValue(json, new tools.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() {
        }));
    }

    /** The schema {@link SchemaExport} wrote at build time, if it is on the classpath. */
    private static java.util.Optional<Map<String, Object>> exported(String direction, Class<?> type) {
        try (java.io.InputStream in = Schemas.class.getResourceAsStream("/schemas/" + direction + "/" + type.getName() + ".json")) {
            if (in == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(read(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code minMemoryGib} -> {@code min_memory_gib}, the same rule Jackson's SNAKE_CASE applies. */
    public static String wireName(String javaName) {
        StringBuilder out = new StringBuilder(javaName.length() + 4);
        for (int i = 0; i < javaName.length(); i++) {
            char ch = javaName.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private static Map<String, Object> toMap(ObjectNode node) {
        Map<String, Object> map = Json.toMap(node);
        return Map.copyOf(map);
    }

    private static SchemaGenerator generator(boolean input) {
        SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule())
                .with(Option.INLINE_ALL_SCHEMAS)
                .with(Option.SCHEMA_VERSION_INDICATOR);
        if (input) {
            // records forbid unknown properties; a map's additionalProperties is its value type, which wins over the default
            builder.with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT).with(Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES);
        }
        builder.forFields()
                .withPropertyNameOverrideResolver(field -> wireName(field.getDeclaredName()))
                .withRequiredCheck(field -> !isNullable(field))
                .withNullableCheck(field -> !input && isNullable(field))
                .withNumberInclusiveMinimumResolver(field -> bound(field, true))
                .withNumberInclusiveMaximumResolver(field -> bound(field, false))
                .withArrayMinItemsResolver(field -> items(field, true))
                .withArrayMaxItemsResolver(field -> items(field, false))
                .withStringMaxLengthResolver(field -> input && field.getType().getErasedType() == String.class
                        ? ArgumentBinder.MAX_STRING_LENGTH : null);
        builder.forTypesInGeneral().withCustomDefinitionProvider((javaType, context) -> {
            Class<?> raw = javaType.getErasedType();
            if (raw == Instant.class) {
                ObjectNode n = context.getGeneratorConfig().createObjectNode();
                n.put("type", "string");
                n.put("format", "date-time");
                return new com.github.victools.jsonschema.generator.CustomDefinition(n);
            }
            if (raw == BigDecimal.class) {
                ObjectNode n = context.getGeneratorConfig().createObjectNode();
                n.put("type", "string");
                n.put("pattern", "^-?[0-9]+(\\.[0-9]+)?$");
                n.put("description", "an exact decimal as a string (money has 6 fractional digits)");
                return new com.github.victools.jsonschema.generator.CustomDefinition(n);
            }
            return null;
        });
        return new SchemaGenerator(builder.build());
    }

    private static boolean isNullable(FieldScope field) {
        return field.getAnnotationConsideringFieldAndGetter(Nullable.class) != null;
    }

    /** {@link Bounds} on a list are its size. */
    private static Integer items(FieldScope field, boolean min) {
        Bounds b = field.getAnnotationConsideringFieldAndGetter(Bounds.class);
        if (b == null || field.isFakeContainerItemScope() || !java.util.Collection.class.isAssignableFrom(field.getType().getErasedType())) {
            return null;
        }
        double v = min ? b.min() : b.max();
        return Double.isInfinite(v) ? null : (int) v;
    }

    private static BigDecimal bound(FieldScope field, boolean min) {
        Bounds b = field.getAnnotationConsideringFieldAndGetter(Bounds.class);
        if (b == null || java.util.Collection.class.isAssignableFrom(field.getType().getErasedType())) {
            return null;
        }
        double v = min ? b.min() : b.max();
        return Double.isInfinite(v) ? null : BigDecimal.valueOf(v).stripTrailingZeros();
    }
}
