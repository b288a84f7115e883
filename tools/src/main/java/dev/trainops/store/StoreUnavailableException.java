package dev.trainops.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.Set;

/**
 * The store does not answer: PostgreSQL is down, restarting or unreachable. {@link Store#connection()}
 * throws it within a fraction of a second instead of waiting out the pool's timeout, and every tool
 * call that meets it (however wrapped) answers UPSTREAM_UNAVAILABLE with {@code backend: store}
 * (docs/architecture.md, "When the store is down"). Its message names the store by
 * {@link Store#description()}, never by URL.
 */
public final class StoreUnavailableException extends SQLTransientConnectionException {
    private static final long serialVersionUID = 1L;
    /**
     * PostgreSQL's SQLSTATEs of a lost or refused connection beyond class 08 (connection exception):
     * admin shutdown, crash shutdown, cannot connect now (starting or stopping), and a server out of connections.
     */
    private static final Set<String> GONE = Set.of("57P01", "57P02", "57P03", "53300");

    private final String store;

    StoreUnavailableException(String store, String why) {
        super(store + " is not answering (" + why + ")", "08001");
        this.store = store;
    }

    /** Which store, as {@link Store#description()} says it. */
    public String store() {
        return store;
    }

    /**
     * Whether {@code failure}, or anything it was caused by, says the store did not answer: this
     * exception, or a driver's SQLException whose SQLSTATE is a lost connection (a pooled connection
     * the restart cut in the middle of a call). Empty for every other failure, a failing statement included.
     */
    public static Optional<Unanswered> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreUnavailableException s) {
                return Optional.of(new Unanswered(s.store()));
            }
            if (t instanceof SQLException sql && lostConnection(sql.getSQLState())) {
                return Optional.of(new Unanswered(null));
            }
        }
        return Optional.empty();
    }

    static boolean lostConnection(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || GONE.contains(sqlState));
    }

    /** A call the store left unanswered; {@code store} is its description when known. */
    public record Unanswered(String store) {
        /** For a person: which store, or "the store". */
        public String what() {
            return store == null ? "the store" : store;
        }

        /** What happened, for a person. */
        public String message() {
            return store == null ? "The store did not answer: the connection to it was cut during the call (down, restarting or unreachable)."
                    : "The store did not answer: " + store + " is down, restarting or unreachable.";
        }
    }
}
