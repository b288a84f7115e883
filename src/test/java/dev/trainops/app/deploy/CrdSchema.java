package dev.trainops.app.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Checks an object against one version of a CustomResourceDefinition's {@code openAPIV3Schema} the way
 * the API server's strict field validation does: types, {@code required}, {@code enum}, patterns,
 * lengths and bounds, list uniqueness ({@code x-kubernetes-list-type} set and map), int-or-string,
 * and no field the schema does not declare unless it allows it ({@code additionalProperties},
 * {@code x-kubernetes-preserve-unknown-fields}). fabric8 8 has no model for the prometheus-operator
 * kinds, so this stands in for "parses as its model with no unknown field".
 *
 * <p>A schema keyword this class does not know fails the check instead of being ignored, so a newer
 * CRD cannot pass by using something it never looks at. CEL rules ({@code x-kubernetes-validations})
 * cannot be evaluated here: an object that reaches one is reported, never passed silently.
 * {@code metadata} at the root is left to fabric8's {@code ObjectMeta} (the API server does the same).
 */
final class CrdSchema {
    /** Keywords that only describe or default, and change nothing about what is valid. */
    private static final Set<String> DESCRIPTIVE = Set.of("description", "default", "x-kubernetes-map-type",
            "x-kubernetes-list-map-keys", "title", "example", "externalDocs");
    private static final Set<String> CHECKED = Set.of("type", "properties", "additionalProperties", "required", "items", "enum",
            "pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "format", "anyOf", "nullable",
            "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type",
            "x-kubernetes-validations", "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties");

    private final String kind;
    private final String version;
    private final JsonNode schema;

    private CrdSchema(String kind, String version, JsonNode schema) {
        this.kind = kind;
        this.version = version;
        this.schema = schema;
    }

    /** The schema of {@code version} in the CRD file {@code crd} (YAML, one CRD, comments allowed). */
    static CrdSchema load(Path crd, String version) throws IOException {
        JsonNode root = new YAMLMapper().readTree(crd.toFile());
        String kind = root.path("spec").path("names").path("kind").asString();
        for (JsonNode v : root.path("spec").path("versions")) {
            if (v.path("name").asString().equals(version)) {
                JsonNode schema = v.path("schema").path("openAPIV3Schema");
                if (!schema.isObject()) {
                    throw new IllegalArgumentException(crd + ": version " + version + " has no openAPIV3Schema");
                }
                return new CrdSchema(kind, version, schema);
            }
        }
        throw new IllegalArgumentException(crd + " has no version " + version);
    }

    /** For tests of this class: a bare schema. */
    static CrdSchema of(String kind, String version, JsonNode schema) {
        return new CrdSchema(kind, version, schema);
    }

    String kind() {
        return kind;
    }

    String version() {
        return version;
    }

    /** Each violation as {@code path: what is wrong}; empty when the object is valid. */
    List<String> violations(JsonNode object) {
        List<String> out = new ArrayList<>();
        check(object, schema, "", out, true);
        return out;
    }

    private void check(JsonNode node, JsonNode s, String path, List<String> out, boolean root) {
        for (String keyword : s.propertyNames()) {
            if (!CHECKED.contains(keyword) && !DESCRIPTIVE.contains(keyword)) {
                throw new IllegalStateException("schema keyword '" + keyword + "' at " + where(path) + " of " + kind + " " + version
                        + " is not supported by CrdSchema; teach it the keyword before trusting the check");
            }
        }
        if (node.isNull()) {
            if (!s.path("nullable").asBoolean(false)) {
                out.add(where(path) + ": null is not allowed");
            }
            return;
        }
        if (s.has("x-kubernetes-validations")) {
            for (JsonNode rule : s.get("x-kubernetes-validations")) {
                out.add(where(path) + ": carries the CEL rule '" + rule.path("rule").asString() + "', which this check cannot evaluate");
            }
        }
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!node.isIntegralNumber() && !node.isString()) {
                out.add(where(path) + ": must be an integer or a string, was " + describe(node));
            }
            return;
        }
        if (s.has("anyOf")) {
            boolean any = false;
            for (JsonNode branch : s.get("anyOf")) {
                List<String> tried = new ArrayList<>();
                check(node, branch, path, tried, false);
                any |= tried.isEmpty();
            }
            if (!any) {
                out.add(where(path) + ": matches none of anyOf");
            }
        }
        String type = s.path("type").asString("");
        switch (type) {
            case "object" -> object(node, s, path, out, root);
            case "array" -> array(node, s, path, out);
            case "string" -> string(node, s, path, out);
            case "integer" -> {
                if (!node.isIntegralNumber()) {
                    out.add(where(path) + ": must be an integer, was " + describe(node));
                } else {
                    bounds(node, s, path, out);
                    String format = s.path("format").asString("");
                    if (format.equals("int32") && !node.canConvertToInt()) {
                        out.add(where(path) + ": " + node + " is out of int32 range");
                    }
                    if (format.equals("int64") && !node.canConvertToLong()) {
                        out.add(where(path) + ": " + node + " is out of int64 range");
                    }
                }
            }
            case "number" -> {
                if (!node.isNumber()) {
                    out.add(where(path) + ": must be a number, was " + describe(node));
                } else {
                    bounds(node, s, path, out);
                }
            }
            case "boolean" -> {
                if (!node.isBoolean()) {
                    out.add(where(path) + ": must be a boolean, was " + describe(node));
                }
            }
            case "" -> {
                if (!s.has("anyOf") && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                    throw new IllegalStateException("schema at " + where(path) + " of " + kind + " has no type");
                }
            }
            default -> throw new IllegalStateException("schema type '" + type + "' at " + where(path) + " is not supported");
        }
        if (s.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : s.get("enum")) {
                listed |= allowed.equals(node);
            }
            if (!listed) {
                out.add(where(path) + ": " + node + " is not one of " + s.get("enum"));
            }
        }
    }

    private void object(JsonNode node, JsonNode s, String path, List<String> out, boolean root) {
        if (!node.isObject()) {
            out.add(where(path) + ": must be an object, was " + describe(node));
            return;
        }
        JsonNode properties = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            String at = path + "." + name;
            if (root && (name.equals("metadata") || name.equals("apiVersion") || name.equals("kind"))) {
                continue;
            }
            if (properties.has(name)) {
                check(field.getValue(), properties.get(name), at, out, false);
            } else if (additional != null && additional.isObject()) {
                check(field.getValue(), additional, at, out, false);
            } else if (additional != null && additional.asBoolean(false) || preserve) {
                continue;
            } else {
                out.add(where(at) + ": unknown field (the schema declares " + names(properties) + ")");
            }
        }
        if (s.has("minProperties") && node.size() < s.get("minProperties").asInt()) {
            out.add(where(path) + ": needs at least " + s.get("minProperties").asInt() + " fields, has " + node.size());
        }
        if (s.has("maxProperties") && node.size() > s.get("maxProperties").asInt()) {
            out.add(where(path) + ": allows at most " + s.get("maxProperties").asInt() + " fields, has " + node.size());
        }
        for (JsonNode required : s.path("required")) {
            if (!node.has(required.asString())) {
                out.add(where(path + "." + required.asString()) + ": required field is missing");
            }
        }
    }

    private void array(JsonNode node, JsonNode s, String path, List<String> out) {
        if (!node.isArray()) {
            out.add(where(path) + ": must be a list, was " + describe(node));
            return;
        }
        if (s.has("minItems") && node.size() < s.get("minItems").asInt()) {
            out.add(where(path) + ": needs at least " + s.get("minItems").asInt() + " items, has " + node.size());
        }
        if (s.has("maxItems") && node.size() > s.get("maxItems").asInt()) {
            out.add(where(path) + ": allows at most " + s.get("maxItems").asInt() + " items, has " + node.size());
        }
        JsonNode items = s.get("items");
        for (int i = 0; i < node.size(); i++) {
            if (items != null) {
                check(node.get(i), items, path + "[" + i + "]", out, false);
            }
        }
        String listType = s.path("x-kubernetes-list-type").asString("atomic");
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            Object key = switch (listType) {
                case "set" -> node.get(i);
                case "map" -> {
                    List<JsonNode> k = new ArrayList<>();
                    for (JsonNode name : s.path("x-kubernetes-list-map-keys")) {
                        k.add(node.get(i).path(name.asString()));
                    }
                    yield k;
                }
                default -> null;
            };
            if (key != null && !seen.add(key)) {
                out.add(where(path + "[" + i + "]") + ": repeats " + key + " in a list of type " + listType);
            }
        }
    }

    private void string(JsonNode node, JsonNode s, String path, List<String> out) {
        if (!node.isString()) {
            out.add(where(path) + ": must be a string, was " + describe(node));
            return;
        }
        String value = node.asString();
        int length = value.codePointCount(0, value.length());
        if (s.has("minLength") && length < s.get("minLength").asInt()) {
            out.add(where(path) + ": needs at least " + s.get("minLength").asInt() + " characters");
        }
        if (s.has("maxLength") && length > s.get("maxLength").asInt()) {
            out.add(where(path) + ": allows at most " + s.get("maxLength").asInt() + " characters");
        }
        if (s.has("pattern") && !Pattern.compile(s.get("pattern").asString()).matcher(value).find()) {
            out.add(where(path) + ": '" + value + "' does not match " + s.get("pattern").asString());
        }
        if (s.path("format").asString("").equals("date-time")) {
            try {
                OffsetDateTime.parse(value);
            } catch (DateTimeParseException e) {
                out.add(where(path) + ": '" + value + "' is not an RFC 3339 date-time");
            }
        }
    }

    private static void bounds(JsonNode node, JsonNode s, String path, List<String> out) {
        double v = node.asDouble();
        if (s.has("minimum") && v < s.get("minimum").asDouble()) {
            out.add(where(path) + ": " + node + " is below the minimum " + s.get("minimum"));
        }
        if (s.has("maximum") && v > s.get("maximum").asDouble()) {
            out.add(where(path) + ": " + node + " is above the maximum " + s.get("maximum"));
        }
        if (s.path("exclusiveMinimum").asBoolean(false) && v == s.path("minimum").asDouble()
                || s.path("exclusiveMaximum").asBoolean(false) && v == s.path("maximum").asDouble()) {
            out.add(where(path) + ": " + node + " is at an exclusive bound");
        }
    }

    private static String where(String path) {
        return path.isEmpty() ? "(root)" : path.substring(1);
    }

    private static String names(JsonNode properties) {
        List<String> names = new ArrayList<>(properties.propertyNames());
        return names.isEmpty() ? "no fields" : String.join(", ", names);
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + node;
    }
}
