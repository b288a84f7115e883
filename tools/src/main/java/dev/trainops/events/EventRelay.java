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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's reader of the event log (docs/architecture.md, "Events"): it sends each row written
 * after it started to this replica's listeners once, in id order, whichever replica wrote it; the
 * replica that wrote a row hears of it here too, never directly, so every replica sees the same
 * stream the same way.
 *
 * <p>Ids are drawn at insert and seen at commit, so on PostgreSQL a row may become visible after rows
 * with higher ids (two replicas writing at once, or a long transaction). The relay remembers each id
 * it skipped over as pending and reads it again each time until it appears or its grace period runs
 * out; a rolled-back transaction leaves such a gap for good, which the grace period closes. A row that
 * commits later than the grace period after a higher one is not sent (logged at debug): the grace is
 * several seconds, the transactions that write events last milliseconds.
 *
 * <p>Single-threaded: one loop calls {@link #await} and {@link #dispatch}; {@link #wake} may be called
 * from anywhere.
 */
public final class EventRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventRelay.class);
    /** Rows read per query. */
    static final int BATCH = 500;
    /**
     * Most ids waited for at once; beyond it the lowest are given up. A gap is as wide as the
     * transactions writing events at once, plus the rows of those rolled back; a relay starts after
     * the last id drawn, so a log emptied by the retention leaves none.
     */
    static final int MAX_PENDING = 1_000;
    /** How often a lost PostgreSQL listener is opened again. */
    static final Duration RELISTEN_EVERY = Duration.ofSeconds(5);

    /** What the relay hands each event to. */
    public interface Sink {
        void job(JobEvent event);

        void warning(TeamWarning warning);
    }

    private final Store store;
    private final Clock clock;
    private final Duration grace;
    /** The highest id seen: every id below it was sent, is pending, or was given up. */
    private long high;
    /** Ids below {@link #high} not seen yet, each with when the relay gives it up. */
    private final TreeMap<Long, Instant> pending = new TreeMap<>();
    private final Semaphore nudge = new Semaphore(0);
    private volatile dev.trainops.store.StoreListener listener;
    private Instant listenAgainAt = Instant.MIN;
    private volatile boolean closed;

    EventRelay(Store store, Clock clock, Duration grace, long start) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        this.store = store;
        this.clock = clock;
        this.grace = grace;
        this.high = start;
    }

    /** Something was just committed in this process: the waiting {@link #await} returns now (SQLite has no NOTIFY). */
    public void wake() {
        if (nudge.availablePermits() == 0) {
            nudge.release();
        }
    }

    /**
     * Waits up to {@code timeout} for news: a PostgreSQL notification (any replica's commit), or a
     * {@link #wake} from this process. Returns early on news, at the timeout without: either way the
     * caller then reads ({@link #dispatch}), so a lost notification costs at most one timeout.
     */
    public void await(Duration timeout) throws InterruptedException {
        if (nudge.tryAcquire()) {
            nudge.drainPermits();
            return;
        }
        dev.trainops.store.StoreListener l = listener();
        if (l != null) {
            try {
                l.await(timeout);
                return;
            } catch (SQLException e) {
                log.debug("event log listener lost; polling until it is back: {}", e.getMessage());
                l.close();
                listener = null;
            }
        }
        if (nudge.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            nudge.drainPermits();
        }
    }

    /** The PostgreSQL listener, opened (again) when it is missing and not tried lately; null on SQLite or while it cannot be opened. */
    private dev.trainops.store.StoreListener listener() {
        if (store.isSqlite() || closed) {
            return null;
        }
        Instant now = clock.instant();
        if (listener == null && !now.isBefore(listenAgainAt)) {
            listenAgainAt = now.plus(RELISTEN_EVERY);
            try {
                listener = store.listen(EventLog.CHANNEL);
            } catch (SQLException | RuntimeException e) {
                log.debug("cannot listen for events on {}; polling: {}", store.description(), e.getMessage());
            }
        }
        return listener;
    }

    /**
     * Sends every row that is new since the last call to {@code sink}, in id order (a late row among
     * the pending ones first); returns how many were sent. A row the relay cannot read (a kind or a
     * shape from a newer version) is skipped and logged; a listener's failure does not stop the rest.
     */
    public int dispatch(Sink sink) {
        Instant now = clock.instant();
        List<Row> rows = new ArrayList<>();
        try (Connection c = store.connection()) {
            if (!pending.isEmpty()) {
                rows.addAll(pendingRows(c));
            }
            List<Row> batch;
            long from = high;
            do {
                batch = after(c, from);
                rows.addAll(batch);
                if (!batch.isEmpty()) {
                    from = batch.get(batch.size() - 1).id();
                }
            } while (batch.size() == BATCH);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the event log in " + store.description() + ": " + e.getMessage(), e);
        }
        int sent = 0;
        for (Row r : rows) {
            if (r.id() <= high) {
                if (pending.remove(r.id()) == null) {
                    continue;
                }
            } else {
                for (long gap = Math.max(high + 1, r.id() - MAX_PENDING); gap < r.id(); gap++) {
                    pending.put(gap, now.plus(grace));
                }
                high = r.id();
            }
            send(r, sink);
            sent++;
        }
        expire(now);
        return sent;
    }

    private void expire(Instant now) {
        for (Iterator<Map.Entry<Long, Instant>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Instant> e = it.next();
            if (now.isAfter(e.getValue()) || pending.size() > MAX_PENDING) {
                log.debug("event {} did not appear within {}: rolled back, or committed too late to be sent", e.getKey(), grace);
                it.remove();
            }
        }
    }

    /** The ids the relay is waiting for, lowest first (tests). */
    List<Long> pendingIds() {
        return List.copyOf(pending.keySet());
    }

    /** The pending rows that have appeared, in id order, asking for a batch of ids at a time. */
    private List<Row> pendingRows(Connection c) throws SQLException {
        List<Long> all = List.copyOf(pending.keySet());
        List<Row> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            List<Long> ids = all.subList(from, Math.min(all.size(), from + BATCH));
            String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, payload FROM event_log WHERE id IN (" + marks + ") ORDER BY id")) {
                for (int i = 0; i < ids.size(); i++) {
                    ps.setLong(i + 1, ids.get(i));
                }
                out.addAll(rows(ps));
            }
        }
        return out;
    }

    private static List<Row> after(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, payload FROM event_log WHERE id > ? ORDER BY id LIMIT " + BATCH)) {
            ps.setLong(1, id);
            return rows(ps);
        }
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    private static void send(Row r, Sink sink) {
        try {
            switch (r.kind()) {
                case EventCodec.JOB -> sink.job(EventCodec.job(r.payload()));
                case EventCodec.WARNING -> sink.warning(EventCodec.warning(r.payload()));
                default -> log.debug("event {} of kind {} is not one this version sends; skipped", r.id(), r.kind());
            }
        } catch (RuntimeException e) {
            log.warn("event {} ({}) not sent: {}", r.id(), r.kind(), e.getMessage());
        }
    }

    /** Closes the PostgreSQL listener; the relay sends nothing more. */
    @Override
    public void close() {
        closed = true;
        dev.trainops.store.StoreListener l = listener;
        listener = null;
        if (l != null) {
            l.close();
        }
    }

    private record Row(long id, String kind, String payload) {
    }
}
