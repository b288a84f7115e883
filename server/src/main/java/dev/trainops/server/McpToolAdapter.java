package dev.trainops.server;

import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;

/** Turns the tool catalog into MCP tools. It only adapts: the catalog does the work. */
public final class McpToolAdapter {
    private final ToolCatalog catalog;

    public McpToolAdapter(ToolCatalog catalog) {
        this.catalog = catalog;
    }

    public List<SyncToolSpecification> specifications() {
        return catalog.tools().stream().map(this::specification).toList();
    }

    McpSchema.Tool describe(Tool<?, ?> tool) {
        return McpSchema.Tool.builder()
                .name(tool.name())
                .title(tool.title())
                .description(tool.description())
                .inputSchema(catalog.inputSchema(tool))
                .outputSchema(catalog.outputSchema(tool))
                .annotations(new McpSchema.ToolAnnotations(tool.title(), tool.hints().readOnly(),
                        tool.hints().destructive(), tool.hints().idempotent(), tool.hints().openWorld(), null))
                .build();
    }

    private SyncToolSpecification specification(Tool<?, ?> tool) {
        return SyncToolSpecification.builder()
                .tool(describe(tool))
                .callHandler((exchange, request) -> call(tool.name(), exchange, request))
                .build();
    }

    private McpSchema.CallToolResult call(String name, McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Object progressToken = request.meta() == null ? null : request.meta().get("progressToken");
        ToolOutcome outcome = catalog.invoke(name, request.arguments());
        if (outcome instanceof ToolOutcome.Failure failure && failure.error().code() == ErrorCode.BUDGET_EXCEEDED
                && name.equals("queue_training_job") && elicits(exchange)) {
            outcome = Elicitation.chooseCheaper(catalog, exchange, failure).orElse(outcome);
        }
        if (progressToken != null && name.equals("submit_batch_training") && outcome instanceof ToolOutcome.Success success) {
            progress(exchange, progressToken, success.structured());
        }
        return toResult(outcome);
    }

    /** Whether the client declared elicitation (form mode) when it connected. */
    static boolean elicits(McpSyncServerExchange exchange) {
        McpSchema.ClientCapabilities caps = exchange.getClientCapabilities();
        return caps != null && caps.elicitation() != null;
    }

    /** One progress notification per batch item stored, with its job id and state, then the total. */
    @SuppressWarnings("unchecked")
    private static void progress(McpSyncServerExchange exchange, Object token, Map<String, Object> batch) {
        List<Map<String, Object>> items = batch.get("items") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
        double total = items.size();
        int i = 0;
        for (Map<String, Object> item : items) {
            i++;
            exchange.progressNotification(new McpSchema.ProgressNotification(token, (double) i, total, "item " + i + " of " + items.size()
                    + ": " + item.get("job_id") + " " + item.get("state"), null));
        }
    }

    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification> resources() {
        return catalog.resources().stream().filter(r -> !r.template()).map(r -> new io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification(
                McpSchema.Resource.builder().uri(r.uri()).name(r.name()).title(r.name()).description(r.description())
                        .mimeType("application/json").build(),
                (exchange, request) -> read(request.uri()))).toList();
    }

    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification> resourceTemplates() {
        return catalog.resources().stream().filter(CatalogResource::template).map(r ->
                new io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification(
                        new McpSchema.ResourceTemplate(r.uri(), r.name(), r.name(), r.description(), "application/json", null),
                        (exchange, request) -> read(request.uri()))).toList();
    }

    private McpSchema.ReadResourceResult read(String uri) {
        ToolOutcome outcome = catalog.readResource(uri);
        if (outcome instanceof ToolOutcome.Failure failure) {
            int code = failure.error().code() == ErrorCode.NOT_FOUND ? McpSchema.ErrorCodes.RESOURCE_NOT_FOUND
                    : failure.error().code() == ErrorCode.INVALID_ARGUMENT ? McpSchema.ErrorCodes.INVALID_PARAMS : McpSchema.ErrorCodes.INTERNAL_ERROR;
            throw new io.modelcontextprotocol.spec.McpError(new McpSchema.JSONRPCResponse.JSONRPCError(code, failure.text(),
                    Json.toMap(failure.error())));
        }
        String json = Json.write(((ToolOutcome.Success) outcome).structured());
        return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri, "application/json", json)));
    }

    /** The prompt library as MCP prompts: listed with their arguments, rendered as one user message. */
    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification> prompts(PromptLibrary library) {
        return library.prompts().stream().map(p -> new io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification(
                new McpSchema.Prompt(p.name(), p.title(), p.description(), p.arguments().stream()
                        .map(a -> new McpSchema.PromptArgument(a.name(), a.description(), a.required())).toList()),
                (exchange, request) -> {
                    Map<String, String> args = new java.util.LinkedHashMap<>();
                    if (request.arguments() != null) {
                        request.arguments().forEach((k, v) -> args.put(k, v == null ? null : String.valueOf(v)));
                    }
                    String text;
                    try {
                        text = library.render(p.name(), args);
                    } catch (dev.trainops.catalog.ToolException e) {
                        throw new io.modelcontextprotocol.spec.McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                                McpSchema.ErrorCodes.INVALID_PARAMS, e.getMessage() + " " + e.toError().hint(), Json.toMap(e.toError())));
                    }
                    return new McpSchema.GetPromptResult(p.description(), List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
                            new McpSchema.TextContent(text))));
                })).toList();
    }

    static McpSchema.CallToolResult toResult(ToolOutcome outcome) {
        if (outcome instanceof ToolOutcome.Success success) {
            return McpSchema.CallToolResult.builder()
                    .structuredContent(success.structured())
                    .addTextContent(success.text())
                    .isError(false)
                    .build();
        }
        ToolOutcome.Failure failure = (ToolOutcome.Failure) outcome;
        Map<String, Object> error = Json.toMap(failure.error());
        return McpSchema.CallToolResult.builder()
                .structuredContent(error)
                .addTextContent(failure.text())
                .isError(true)
                .build();
    }
}
