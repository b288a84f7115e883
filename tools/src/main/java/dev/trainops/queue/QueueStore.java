package dev.trainops.queue;

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
            + "batch_id, batch_index, updated_ms";

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

    public void update(Connection c, QueuedJob job) throws SQLException {
        String set = Arrays.stream(COLUMNS.split(",")).map(String::trim).filter(x -> !x.equals("job_id")).map(x -> x + " = ?")
                .collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_job SET " + set + " WHERE job_id = ?")) {
            bindWithoutId(ps, job);
            ps.setString(33, job.jobId());
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

    public Optional<QueuedJob> byIdempotencyKey(Connection c, String key) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM queue_job WHERE idempotency_key = ?", key).stream().findFirst();
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
        ps.setString(i++, j.idempotencyKey());
        ps.setString(i++, j.team());
        ps.setString(i++, j.runName());
        ps.setString(i++, j.model());
        ps.setString(i++, j.experiment());
        ps.setString(i++, j.priority().name());
        ps.setInt(i++, j.priorityValue());
        ps.setString(i++, j.gpuType());
        ps.setInt(i++, j.gpuCount());
        ps.setInt(i++, j.epochs());
        ps.setInt(i++, j.batchSize());
        ps.setString(i++, Json.MAPPER.writeValueAsString(j.params()));
        ps.setInt(i++, j.spot() ? 1 : 0);
        millis(ps, i++, j.notBefore());
        if (j.maxCostMicros() == null) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, j.maxCostMicros());
        }
        ps.setLong(i++, j.estimatedCostMicros());
        ps.setLong(i++, j.estimatedSeconds());
        ps.setString(i++, j.state().name());
        ps.setString(i++, j.reason() == null ? null : j.reason().name());
        ps.setString(i++, j.reasonDetail() == null ? null : j.reasonDetail().length() > 1000 ? j.reasonDetail().substring(0, 1000) : j.reasonDetail());
        ps.setString(i++, j.node());
        ps.setInt(i++, j.attempt());
        ps.setInt(i++, j.launched() ? 1 : 0);
        ps.setLong(i++, j.submitted().toEpochMilli());
        millis(ps, i++, j.admitted());
        millis(ps, i++, j.started());
        millis(ps, i++, j.ended());
        ps.setString(i++, j.preemptedBy());
        ps.setInt(i++, j.preemptions());
        ps.setString(i++, j.batchId());
        if (j.batchIndex() == null) {
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, j.batchIndex());
        }
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

    private static QueuedJob read(ResultSet rs) throws SQLException {
        long maxCost = rs.getLong("max_cost_micros");
        Long max = rs.wasNull() ? null : maxCost;
        int batchIndex = rs.getInt("batch_index");
        Integer index = rs.wasNull() ? null : batchIndex;
        String reason = rs.getString("reason");
        Map<String, String> params = Json.MAPPER.readValue(rs.getString("params"), new TypeReference<Map<String, String>>() {
        });
        return new QueuedJob(rs.getString("job_id"), rs.getString("idempotency_key"), rs.getString("team"), rs.getString("run_name"),
                rs.getString("model"), rs.getString("experiment"), Priority.valueOf(rs.getString("priority")), rs.getInt("priority_value"),
                rs.getString("gpu_type"), rs.getInt("gpu_count"), rs.getInt("epochs"), rs.getInt("batch_size"), params,
                rs.getInt("spot") == 1, instant(rs, "not_before_ms"), max, rs.getLong("estimated_cost_micros"),
                rs.getLong("estimated_seconds"), JobState.valueOf(rs.getString("state")), reason == null ? null : Reason.valueOf(reason),
                rs.getString("reason_detail"), rs.getString("node"), rs.getInt("attempt"), rs.getInt("launched") == 1,
                instant(rs, "submitted_ms"), instant(rs, "admitted_ms"), instant(rs, "started_ms"), instant(rs, "ended_ms"),
                rs.getString("preempted_by"), rs.getInt("preemptions"), rs.getString("batch_id"), index);
    }
}
