package dev.trainops.server;

import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.ToolCatalog;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
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
    private final PromptLibrary prompts;
    private final JobEventNotifier jobEvents;

    public TrainopsMcpServer(ToolCatalog catalog, String version) {
        this(catalog, version, PromptLibrary.empty());
    }

    public TrainopsMcpServer(ToolCatalog catalog, String version, PromptLibrary prompts) {
        this(catalog, version, prompts, new JobEventNotifier());
    }

    /**
     * @param jobEvents where the queue's job events go to become log notifications to this server's
     *                  sessions; the composition root hands the same notifier to the queue
     */
    public TrainopsMcpServer(ToolCatalog catalog, String version, PromptLibrary prompts, JobEventNotifier jobEvents) {
        this.catalog = catalog;
        this.version = version;
        this.prompts = prompts;
        this.jobEvents = jobEvents;
    }

    /** The sink for the queue's job events: each is sent to every connected session as a log notification. */
    public JobEventNotifier jobEvents() {
        return jobEvents;
    }

    /** The Streamable HTTP provider as the MCP server must see it: its sessions noted for job events. */
    McpStreamableServerTransportProvider track(McpStreamableServerTransportProvider provider) {
        return jobEvents.track(provider);
    }

    /**
     * The SDK's default mapper (Jackson 3 defaults), with one mix-in: the SDK's ElicitFormRequest
     * has a {@code mode} component that is also its type id, which Jackson 3 refuses to write
     * ("Conflict between type id property 'mode' and bean property"); the type id alone carries it.
     */
    static McpJsonMapper jsonMapper() {
        return MAPPER;
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = "mode", allowSetters = true)
    private abstract static class ElicitFormRequestMixIn {
    }

    private static final McpJsonMapper MAPPER = new io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper(
            tools.jackson.databind.json.JsonMapper.builder().addMixIn(McpSchema.ElicitFormRequest.class, ElicitFormRequestMixIn.class).build());

    /** MCP over standard input and output; the caller must keep everything else off stdout. */
    public McpSyncServer stdio(InputStream in, OutputStream out) {
        return configure(McpServer.sync(jobEvents.track(new StdioServerTransportProvider(jsonMapper(), in, out))));
    }

    /**
     * Tools, resources and prompts from the catalog. {@code logging} is declared because the server
     * sends log notifications: the queue's job events ({@link JobEventNotifier}).
     */
    McpSyncServer configure(McpServer.SyncSpecification<?> spec) {
        McpToolAdapter adapter = new McpToolAdapter(catalog);
        McpSchema.ServerCapabilities.Builder caps = McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).logging();
        if (!prompts.prompts().isEmpty()) {
            caps.prompts(false);
        }
        return spec.serverInfo(NAME, version)
                .instructions(INSTRUCTIONS)
                .capabilities(caps.build())
                // The catalog's binder checks arguments and names the argument in its message.
                .validateToolInputs(false)
                .requestTimeout(Duration.ofSeconds(30))
                .tools(adapter.specifications())
                .resources(adapter.resources())
                .resourceTemplates(adapter.resourceTemplates())
                .prompts(adapter.prompts(prompts))
                .build();
    }
}
