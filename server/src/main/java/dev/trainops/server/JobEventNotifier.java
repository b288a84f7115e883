package dev.trainops.server;

import dev.trainops.catalog.Json;
import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueuedJob;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpLoggableSession;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpServerTransportProviderBase;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The queue's job events as MCP log notifications ({@code notifications/message}, logger
 * {@value #LOGGER}) to every connected session, each at or above the level the session chose with
 * {@code logging/setLevel} (info by default): admitted, started, succeeded and cancelled at info;
 * preempted, failed, at 80% of its max_cost and stopped at it at warning (docs/architecture.md,
 * "Events"); each also as {@code notifications/resources/updated} for the sessions subscribed to
 * the job's resource. Quota and budget warnings go out the same way under {@value #ALERTS_LOGGER}
 * (docs/monitoring.md). Until identity lands every session may see every job; then this filters by
 * the event's team.
 *
 * <p>The SDK keeps its sessions to itself, so the server's transport provider is wrapped
 * ({@link #track}) to note each session as it starts. Sessions are held weakly: one the transport
 * has dropped is forgotten. {@code data} is the event as JSON text, not an object: the Java SDK
 * types a log message's data as a string, and its clients drop a notification whose data is not.
 */
public final class JobEventNotifier implements Consumer<JobEvent> {
    public static final String LOGGER = "trainops.jobs";
    /** The logger of quota and budget warnings. */
    public static final String ALERTS_LOGGER = "trainops.alerts";
    private static final Logger log = LoggerFactory.getLogger(JobEventNotifier.class);

    private final Set<McpLoggableSession> sessions = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final List<McpSyncServer> servers = new CopyOnWriteArrayList<>();

    /**
     * Sends {@code event} to every session whose level admits it, and tells the sessions subscribed
     * to {@code trainops://jobs/{job_id}} that it changed; never throws, never waits on a client.
     */
    @Override
    public void accept(JobEvent event) {
        McpSchema.LoggingLevel level = level(event.kind());
        log(new McpSchema.LoggingMessageNotification(level, LOGGER, data(event)));
        for (McpSyncServer server : servers) {
            try {
                // the SDK keeps the subscriptions (resources/subscribe) and sends only to the sessions that made them
                server.getAsyncServer().notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(event.resourceUri()))
                        .subscribe(null, e -> log.debug("resource update not delivered: {}", e.getMessage()));
            } catch (RuntimeException e) {
                log.debug("resource update not delivered: {}", e.getMessage());
            }
        }
    }

    /**
     * A team crossed the quota (80%) or budget (70%) line: a warning-level log notification, logger
     * {@value #ALERTS_LOGGER}, to every session (docs/monitoring.md).
     */
    public void warn(TeamWarning warning) {
        Map<String, Object> data = new LinkedHashMap<>(Json.toMap(warning));
        data.put("message", warning.message());
        log(new McpSchema.LoggingMessageNotification(McpSchema.LoggingLevel.WARNING, ALERTS_LOGGER, Json.write(data)));
    }

    /** Notes a built server: job events become resource updates for its subscribed sessions. */
    void attach(McpSyncServer server) {
        servers.add(server);
    }

    private void log(McpSchema.LoggingMessageNotification message) {
        McpSchema.LoggingLevel level = message.level();
        List<McpLoggableSession> now;
        synchronized (sessions) {
            now = new ArrayList<>(sessions);
        }
        for (McpLoggableSession session : now) {
            if (!session.isNotificationForLevelAllowed(level)) {
                continue;
            }
            try {
                session.sendNotification(McpSchema.METHOD_NOTIFICATION_MESSAGE, message)
                        .subscribe(null, e -> log.debug("job event not delivered to a session: {}", e.getMessage()));
            } catch (RuntimeException e) {
                log.debug("job event not delivered to a session: {}", e.getMessage());
            }
        }
    }

    /** This notifier as a queue observer: job events only, passes are not its business. */
    public QueueEvents queueEvents() {
        JobEventNotifier self = this;
        return new QueueEvents() {
            @Override
            public void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended,
                                  List<QueuedJob> waiting, int active) {
            }

            @Override
            public void onJobEvent(JobEvent event) {
                self.accept(event);
            }
        };
    }

    static McpSchema.LoggingLevel level(JobEvent.Kind kind) {
        return switch (kind) {
            case PREEMPTED, FAILED, NEAR_MAX_COST, MAX_COST_REACHED -> McpSchema.LoggingLevel.WARNING;
            case ADMITTED, STARTED, SUCCEEDED, CANCELLED -> McpSchema.LoggingLevel.INFO;
        };
    }

    /** {"kind":..., "job_id":..., "team":..., "run_name":..., "detail":..., "at":..., "message":...} as text. */
    static String data(JobEvent event) {
        Map<String, Object> data = new LinkedHashMap<>(Json.toMap(event));
        data.put("message", event.message());
        return Json.write(data);
    }

    int sessionCount() {
        return sessions.size();
    }

    /** The stdio (or SSE) provider, noting each session it creates. */
    McpServerTransportProvider track(McpServerTransportProvider provider) {
        final class Tracked extends Delegating implements McpServerTransportProvider {
            Tracked() {
                super(provider);
            }

            @Override
            public void setSessionFactory(McpServerSession.Factory factory) {
                provider.setSessionFactory(transport -> {
                    McpServerSession session = factory.create(transport);
                    sessions.add(session);
                    return session;
                });
            }
        }
        return new Tracked();
    }

    /** The Streamable HTTP provider, noting each session it starts. */
    McpStreamableServerTransportProvider track(McpStreamableServerTransportProvider provider) {
        final class Tracked extends Delegating implements McpStreamableServerTransportProvider {
            Tracked() {
                super(provider);
            }

            @Override
            public void setSessionFactory(McpStreamableServerSession.Factory factory) {
                provider.setSessionFactory(request -> {
                    McpStreamableServerSession.McpStreamableServerSessionInit init = factory.startSession(request);
                    sessions.add(init.session());
                    return init;
                });
            }
        }
        return new Tracked();
    }

    /** Everything but the session factory goes to the wrapped provider, for either kind of transport. */
    private abstract static class Delegating implements McpServerTransportProviderBase {
        private final McpServerTransportProviderBase provider;

        Delegating(McpServerTransportProviderBase provider) {
            this.provider = provider;
        }

        @Override
        public Mono<Void> notifyClients(String method, Object params) {
            return provider.notifyClients(method, params);
        }

        @Override
        public Mono<Void> notifyClient(String sessionId, String method, Object params) {
            return provider.notifyClient(sessionId, method, params);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return provider.closeGracefully();
        }

        @Override
        public void close() {
            provider.close();
        }

        @Override
        public List<String> protocolVersions() {
            return provider.protocolVersions();
        }
    }
}
