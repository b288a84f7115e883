package dev.trainops.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/** A PostgreSQL connection listening on one channel ({@link Store#listen}); close it when done. */
public final class StoreListener implements AutoCloseable {
    private final Connection connection;
    private final org.postgresql.PGConnection pg;
    private final String description;
    private final Redactor redactor;

    StoreListener(Connection connection, org.postgresql.PGConnection pg, String description, Redactor redactor) {
        this.connection = connection;
        this.pg = pg;
        this.description = description;
        this.redactor = redactor;
    }

    /**
     * Waits up to {@code timeout} for a notification on the channel; true when one or more came
     * (all of them are consumed). Fails when the connection is lost: open a new listener.
     */
    public boolean await(Duration timeout) throws SQLException {
        try {
            org.postgresql.PGNotification[] got = pg.getNotifications((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            return got != null && got.length > 0;
        } catch (SQLException e) {
            throw new SQLException("listening on " + description + " failed: " + redactor.redact(e.getMessage()), e.getSQLState());
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // the connection was lost already: nothing to give back
        }
    }
}
