package dev.trainops.server;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
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
                .callHandler((exchange, request) -> toResult(catalog.invoke(tool.name(), request.arguments())))
                .build();
    }

    public List<io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification> resources() {
        return catalog.resources().stream().map(r -> new io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification(
                McpSchema.Resource.builder().uri(r.uri()).name(r.name()).title(r.name()).description(r.description())
                        .mimeType("application/json").build(),
                (exchange, request) -> {
                    ToolOutcome outcome = catalog.invoke(r.tool(), r.arguments());
                    if (outcome instanceof ToolOutcome.Failure failure) {
                        throw new io.modelcontextprotocol.spec.McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                                McpSchema.ErrorCodes.INTERNAL_ERROR, failure.text(), Json.toMap(failure.error())));
                    }
                    String json = Json.write(((ToolOutcome.Success) outcome).structured());
                    return new McpSchema.ReadResourceResult(List.of(
                            new McpSchema.TextResourceContents(r.uri(), "application/json", json)));
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
