package dev.trainops.catalog;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
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
 * @param handler     the domain function, given the call's context; throws {@link ToolException} for expected failures
 * @param summary     a short text for a chat window, made from the response
 * @param features    what an adapter does for this tool beyond calling it (docs/architecture.md, "Life of a tool call")
 */
public record Tool<Q extends Record, R extends Record>(
        String name,
        String title,
        String description,
        Class<Q> requestType,
        Class<R> responseType,
        ToolHints hints,
        Handler<Q, R> handler,
        Function<R, String> summary,
        Set<Feature> features) {

    /** The domain function with the context of one call. */
    @FunctionalInterface
    public interface Handler<Q, R> {
        R apply(Q request, CallContext context);
    }

    /**
     * What a tool asks of the adapter that serves it, declared here so that no adapter matches
     * tool names. An adapter that cannot do one (the agent has no user to ask) ignores it.
     */
    public enum Feature {
        /**
         * A BUDGET_EXCEEDED failure carries cheaper sets of this tool's arguments under
         * {@code details.options[].arguments}; an adapter whose client can be asked (MCP
         * elicitation) offers them and calls the tool again with the chosen one.
         */
        ELICITS_CHEAPER_OPTION,
        /** The tool reports its steps through {@link CallContext#progress()}; an adapter forwards them. */
        REPORTS_PROGRESS
    }

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
        features = features == null || features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    /** A tool whose handler needs no call context and that asks nothing more of its adapter. */
    public Tool(String name, String title, String description, Class<Q> requestType, Class<R> responseType, ToolHints hints,
                Function<Q, R> handler, Function<R, String> summary) {
        this(name, title, description, requestType, responseType, hints, plain(handler), summary, Set.of());
    }

    private static <Q, R> Handler<Q, R> plain(Function<Q, R> handler) {
        Objects.requireNonNull(handler, "handler must not be null");
        return (request, context) -> handler.apply(request);
    }

    /** This tool, also declaring {@code feature}. */
    public Tool<Q, R> with(Feature feature) {
        Set<Feature> more = EnumSet.of(feature);
        more.addAll(features);
        return new Tool<>(name, title, description, requestType, responseType, hints, handler, summary, more);
    }

    public boolean has(Feature feature) {
        return features.contains(feature);
    }

    R call(Q request, CallContext context) {
        return handler.apply(request, context);
    }

    String summarize(R response) {
        return summary.apply(response);
    }
}
