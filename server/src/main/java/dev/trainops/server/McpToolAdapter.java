package dev.trainops.server;

import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Progress;
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
    /** The {@code _meta} key of a failed call's structured error: code, message, hint, retryable, details. */
    public static final String ERROR_META = "trainops.dev/error";

    /**
     * The key of the caller's {@link Principal} in the MCP transport context: the HTTP transport's
     * context extractor puts there what authentication found (docs/architecture.md, "Who is calling").
     */
    public static final String PRINCIPAL = "trainops.principal";

    private final ToolCatalog catalog;
    private final Principal local;

    public McpToolAdapter(ToolCatalog catalog) {
        this(catalog, Principal.LOCAL);
    }

    /** @param local the caller when the transport names none: the stdio user, or anyone on an unauthenticated loopback server */
    public McpToolAdapter(ToolCatalog catalog, Principal local) {
        this.catalog = catalog;
        this.local = local;
    }

    /** Who is calling in {@code exchange}: what the transport put in its context, else the local principal. */
    Principal principal(McpSyncServerExchange exchange) {
        Object p = exchange == null || exchange.transportContext() == null ? null : exchange.transportContext().get(PRINCIPAL);
        return p instanceof Principal principal ? principal : local;
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
                .callHandler((exchange, request) -> call(tool, exchange, request))
                .build();
    }

    /** One call: what the tool declared (Tool.Feature) decides what the adapter does besides calling it. */
    private McpSchema.CallToolResult call(Tool<?, ?> tool, McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Object progressToken = request.meta() == null ? null : request.meta().get("progressToken");
        CallContext context = new CallContext(progressToken != null && tool.has(Tool.Feature.REPORTS_PROGRESS)
                ? progressTo(exchange, progressToken) : Progress.NONE, principal(exchange), Audit.NONE);
        ToolOutcome outcome = catalog.invoke(tool.name(), request.arguments(), context);
        if (outcome instanceof ToolOutcome.Failure failure && failure.error().code() == ErrorCode.BUDGET_EXCEEDED
                && tool.has(Tool.Feature.ELICITS_CHEAPER_OPTION) && elicits(exchange)) {
            outcome = Elicitation.chooseCheaper(catalog, tool.name(), exchange, failure, context).orElse(outcome);
        }
        return toResult(outcome);
    }

    /** Whether the client declared elicitation (form mode) when it connected. */
    static boolean elicits(McpSyncServerExchange exchange) {
        McpSchema.ClientCapabilities caps = exchange.getClientCapabilities();
        return caps != null && caps.elicitation() != null;
    }

    /**
     * Each step the tool reports becomes a progress notification on the call's own stream, sent
     * before the tool returns (the SDK's sync exchange blocks until it is handed to the transport).
     */
    static Progress progressTo(McpSyncServerExchange exchange, Object token) {
        return (done, total, message) -> exchange.progressNotification(
                new McpSchema.ProgressNotification(token, (double) done, (double) total, message, null));
    }

    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification> resources() {
        return catalog.resources().stream().filter(r -> !r.template()).map(r -> new io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification(
                McpSchema.Resource.builder().uri(r.uri()).name(r.name()).title(r.name()).description(r.description())
                        .mimeType("application/json").build(),
                (exchange, request) -> read(request.uri(), principal(exchange)))).toList();
    }

    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification> resourceTemplates() {
        return catalog.resources().stream().filter(CatalogResource::template).map(r ->
                new io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification(
                        new McpSchema.ResourceTemplate(r.uri(), r.name(), r.name(), r.description(), "application/json", null),
                        (exchange, request) -> read(request.uri(), principal(exchange)))).toList();
    }

    private McpSchema.ReadResourceResult read(String uri, Principal principal) {
        ToolOutcome outcome = catalog.readResource(uri, CallContext.of(principal));
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
                        catalog.completions().requireVisible(PromptLibrary.byKind(p, args), principal(exchange)); // rule 5: another team is not found
                        text = library.render(p.name(), args);
                    } catch (dev.trainops.catalog.ToolException e) {
                        throw new io.modelcontextprotocol.spec.McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                                McpSchema.ErrorCodes.INVALID_PARAMS, e.getMessage() + " " + e.toError().hint(), Json.toMap(e.toError())));
                    }
                    return new McpSchema.GetPromptResult(p.description(), List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
                            new McpSchema.TextContent(text))));
                })).toList();
    }

    /**
     * A failure's structured form goes in {@code _meta} under {@link #ERROR_META}, never in
     * {@code structuredContent}: a client that listed the tools validates structuredContent
     * against the tool's output schema, which describes the success (docs/architecture.md, "Life
     * of a tool call"). The text starts with the code, for clients and models that read only text.
     */
    static McpSchema.CallToolResult toResult(ToolOutcome outcome) {
        if (outcome instanceof ToolOutcome.Success success) {
            return McpSchema.CallToolResult.builder()
                    .structuredContent(success.structured())
                    .addTextContent(success.text())
                    .isError(false)
                    .build();
        }
        ToolOutcome.Failure failure = (ToolOutcome.Failure) outcome;
        return McpSchema.CallToolResult.builder()
                .addTextContent(failure.text())
                .isError(true)
                .meta(Map.of(ERROR_META, Json.toMap(failure.error())))
                .build();
    }
}
