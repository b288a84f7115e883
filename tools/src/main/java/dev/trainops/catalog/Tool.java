package dev.trainops.catalog;

import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A tool: a domain function from a request record to a response record, described for an LLM.
 * The MCP server and the agent both read tools from the same {@link ToolCatalog}, so both see the
 * same names, descriptions, schemas and errors.
 *
 * @param name        the MCP name, {@code ^[A-Za-z0-9_.-]{1,64}$}
 * @param title       a short human title
 * @param description what the tool answers and when to call it, written for an LLM
 * @param requestType the request record; its components are the arguments
 * @param responseType the response record; it is the structured content
 * @param hints       read-only / destructive / idempotent / open-world
 * @param handler     the domain function; throws {@link ToolException} for expected failures
 * @param summary     a short text for a chat window, made from the response
 */
public record Tool<Q extends Record, R extends Record>(
        String name,
        String title,
        String description,
        Class<Q> requestType,
        Class<R> responseType,
        ToolHints hints,
        Function<Q, R> handler,
        Function<R, String> summary) {

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");

    public Tool {
        Objects.requireNonNull(name, "name must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name must match " + NAME.pattern() + ": " + name);
        }
        Objects.requireNonNull(title, "title must not be null");
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("tool " + name + " must have a description");
        }
        Objects.requireNonNull(requestType, "requestType must not be null");
        Objects.requireNonNull(responseType, "responseType must not be null");
        Objects.requireNonNull(hints, "hints must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        Objects.requireNonNull(summary, "summary must not be null");
    }

    R call(Q request) {
        return handler.apply(request);
    }

    String summarize(R response) {
        return summary.apply(response);
    }
}
