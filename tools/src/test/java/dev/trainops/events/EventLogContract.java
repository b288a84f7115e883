package dev.trainops.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event log on either store (docs/architecture.md, "Events"): a relay sends each event written
 * after it started once, in order, whichever process wrote it; a job event commits with its change
 * or not at all; old rows go after the retention.
 */
abstract class EventLogContract {
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final List<AutoCloseable> open = new ArrayList<>();

    /** A fresh, migrated, empty store. */
    abstract Store freshStore();

    Store store() {
        Store s = freshStore();
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    EventRelay relay(EventLog log) {
        EventRelay r = log.relayFromNow(Duration.ofSeconds(10));
        open.add(r);
        return r;
    }

    static JobEvent job(String jobId, String team, JobEvent.Kind kind) {
        return new JobEvent(kind, jobId, team, "run-" + jobId, "detail of " + jobId, T0);
    }

    static void append(Store store, EventLog log, JobEvent e) {
        store.inTransaction(0, c -> {
            log.append(c, e);
            return null;
        });
    }

    /** Everything the relay sends, in the order it sends it. */
    static final class Heard implements EventRelay.Sink {
        final List<Object> events = new ArrayList<>();

        @Override
        public void job(JobEvent event) {
            events.add(event);
        }

        @Override
        public void warning(TeamWarning warning) {
            events.add(warning);
        }
    }

    @Test
    void aRelaySendsWhatIsWrittenAfterItStartedOnceInOrderAndNoHistory() {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        JobEvent before = job("tj-000000000001", "team-a", JobEvent.Kind.ADMITTED);
        append(store, log, before);
        EventRelay relay = relay(log);
        JobEvent started = job("tj-000000000002", "team-a", JobEvent.Kind.STARTED);
        TeamWarning warning = new TeamWarning(TeamWarning.Kind.QUOTA, "team-b", "gpu", 0.875, 0.8, "team-b uses 7 of its 8 gpu quota.", T0);
        JobEvent cancelled = job("tj-000000000002", "team-a", JobEvent.Kind.CANCELLED);
        append(store, log, started);
        log.append(warning);
        append(store, log, cancelled);

        Heard heard = new Heard();
        assertThat(relay.dispatch(heard)).isEqualTo(3);
        assertThat(heard.events).as("each event as it was written, fields and all").containsExactly(started, warning, cancelled);
        assertThat(relay.dispatch(heard)).as("nothing twice").isZero();
        assertThat(heard.events).hasSize(3);
    }

    @Test
    void everyRelayOnTheStoreHearsEachEventOnceWhoeverWroteIt() {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay one = relay(log);
        EventRelay two = relay(log);
        JobEvent e = job("tj-000000000003", "team-a", JobEvent.Kind.ADMITTED);
        append(store, log, e);
        Heard a = new Heard();
        Heard b = new Heard();
        one.dispatch(a);
        two.dispatch(b);
        one.dispatch(a);
        two.dispatch(b);
        assertThat(a.events).containsExactly(e);
        assertThat(b.events).containsExactly(e);
    }

    @Test
    void aJobEventRolledBackWithItsChangeIsNeverSent() {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        assertThatThrownBy(() -> store.inTransaction(0, c -> {
            log.append(c, job("tj-000000000004", "team-a", JobEvent.Kind.ADMITTED));
            throw new IllegalStateException("the admission pass failed after writing its event");
        })).hasMessageContaining("admission pass failed");
        JobEvent kept = job("tj-000000000005", "team-a", JobEvent.Kind.ADMITTED);
        append(store, log, kept);
        Heard heard = new Heard();
        relay.dispatch(heard);
        assertThat(heard.events).containsExactly(kept);
    }

    @Test
    void aRowThisVersionCannotReadIsSkippedAndTheRestAreSent() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        store.inTransaction(0, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_log (kind, team, payload, created_ms) VALUES (?, ?, ?, ?)")) {
                for (String[] row : List.of(new String[] {"budget-forecast", "{}"}, new String[] {"job", "not json"})) {
                    ps.setString(1, row[0]);
                    ps.setString(2, "team-a");
                    ps.setString(3, row[1]);
                    ps.setLong(4, clock.millis());
                    ps.executeUpdate();
                }
                // a newer version's job event with a field this one does not know
                ps.setString(1, "job");
                ps.setString(2, "team-a");
                ps.setString(3, "{\"kind\":\"STARTED\",\"job_id\":\"tj-000000000006\",\"team\":\"team-a\",\"run_name\":\"r\",\"detail\":\"d\","
                        + "\"at\":\"2026-03-02T10:00:00Z\",\"node\":\"h100-a\"}");
                ps.setLong(4, clock.millis());
                ps.executeUpdate();
            }
            return null;
        });
        Heard heard = new Heard();
        relay.dispatch(heard);
        assertThat(heard.events).containsExactly(new JobEvent(JobEvent.Kind.STARTED, "tj-000000000006", "team-a", "r", "d", T0));
    }

    @Test
    void aListenerThatFailsDoesNotStopTheEventsAfterIt() {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        append(store, log, job("tj-000000000007", "team-a", JobEvent.Kind.ADMITTED));
        append(store, log, job("tj-000000000008", "team-a", JobEvent.Kind.ADMITTED));
        List<String> heard = new ArrayList<>();
        relay.dispatch(new EventRelay.Sink() {
            @Override
            public void job(JobEvent event) {
                heard.add(event.jobId());
                if (heard.size() == 1) {
                    throw new IllegalStateException("a session went away");
                }
            }

            @Override
            public void warning(TeamWarning warning) {
            }
        });
        assertThat(heard).containsExactly("tj-000000000007", "tj-000000000008");
    }

    @Test
    void rowsOlderThanTheRetentionAreDeletedAndNewerOnesKept() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        append(store, log, job("tj-000000000009", "team-a", JobEvent.Kind.ADMITTED));
        clock.advance(Duration.ofMinutes(61));
        append(store, log, job("tj-00000000000a", "team-a", JobEvent.Kind.STARTED));
        assertThat(log.deleteBefore(clock.instant().minus(Duration.ofHours(1)))).isEqualTo(1);
        try (var c = store.connection(); var s = c.createStatement(); var rs = s.executeQuery("SELECT payload FROM event_log")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("tj-00000000000a");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aRelayStartedAfterTheRetentionEmptiedTheLogDoesNotResendOldIds() {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        append(store, log, job("tj-00000000000b", "team-a", JobEvent.Kind.ADMITTED));
        Heard heard = new Heard();
        relay.dispatch(heard);
        clock.advance(Duration.ofHours(2));
        log.deleteBefore(clock.instant().minus(Duration.ofHours(1)));
        JobEvent next = job("tj-00000000000c", "team-a", JobEvent.Kind.ADMITTED);
        EventRelay later = relay(log);
        append(store, log, next);
        Heard laterHeard = new Heard();
        relay.dispatch(heard);
        later.dispatch(laterHeard);
        assertThat(heard.events).extracting(e -> ((JobEvent) e).jobId()).containsExactly("tj-00000000000b", "tj-00000000000c");
        assertThat(laterHeard.events).containsExactly(next);
        assertThat(later.pendingIds()).as("the emptied log's ids are not waited for").isEmpty();
    }

    @Test
    void aWaitingRelayReturnsOnceAnEventIsCommittedNotAtItsTimeout() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        relay.dispatch(new Heard());
        // the first await opens the PostgreSQL listener; an event committed after that wakes it
        relay.await(Duration.ofMillis(1));
        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
            try {
                relay.await(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        append(store, log, job("tj-00000000000d", "team-a", JobEvent.Kind.ADMITTED));
        wakeAfterCommit(relay);
        waited.get(2, TimeUnit.MINUTES);
        Heard heard = new Heard();
        relay.dispatch(heard);
        assertThat(heard.events).hasSize(1);
    }

    /** What the producing process does after its commit: nothing on PostgreSQL (the NOTIFY does it), a wake-up on SQLite. */
    abstract void wakeAfterCommit(EventRelay relay);
}
