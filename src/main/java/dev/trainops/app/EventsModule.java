package dev.trainops.app;

import dev.trainops.events.EventRelay;
import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How events reach this process's listeners (the MCP sessions, the chat's notices) whichever replica
 * produced them (docs/architecture.md, "Events"): the producer writes each to the store's event log
 * (a job event in its change's transaction, through the queue's observer; a team warning in its own);
 * the relay, a loop on every replica, waits for news (PostgreSQL NOTIFY, or a wake-up from this
 * process after a commit, else a poll every {@link #POLL_EVERY}) and sends each new row to the
 * listeners once. A replica hears its own events the same way, never directly. Rows older than
 * {@link #RETENTION} are deleted every {@link #CLEAN_EVERY}.
 */
final class EventsModule {
    private static final Logger log = LoggerFactory.getLogger(EventsModule.class);
    /** The longest a relay waits without news before it reads anyway (a notification lost with its connection). */
    static final Duration POLL_EVERY = Duration.ofSeconds(1);
    /** How long a missing id is waited for (a transaction that commits after a higher id's). */
    static final Duration GRACE = Duration.ofSeconds(10);
    static final Duration RETENTION = Duration.ofHours(1);
    static final Duration CLEAN_EVERY = Duration.ofMinutes(5);

    private final CostModule cost;
    private final BackgroundLoops loops;
    /** The wall clock: the log's retention and the relay's grace are real time, never the sandbox's accelerated clock. */
    private final Clock wall;
    private final List<Consumer<JobEvent>> jobListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<TeamWarning>> warningListeners = new CopyOnWriteArrayList<>();
    private final EventRelay.Sink sink = new EventRelay.Sink() {
        @Override
        public void job(JobEvent event) {
            tell(jobListeners, event);
        }

        @Override
        public void warning(TeamWarning warning) {
            tell(warningListeners, warning);
        }
    };

    EventsModule(CostModule cost, BackgroundLoops loops, Clock wall) {
        this.cost = cost;
        this.loops = loops;
        this.wall = wall;
    }

    /** Starts the relay once the store is open (its starting point was taken as the store opened), and the retention's cleanup. */
    void start() {
        cost.stack.thenAccept(money -> {
            if (loops.closed()) {
                return;
            }
            EventRelay relay = money.relay();
            loops.waiting("event-relay", POLL_EVERY, () -> {
                try {
                    relay.await(POLL_EVERY);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                relay.dispatch(sink);
            }).start(Duration.ZERO);
            if (!cost.readOnly) {
                loops.control("event-log-cleanup", CLEAN_EVERY, () -> {
                    int deleted = money.events().deleteBefore(wall.instant().minus(RETENTION));
                    if (deleted > 0) {
                        log.debug("event log: deleted {} row(s) older than {}", deleted, RETENTION);
                    }
                }).start(CLEAN_EVERY);
            }
        });
    }

    /** Something was committed in this process that may have written events: the relay reads now (SQLite has no NOTIFY). */
    void committed() {
        CostModule.Stack money = cost.ifOpen();
        if (money != null) {
            money.relay().wake();
        }
    }

    /**
     * A quota or budget warning from this replica's collector: into the event log, for every
     * replica's sessions (lost, and logged, when the store does not take it). A {@code --read-only}
     * process writes nothing: its own listeners hear it directly.
     */
    void warn(TeamWarning warning) {
        if (cost.readOnly) {
            sink.warning(warning);
            return;
        }
        try {
            cost.await().events().append(warning);
        } catch (RuntimeException e) {
            // the store is down: this warning is lost, the collector's other work goes on
            log.warn("a {} warning for {} was not written to the event log: {}", warning.kind(), warning.scope(), e.getMessage());
            return;
        }
        committed();
    }

    void onJobEvent(Consumer<JobEvent> listener) {
        jobListeners.add(listener);
    }

    void onTeamWarning(Consumer<TeamWarning> listener) {
        warningListeners.add(listener);
    }

    /** One failing listener does not stop the others. */
    private static <T> void tell(List<Consumer<T>> listeners, T event) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                log.warn("an event listener failed: {}", e.getMessage());
            }
        }
    }
}
