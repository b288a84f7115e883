package dev.trainops.catalog;

import java.util.Map;
import java.util.Objects;

/**
 * A read-only view published as an MCP resource: reading it calls {@code tool} with fixed
 * {@code arguments} and returns the structured answer as JSON, so a resource and its tool never
 * disagree.
 */
public record CatalogResource(String uri, String name, String description, String tool, Map<String, Object> arguments) {
    public CatalogResource {
        Objects.requireNonNull(uri, "uri must not be null");
        if (!uri.startsWith("trainops://")) {
            throw new IllegalArgumentException("resource uri must start with trainops://, was " + uri);
        }
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(description, "description must not be null");
        Objects.requireNonNull(tool, "tool must not be null");
        arguments = Map.copyOf(arguments);
    }
}
