package dev.trainops.server;

import dev.trainops.catalog.ToolCatalog;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** Builds the MCP server over a transport; the same tools on every transport. */
public final class TrainopsMcpServer {
    public static final String NAME = "trainops";
    static final String INSTRUCTIONS = "trainops answers questions about GPUs, cost, quotas and the training queue of a "
            + "Kubernetes ML platform. Check get_gpu_availability before proposing where a job can run. Errors carry a "
            + "code, a message and a hint saying what to do next.";

    private final ToolCatalog catalog;
    private final String version;

    public TrainopsMcpServer(ToolCatalog catalog, String version) {
        this.catalog = catalog;
        this.version = version;
    }

    static McpJsonMapper jsonMapper() {
        return McpJsonDefaults.getMapper();
    }

    /** MCP over standard input and output; the caller must keep everything else off stdout. */
    public McpSyncServer stdio(InputStream in, OutputStream out) {
        return configure(McpServer.sync(new StdioServerTransportProvider(jsonMapper(), in, out)));
    }

    McpSyncServer configure(McpServer.SyncSpecification<?> spec) {
        McpToolAdapter adapter = new McpToolAdapter(catalog);
        return spec.serverInfo(NAME, version)
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).logging().build())
                // The catalog's binder checks arguments and names the argument in its message.
                .validateToolInputs(false)
                .requestTimeout(Duration.ofSeconds(30))
                .tools(adapter.specifications())
                .resources(adapter.resources())
                .build();
    }
}
