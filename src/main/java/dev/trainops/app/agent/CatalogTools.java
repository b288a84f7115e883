package dev.trainops.app.agent;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.trainops.access.Principal;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP server's tool catalog as LangChain4j tools: the same names, descriptions, input schemas
 * (each argument's JSON Schema passed through as is) and errors. A call goes through
 * {@link ToolCatalog#invoke}, the same path an MCP call takes, as the one principal the agent acts for; the model gets the structured
 * answer, or the structured error ({@code is_error}, code, message, hint, details) to act on.
 */
public final class CatalogTools {
    private static final JsonMapper PLAIN = JsonMapper.builder().build();

    /** One call the agent made, for logs and tests. */
    public record Call(String tool, Map<String, Object> arguments, boolean error, String code) {
    }

    /** Told of every call. */
    @FunctionalInterface
    public interface Listener {
        void called(Call call);
    }

    private CatalogTools() {
    }

    /** The catalog's tools, each call made by the local admin. */
    public static Map<ToolSpecification, ToolExecutor> of(ToolCatalog catalog, Listener listener) {
        return of(catalog, Principal.LOCAL, listener);
    }

    /**
     * The catalog's tools, each call made by {@code principal} ({@link CallContext#of}): the
     * principal is fixed here, and no argument the model sends can name another.
     */
    public static Map<ToolSpecification, ToolExecutor> of(ToolCatalog catalog, Principal principal, Listener listener) {
        Objects.requireNonNull(principal, "principal must not be null");
        Map<ToolSpecification, ToolExecutor> out = new LinkedHashMap<>();
        for (Tool<?, ?> tool : catalog.tools()) {
            out.put(specification(catalog, tool), (request, memoryId) -> execute(catalog, tool.name(), request, principal, listener));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static ToolSpecification specification(ToolCatalog catalog, Tool<?, ?> tool) {
        Map<String, Object> schema = catalog.inputSchema(tool);
        JsonObjectSchema.Builder params = JsonObjectSchema.builder();
        Object properties = schema.get("properties");
        if (properties instanceof Map<?, ?> props) {
            for (Map.Entry<?, ?> e : props.entrySet()) {
                params.addProperty(String.valueOf(e.getKey()), JsonRawSchema.from(PLAIN.writeValueAsString(e.getValue())));
            }
        }
        if (schema.get("required") instanceof List<?> required) {
            params.required(required.stream().map(String::valueOf).toList());
        }
        params.additionalProperties(false);
        return ToolSpecification.builder().name(tool.name()).description(tool.description()).parameters(params.build()).build();
    }

    @SuppressWarnings("unchecked")
    static String execute(ToolCatalog catalog, String name, ToolExecutionRequest request, Principal principal, Listener listener) {
        Map<String, Object> args;
        try {
            String raw = request.arguments();
            args = raw == null || raw.isBlank() ? Map.of() : PLAIN.readValue(raw, Map.class);
        } catch (RuntimeException e) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("is_error", true);
            error.put("code", "INVALID_ARGUMENT");
            error.put("message", "The arguments are not a JSON object.");
            error.put("hint", "Send the tool's arguments as one JSON object.");
            listener.called(new Call(name, Map.of(), true, "INVALID_ARGUMENT"));
            return Json.write(error);
        }
        ToolOutcome outcome = catalog.invoke(name, args, CallContext.of(principal));
        if (outcome instanceof ToolOutcome.Success success) {
            listener.called(new Call(name, args, false, null));
            return Json.write(success.structured());
        }
        ToolOutcome.Failure failure = (ToolOutcome.Failure) outcome;
        listener.called(new Call(name, args, true, failure.error().code().name()));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("is_error", true);
        error.putAll(Json.toMap(failure.error()));
        return Json.write(error);
    }

    /** The calls, in order, as "tool" names. */
    public static List<String> names(List<Call> calls) {
        List<String> out = new ArrayList<>();
        calls.forEach(c -> out.add(c.tool()));
        return out;
    }
}
