package dev.trainops.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.queue.JobEvent;
import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event log on PostgreSQL, shared by every replica: an id is drawn at insert but seen at commit,
 * so rows can appear out of id order. The relay sends a row that commits after a higher one once,
 * gives up a gap a rollback left after its grace period, and wakes on the writer's NOTIFY.
 */
class PostgresEventLogTest extends EventLogContract {
    @Override
    Store freshStore() {
        return Postgres.freshSchemaStore("events");
    }

    @Override
    void wakeAfterCommit(EventRelay relay) {
        // nothing: the writer's NOTIFY, delivered at its commit, wakes every relay listening
    }

    /** Runs {@code work} in a transaction left open on its own connection until {@code end} says commit (true) or roll back. */
    static CompletableFuture<Void> openTransaction(Store store, EventLog log, JobEvent event, CompletableFuture<Boolean> written,
                                                   CompletableFuture<Boolean> end) {
        return CompletableFuture.runAsync(() -> {
            try (Connection c = store.connection()) {
                c.setAutoCommit(false);
                log.append(c, event);
                written.complete(true);
                if (end.get(2, TimeUnit.MINUTES)) {
                    c.commit();
                } else {
                    c.rollback();
                }
            } catch (Exception e) {
                written.completeExceptionally(e);
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aRowThatCommitsAfterAHigherOneIsStillSentOnce() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        JobEvent slow = job("tj-000000000011", "team-a", JobEvent.Kind.ADMITTED);
        JobEvent quick = job("tj-000000000012", "team-b", JobEvent.Kind.ADMITTED);
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        CompletableFuture<Boolean> commit = new CompletableFuture<>();
        CompletableFuture<Void> first = openTransaction(store, log, slow, written, commit);
        written.get(1, TimeUnit.MINUTES);
        append(store, log, quick);

        Heard heard = new Heard();
        relay.dispatch(heard);
        assertThat(heard.events).as("the higher id, committed first").containsExactly(quick);
        assertThat(relay.pendingIds()).as("the lower id, still open, is waited for").hasSize(1);

        commit.complete(true);
        first.get(1, TimeUnit.MINUTES);
        clock.advance(Duration.ofSeconds(5));
        relay.dispatch(heard);
        relay.dispatch(heard);
        assertThat(heard.events).containsExactly(quick, slow);
        assertThat(relay.pendingIds()).isEmpty();
    }

    @Test
    void aGapARollbackLeftIsGivenUpAfterTheGracePeriod() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        CompletableFuture<Boolean> commit = new CompletableFuture<>();
        CompletableFuture<Void> rolledBack = openTransaction(store, log, job("tj-000000000013", "team-a", JobEvent.Kind.ADMITTED),
                written, commit);
        written.get(1, TimeUnit.MINUTES);
        append(store, log, job("tj-000000000014", "team-a", JobEvent.Kind.ADMITTED));
        commit.complete(false);
        rolledBack.get(1, TimeUnit.MINUTES);

        Heard heard = new Heard();
        relay.dispatch(heard);
        assertThat(relay.pendingIds()).hasSize(1);
        clock.advance(Duration.ofSeconds(10));
        relay.dispatch(heard);
        assertThat(relay.pendingIds()).as("within the grace period").hasSize(1);
        clock.advance(Duration.ofMillis(1));
        relay.dispatch(heard);
        assertThat(relay.pendingIds()).as("after it").isEmpty();
        assertThat(heard.events).hasSize(1);
    }

    @Test
    void aRowThatCommitsLaterThanTheGracePeriodAfterAHigherOneIsNotSent() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        EventRelay relay = relay(log);
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        CompletableFuture<Boolean> commit = new CompletableFuture<>();
        CompletableFuture<Void> late = openTransaction(store, log, job("tj-000000000015", "team-a", JobEvent.Kind.ADMITTED), written, commit);
        written.get(1, TimeUnit.MINUTES);
        JobEvent quick = job("tj-000000000016", "team-a", JobEvent.Kind.ADMITTED);
        append(store, log, quick);
        Heard heard = new Heard();
        relay.dispatch(heard);
        clock.advance(Duration.ofSeconds(11));
        relay.dispatch(heard);
        commit.complete(true);
        late.get(1, TimeUnit.MINUTES);
        relay.dispatch(heard);
        assertThat(heard.events).as("the documented limit: a transaction open longer than the grace loses its notification, never its job")
                .containsExactly(quick);
    }

    @Test
    void aRelayOnAReadOnlyConnectionHearsTheWritersEvents() throws Exception {
        Store store = store();
        EventLog log = new EventLog(store, clock);
        // the same schema as a --read-only replica opens it
        String url;
        try (Connection c = store.connection()) {
            url = c.getMetaData().getURL();
        }
        try (Store readOnly = Store.openReadOnly(url, Postgres.user(), null)) {
            EventRelay relay = new EventLog(readOnly, clock).relayFromNow(Duration.ofSeconds(10));
            open.add(relay);
            relay.await(Duration.ofMillis(1));
            CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
                try {
                    relay.await(Duration.ofMinutes(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            JobEvent e = job("tj-000000000017", "team-a", JobEvent.Kind.STARTED);
            append(store, log, e);
            waited.get(2, TimeUnit.MINUTES);
            Heard heard = new Heard();
            relay.dispatch(heard);
            assertThat(heard.events).containsExactly(e);
        }
    }
}
