package dev.trainops.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only view published as an MCP resource. Reading it calls {@code tool} with arguments made
 * from the URI's variables, and returns the structured answer as JSON, so a resource and its tool
 * never disagree; or, for content no tool answers (the price list), reads {@code content}. A URI
 * with {@code {variables}} is a resource template ({@code trainops://budgets/{team}}).
 */
public record CatalogResource(String uri, String name, String description, String tool,
                              Function<Map<String, String>, Map<String, Object>> arguments, Supplier<Object> content) {
    private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_]+)}");

    public CatalogResource {
        Objects.requireNonNull(uri, "uri must not be null");
        if (!uri.startsWith("trainops://")) {
            throw new IllegalArgumentException("resource uri must start with trainops://, was " + uri);
        }
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(description, "description must not be null");
        if ((tool == null) == (content == null)) {
            throw new IllegalArgumentException("resource " + uri + " must read either a tool or a content supplier");
        }
        if (tool != null) {
            Objects.requireNonNull(arguments, "arguments must not be null");
        }
    }

    /** A resource that calls {@code tool} with fixed arguments. */
    public CatalogResource(String uri, String name, String description, String tool, Map<String, Object> arguments) {
        this(uri, name, description, tool, vars -> Map.copyOf(arguments), null);
    }

    /** A resource whose content is not a tool's answer. */
    public static CatalogResource ofContent(String uri, String name, String description, Supplier<Object> content) {
        return new CatalogResource(uri, name, description, null, null, content);
    }

    public boolean template() {
        return uri.contains("{");
    }

    /** The variables of {@code concrete} when it matches this resource's URI (template), else empty. */
    public Optional<Map<String, String>> match(String concrete) {
        if (!template()) {
            return uri.equals(concrete) ? Optional.of(Map.of()) : Optional.empty();
        }
        List<String> names = new java.util.ArrayList<>();
        Matcher v = VARIABLE.matcher(uri);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (v.find()) {
            regex.append(Pattern.quote(uri.substring(last, v.start()))).append("([^/]+)");
            names.add(v.group(1));
            last = v.end();
        }
        regex.append(Pattern.quote(uri.substring(last)));
        Matcher m = Pattern.compile(regex.toString()).matcher(concrete);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), m.group(i + 1));
        }
        return Optional.of(out);
    }
}
