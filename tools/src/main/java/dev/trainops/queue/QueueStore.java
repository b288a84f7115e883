package dev.trainops.queue;

import dev.trainops.audit.Audit;
import dev.trainops.catalog.Json;
import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.type.TypeReference;

/** The durable queue: jobs and batches as rows. Every method that takes a connection joins the caller's transaction. */
public final class QueueStore {
    /** PostgreSQL advisory lock key of the admission loop (one admission pass at a time across replicas). */
    public static final long ADMISSION_LOCK = 0x7472_6169_6e6f_7073L; // "trainops"
    /** PostgreSQL advisory lock key of the quota warning's read-and-flip. */
    public static final long QUOTA_ALARM_LOCK = ADMISSION_LOCK + 1;

    private static final String COLUMNS = "job_id, idempotency_key, team, run_name, model, experiment, priority, priority_value, gpu_type, "
            + "gpu_count, epochs, batch_size, params, spot, not_before_ms, max_cost_micros, estimated_cost_micros, estimated_seconds, state, "
            + "reason, reason_detail, node, attempt, launched, submitted_ms, admitted_ms, started_ms, ended_ms, preempted_by, preemptions, "
            + "batch_id, batch_index, transitioned_ms, submitted_by, submitted_groups, updated_ms";
    private static final int COLUMN_COUNT = COLUMNS.split(",").length;

    private final Store store;
    private final Clock clock;

    public QueueStore(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Store store() {
        return store;
    }

    /** Inserts a job; with an idempotency key already used, returns the job stored under it instead (and inserts nothing). */
    public QueuedJob insert(Connection c, QueuedJob job) throws SQLException {
        if (job.idempotencyKey() != null) {
            Optional<QueuedJob> existing = byIdempotencyKey(c, job.idempotencyKey());
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_job (" + COLUMNS + ") VALUES ("
                + Arrays.stream(COLUMNS.split(",")).map(x -> "?").collect(Collectors.joining(", ")) + ")")) {
            bind(ps, job);
            ps.executeUpdate();
        }
        return job;
    }

    /**
     * Stores a new job in its own transaction, once per idempotency key. Two submissions with the
     * same key can both find no job under it and both insert; on PostgreSQL the loser's insert then
     * violates the key's unique index. The loser reads the winner's job in a new transaction and
     * returns it, so both callers get the same job and neither an error.
     */
    public QueuedJob insertOnce(QueuedJob job) {
        return insertOnce(job, Audit.NONE);
    }

    /**
     * As {@link #insertOnce(QueuedJob)}, with the call's audit entry written in the transaction that
     * stores the job (rule 7): both commit, or neither. A repeat that finds its key's job stores
     * nothing new and is recorded all the same.
     */
    public QueuedJob insertOnce(QueuedJob job, Audit audit) {
        try {
            return store.inTransaction(0, c -> {
                QueuedJob stored = insert(c, job);
                audit.inTransaction(c, stored.team());
                return stored;
            });
        } catch (RuntimeException e) {
            if (job.idempotencyKey() == null || !uniqueViolation(e)) {
                throw e;
            }
            return read(c -> byIdempotencyKey(c, job.idempotencyKey())).orElseThrow(() -> e);
        }
    }

    /**
     * Whether {@code e} was caused by a unique or primary-key violation: SQLSTATE 23505 on
     * PostgreSQL, SQLITE_CONSTRAINT (19) on SQLite (whose write lock makes the race unlikely there).
     */
    static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("23505".equals(sql.getSQLState()) || sql.getErrorCode() == 19)) {
                return true;
            }
        }
        return false;
    }

    public void update(Connection c, QueuedJob job) throws SQLException {
        String set = Arrays.stream(COLUMNS.split(",")).map(String::trim).filter(x -> !x.equals("job_id")).map(x -> x + " = ?")
                .collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_job SET " + set + " WHERE job_id = ?")) {
            bindWithoutId(ps, job);
            ps.setString(COLUMN_COUNT, job.jobId());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("queue job " + job.jobId() + " does not exist");
            }
        }
    }

    public Optional<QueuedJob> find(Connection c, String jobId) throws SQLException {
        List<QueuedJob> found = query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE job_id = ?", jobId);
        return found.stream().findFirst();
    }

    /** The most recently submitted job that logs to {@code runName}, if any. */
    public Optional<QueuedJob> latestByRunName(Connection c, String runName) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE run_name = ? ORDER BY submitted_ms DESC LIMIT 1", runName).stream()
                .findFirst();
    }

    /** Every job that logs to {@code runName}, oldest first (several when the run was trained again under its name). */
    public List<QueuedJob> byRunName(Connection c, String runName) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE run_name = ? ORDER BY submitted_ms, job_id", runName);
    }

    public Optional<QueuedJob> byIdempotencyKey(Connection c, String key) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE idempotency_key = ?", key).stream().findFirst();
    }

    /**
     * Up to {@code limit} SUCCEEDED jobs whose id, run name or model is {@code key}, the latest to end
     * first: the history trainops keeps of its own jobs (docs/money.md, "History without MLflow").
     */
    public List<QueuedJob> succeeded(Connection c, String key, int limit) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE state = 'SUCCEEDED' AND (job_id = ? OR run_name = ? OR model = ?) "
                + "ORDER BY ended_ms DESC LIMIT ?", key, key, key, limit);
    }

    /** The {@code limit} jobs submitted last, newest first (the values completions offer). */
    public List<QueuedJob> newest(Connection c, int limit) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job ORDER BY submitted_ms DESC LIMIT ?", limit);
    }

    /** Jobs in any of {@code states}. */
    public List<QueuedJob> inStates(Connection c, JobState... states) throws SQLException {
        String in = Arrays.stream(states).map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE state IN (" + in + ")");
    }

    /** Every job not ended, and those that ended at or after {@code since}. */
    public List<QueuedJob> currentAndSince(Connection c, Instant since) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') OR ended_ms >= ? "
                + "OR updated_ms >= ?", since.toEpochMilli(), since.toEpochMilli());
    }

    public List<QueuedJob> batchItems(Connection c, String batchId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE batch_id = ? ORDER BY batch_index", batchId);
    }

    /**
     * Queue rule 7: records whether {@code team}'s GPU use is at or above the warning line now and
     * says whether the warning fires: true only on a crossing (armed and above), after which it stays
     * quiet until usage drops below the line and re-arms it. One read-and-flip at a time per store
     * (its own advisory lock on PostgreSQL, the write lock on SQLite).
     */
    public boolean quotaAlarm(String team, boolean above) {
        return store.inTransaction(QUOTA_ALARM_LOCK, c -> quotaAlarm(c, team, above));
    }

    private boolean quotaAlarm(Connection c, String team, boolean above) throws SQLException {
        Boolean armed = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT armed FROM quota_alarm WHERE team = ?")) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    armed = rs.getInt(1) == 1;
                }
            }
        }
        if (armed == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO quota_alarm (team, armed, fired_ms) VALUES (?, ?, ?)")) {
                ps.setString(1, team);
                ps.setInt(2, above ? 0 : 1);
                if (above) {
                    ps.setLong(3, clock.millis());
                } else {
                    ps.setNull(3, Types.BIGINT);
                }
                ps.executeUpdate();
            }
            return above;
        }
        if (above && armed) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE quota_alarm SET armed = 0, fired_ms = ? WHERE team = ?")) {
                ps.setLong(1, clock.millis());
                ps.setString(2, team);
                ps.executeUpdate();
            }
            return true;
        }
        if (!above && !armed) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE quota_alarm SET armed = 1 WHERE team = ?")) {
                ps.setString(1, team);
                ps.executeUpdate();
            }
        }
        return false;
    }

    /** Reads outside a caller's transaction. */
    public <T> T read(Store.Work<T> work) {
        try (Connection c = store.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the job queue in " + store.description() + ": " + e.getMessage(), e);
        }
    }

    private List<QueuedJob> query(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<QueuedJob> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private void bind(PreparedStatement ps, QueuedJob j) throws SQLException {
        ps.setString(1, j.jobId());
        bindRest(ps, j, 2);
    }

    private void bindWithoutId(PreparedStatement ps, QueuedJob j) throws SQLException {
        bindRest(ps, j, 1);
    }

    private void bindRest(PreparedStatement ps, QueuedJob j, int i) throws SQLException {
        JobSpec spec = j.spec();
        JobStatus status = j.status();
        ps.setString(i++, spec.idempotencyKey());
        ps.setString(i++, spec.team());
        ps.setString(i++, spec.runName());
        ps.setString(i++, spec.model());
        ps.setString(i++, spec.experiment());
        ps.setString(i++, spec.priority().name());
        ps.setInt(i++, spec.priorityValue());
        ps.setString(i++, spec.gpuType());
        ps.setInt(i++, spec.gpuCount());
        ps.setInt(i++, spec.epochs());
        ps.setInt(i++, spec.batchSize());
        ps.setString(i++, Json.MAPPER.writeValueAsString(spec.params()));
        ps.setInt(i++, spec.spot() ? 1 : 0);
        millis(ps, i++, spec.notBefore());
        if (spec.maxCostMicros() == null) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, spec.maxCostMicros());
        }
        ps.setLong(i++, spec.estimatedCostMicros());
        ps.setLong(i++, spec.estimatedSeconds());
        ps.setString(i++, status.state().name());
        ps.setString(i++, status.reason() == null ? null : status.reason().name());
        String detail = status.detail();
        ps.setString(i++, detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail);
        ps.setString(i++, status.node());
        ps.setInt(i++, status.attempt());
        ps.setInt(i++, status.launched() ? 1 : 0);
        ps.setLong(i++, status.submitted().toEpochMilli());
        millis(ps, i++, status.admitted());
        millis(ps, i++, status.started());
        millis(ps, i++, status.ended());
        ps.setString(i++, status.preemptedBy());
        ps.setInt(i++, status.preemptions());
        ps.setString(i++, spec.batchId());
        if (spec.batchIndex() == null) {
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, spec.batchIndex());
        }
        millis(ps, i++, status.changedAt());
        ps.setString(i++, spec.submittedBy());
        ps.setString(i++, spec.submittedGroups().isEmpty() ? null : String.join(",", spec.submittedGroups()));
        ps.setLong(i, clock.millis());
    }

    private static void millis(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static List<String> groups(String commaList) {
        return commaList == null || commaList.isBlank() ? List.of() : List.of(commaList.split(","));
    }

    private static QueuedJob read(ResultSet rs) throws SQLException {
        long maxCost = rs.getLong("max_cost_micros");
        Long max = rs.wasNull() ? null : maxCost;
        int batchIndex = rs.getInt("batch_index");
        Integer index = rs.wasNull() ? null : batchIndex;
        String reason = rs.getString("reason");
        Map<String, String> params = Json.MAPPER.readValue(rs.getString("params"), new TypeReference<Map<String, String>>() {
        });
        JobSpec spec = new JobSpec(rs.getString("team"), rs.getString("run_name"), rs.getString("model"), rs.getString("experiment"),
                Priority.valueOf(rs.getString("priority")), rs.getInt("priority_value"), rs.getString("gpu_type"), rs.getInt("gpu_count"),
                rs.getInt("epochs"), rs.getInt("batch_size"), params, rs.getInt("spot") == 1, instant(rs, "not_before_ms"), max,
                rs.getLong("estimated_cost_micros"), rs.getLong("estimated_seconds"), rs.getString("idempotency_key"),
                rs.getString("batch_id"), index, rs.getString("submitted_by"), groups(rs.getString("submitted_groups")));
        Instant submitted = instant(rs, "submitted_ms");
        Instant changed = instant(rs, "transitioned_ms");
        JobStatus status = new JobStatus(JobState.valueOf(rs.getString("state")), reason == null ? null : Reason.valueOf(reason),
                rs.getString("reason_detail"), changed == null ? submitted : changed, rs.getString("node"), rs.getInt("attempt"),
                rs.getInt("launched") == 1, submitted, instant(rs, "admitted_ms"), instant(rs, "started_ms"), instant(rs, "ended_ms"),
                rs.getString("preempted_by"), rs.getInt("preemptions"));
        return new QueuedJob(rs.getString("job_id"), spec, status);
    }
}
