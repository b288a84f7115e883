package dev.trainops.events;

import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The event log, the store's {@code event_log} table (migration V11): how an event produced on one
 * replica reaches the sessions on every replica (docs/architecture.md, "Events"). The producer
 * writes a row, a job event in the very transaction of the change it reports (so the change and its
 * event commit together, or neither); on PostgreSQL the same transaction sends a {@code NOTIFY} that
 * is delivered at commit. Each replica's {@link EventRelay} reads the rows in id order and hands them
 * to its own listeners; rows are deleted after the retention ({@link #deleteBefore}).
 */
public final class EventLog {
    /** The PostgreSQL channel a writer notifies and every relay listens on. */
    static final String CHANNEL = "trainops_events";

    private final Store store;
    private final Clock clock;

    /**
     * @param clock the wall clock: a row's age for the retention, and the relay's grace for late commits
     *              (never the sandbox's accelerated clock: commits happen in real time)
     */
    public EventLog(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** Writes {@code event} inside {@code c}, the transaction that makes the change it reports. */
    public void append(Connection c, JobEvent event) throws SQLException {
        insert(c, EventCodec.JOB, event.team(), EventCodec.write(event));
    }

    /** Writes {@code warning} in a transaction of its own. */
    public void append(TeamWarning warning) {
        store.inTransaction(0, c -> {
            insert(c, EventCodec.WARNING, warning.team(), EventCodec.write(warning));
            return null;
        });
    }

    private void insert(Connection c, String kind, String team, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_log (kind, team, payload, created_ms) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, kind);
            ps.setString(2, team);
            ps.setString(3, payload);
            ps.setLong(4, clock.millis());
            ps.executeUpdate();
        }
        if (!store.isSqlite()) {
            // delivered when the transaction commits, never before and never for a rollback; one per
            // transaction however many rows it wrote (PostgreSQL folds equal notifications)
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
                ps.setString(1, CHANNEL);
                ps.execute();
            }
        }
    }

    /** Deletes the rows written before {@code cutoff} (the retention); returns how many. */
    public int deleteBefore(Instant cutoff) {
        return store.inTransaction(0, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_log WHERE created_ms < ?")) {
                ps.setLong(1, cutoff.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * A relay that starts after the newest row there is now: it sends what is written from here on,
     * never the history before it. Take it before anything in this process can write an event.
     *
     * @param grace how long a missing id is waited for before the relay gives it up ({@link EventRelay})
     */
    public EventRelay relayFromNow(Duration grace) {
        try (Connection c = store.connection()) {
            return new EventRelay(store, clock, grace, Math.max(single(c, "SELECT MAX(id) FROM event_log"), lastDrawn(c)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the event log in " + store.description() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The last id drawn, committed or not: after the retention has emptied the log, the newest row
     * is gone but its id is not reused, and the relay need not wait for the ids below it. Where the
     * store does not say (a read-only user without rights on the sequence), 0.
     */
    private long lastDrawn(Connection c) {
        String sql = store.isSqlite() ? "SELECT seq FROM sqlite_sequence WHERE name = 'event_log'"
                : "SELECT pg_sequence_last_value(pg_get_serial_sequence('event_log', 'id')::regclass)";
        try {
            return single(c, sql);
        } catch (SQLException e) {
            return 0;
        }
    }

    /** The first column of the first row as a long; 0 for no row or NULL. */
    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    Clock clock() {
        return clock;
    }
}
