package dev.trainops.server;

import dev.trainops.access.Principal;
import dev.trainops.catalog.Json;
import io.modelcontextprotocol.common.McpTransportContext;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The queue's job events as MCP log notifications ({@code notifications/message}, logger
 * {@value #LOGGER}) to every connected session, each at or above the level the session chose with
 * {@code logging/setLevel} (info by default): admitted, started, succeeded and cancelled at info;
 * preempted, failed, at 80% of its max_cost and stopped at it at warning (docs/architecture.md,
 * "Events"); each also as {@code notifications/resources/updated} for the sessions subscribed to
 * the job's resource. Quota and budget warnings go out the same way under {@value #ALERTS_LOGGER}
 * (docs/monitoring.md). Each goes only to the sessions whose principal sees its team (DESIGN.md,
 * "Identity and tenancy", rules 1 and 5): a stdio session is the local principal; a Streamable HTTP
 * session is the principal its requests carry in their transport context (noted on each request,
 * {@link Watched}); one that has made no request since {@code initialize} hears nothing of any team.
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
    /** The principal of each Streamable HTTP session, by session id, as its latest request carried it. */
    private final Map<String, Principal> principals = new ConcurrentHashMap<>();
    /** The team of each job resource an event was sent for, so its resources/updated goes to that team's sessions only. */
    private final Map<String, String> resourceTeams = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_RESOURCES;
        }
    });
    private static final int MAX_RESOURCES = 100_000;
    private final Principal local;

    /** Stdio sessions, and HTTP sessions whose requests carry no principal (no authentication), are the local admin. */
    public JobEventNotifier() {
        this(Principal.LOCAL);
    }

    /**
     * @param local who a stdio session is, and an HTTP session whose requests carry no principal (a
     *              server without authentication): what {@code McpToolAdapter} calls such a caller
     */
    public JobEventNotifier(Principal local) {
        this.local = java.util.Objects.requireNonNull(local, "local must not be null");
    }

    /**
     * Sends {@code event} to every session whose level admits it, and tells the sessions subscribed
     * to {@code trainops://jobs/{job_id}} that it changed; never throws, never waits on a client.
     */
    @Override
    public void accept(JobEvent event) {
        McpSchema.LoggingLevel level = level(event.kind());
        log(new McpSchema.LoggingMessageNotification(level, LOGGER, data(event)), event.team());
        resourceTeams.put(event.resourceUri(), event.team());
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
     * {@value #ALERTS_LOGGER}, to every session that sees the team (docs/monitoring.md).
     */
    public void warn(TeamWarning warning) {
        Map<String, Object> data = new LinkedHashMap<>(Json.toMap(warning));
        data.put("message", warning.message());
        log(new McpSchema.LoggingMessageNotification(McpSchema.LoggingLevel.WARNING, ALERTS_LOGGER, Json.write(data)), warning.team());
    }

    /** Who {@code session} is: the local principal over stdio, else what its requests carried (null: not known yet). */
    private Principal principal(McpLoggableSession session) {
        return session instanceof Watched w ? principals.get(w.getId()) : local;
    }

    /** Whether the session {@code sessionId} may hear of {@code team}'s items. */
    private boolean sees(String sessionId, boolean streamable, String team) {
        Principal p = streamable ? principals.get(sessionId) : local;
        return p != null && p.sees(team);
    }

    /** Notes who session {@code sessionId} is, from a request's transport context (empty: no authentication, the local principal). */
    void noteSession(String sessionId, ContextView context) {
        if (sessionId == null || !context.hasKey(McpTransportContext.KEY)) {
            return;
        }
        McpTransportContext transport = context.get(McpTransportContext.KEY);
        Object p = transport.get(McpToolAdapter.PRINCIPAL);
        principals.put(sessionId, p instanceof Principal principal ? principal : local);
    }

    /** Notes a built server: job events become resource updates for its subscribed sessions. */
    void attach(McpSyncServer server) {
        servers.add(server);
    }

    private void log(McpSchema.LoggingMessageNotification message, String team) {
        McpSchema.LoggingLevel level = message.level();
        List<McpLoggableSession> now;
        synchronized (sessions) {
            now = new ArrayList<>(sessions);
        }
        for (McpLoggableSession session : now) {
            Principal who = principal(session);
            if (who == null || !who.sees(team) || !session.isNotificationForLevelAllowed(level)) {
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
                super(provider, false);
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
                super(provider, true);
            }

            @Override
            public void setSessionFactory(McpStreamableServerSession.Factory factory) {
                provider.setSessionFactory(request -> {
                    McpStreamableServerSession.McpStreamableServerSessionInit init = factory.startSession(request);
                    Watched watched = new Watched(init.session(), JobEventNotifier.this);
                    sessions.add(watched);
                    return new McpStreamableServerSession.McpStreamableServerSessionInit(watched, init.initResult());
                });
            }
        }
        return new Tracked();
    }

    /**
     * Everything but the session factory goes to the wrapped provider, for either kind of transport;
     * a job resource's {@code notifications/resources/updated} (the SDK sends one per subscribed
     * session) only to a session that sees the job's team.
     */
    private abstract class Delegating implements McpServerTransportProviderBase {
        private final McpServerTransportProviderBase provider;
        private final boolean streamable;

        Delegating(McpServerTransportProviderBase provider, boolean streamable) {
            this.provider = provider;
            this.streamable = streamable;
        }

        @Override
        public Mono<Void> notifyClients(String method, Object params) {
            return provider.notifyClients(method, params);
        }

        @Override
        public Mono<Void> notifyClient(String sessionId, String method, Object params) {
            if (params instanceof McpSchema.ResourcesUpdatedNotification updated) {
                String team = resourceTeams.get(updated.uri());
                if (team != null && !sees(sessionId, streamable, team)) {
                    return Mono.empty();
                }
            }
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
    /**
     * A Streamable HTTP session as the SDK made it, noting the principal each of its requests and
     * notifications carries in its transport context; everything else is the SDK's session's. The
     * SDK (2.1) hands a session's factory no transport context at {@code initialize} and keeps its
     * sessions to itself, so this is where the notifier learns who a session is.
     * {@code JobEventNotifierTest} checks that it forwards every public method of the SDK's session.
     */
    static final class Watched extends McpStreamableServerSession {
        private final McpStreamableServerSession real;
        private final JobEventNotifier notifier;

        Watched(McpStreamableServerSession real, JobEventNotifier notifier) {
            super(real.getId(), null, null, java.time.Duration.ZERO, Map.of(), Map.of());
            this.real = real;
            this.notifier = notifier;
        }

        @Override
        public Mono<Void> responseStream(McpSchema.JSONRPCRequest request, McpStreamableServerTransport transport) {
            return Mono.deferContextual(ctx -> {
                notifier.noteSession(real.getId(), ctx);
                return real.responseStream(request, transport);
            });
        }

        @Override
        public Mono<Void> accept(McpSchema.JSONRPCNotification notification) {
            return Mono.deferContextual(ctx -> {
                notifier.noteSession(real.getId(), ctx);
                return real.accept(notification);
            });
        }

        @Override
        public Mono<Void> accept(McpSchema.JSONRPCResponse response) {
            return real.accept(response);
        }

        @Override
        public void setMinLoggingLevel(McpSchema.LoggingLevel level) {
            real.setMinLoggingLevel(level);
        }

        @Override
        public boolean isNotificationForLevelAllowed(McpSchema.LoggingLevel level) {
            return real.isNotificationForLevelAllowed(level);
        }

        @Override
        public String getId() {
            return real.getId();
        }

        @Override
        public <T> Mono<T> sendRequest(String method, Object params, TypeRef<T> type) {
            return real.sendRequest(method, params, type);
        }

        @Override
        public Mono<Void> sendNotification(String method, Object params) {
            return real.sendNotification(method, params);
        }

        @Override
        public Mono<Void> delete() {
            notifier.principals.remove(real.getId());
            return real.delete();
        }

        @Override
        public boolean hasListeningStream() {
            return real.hasListeningStream();
        }

        @Override
        public boolean hasOpenStream() {
            return real.hasOpenStream();
        }

        @Override
        public McpStreamableServerSessionStream listeningStream(McpStreamableServerTransport transport) {
            return real.listeningStream(transport);
        }

        @Override
        public void releaseListeningStream() {
            real.releaseListeningStream();
        }

        @Override
        public Flux<McpSchema.JSONRPCMessage> replay(Object lastEventId) {
            return real.replay(lastEventId);
        }

        @Override
        public McpStreamableServerSessionStream responseStream(McpStreamableServerTransport transport) {
            return real.responseStream(transport);
        }

        @Override
        public Mono<Void> closeGracefully() {
            notifier.principals.remove(real.getId());
            return real.closeGracefully();
        }

        @Override
        public void close() {
            notifier.principals.remove(real.getId());
            real.close();
        }
    }
}
