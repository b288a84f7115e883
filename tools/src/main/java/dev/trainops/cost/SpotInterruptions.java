package dev.trainops.cost;

import dev.trainops.store.Store;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Spot interruptions and the cost they wasted (docs/money.md cost rule 4): when a spot node is
 * reclaimed under a pod, the work since the pod's last checkpoint is lost and redone by the next
 * attempt; that part of its spot usage, priced at the rate in force, is its wasted cost. The ledger
 * bills it like any other usage; this record says which part was waste, for the cost report.
 */
public final class SpotInterruptions {
    private SpotInterruptions() {
    }

    /**
     * One interrupted spot pod.
     *
     * @param podId          namespace/pod, as the ledger names the pod's usage
     * @param lastCheckpoint where its work was last saved (its start when it never checkpointed)
     * @param lostSeconds    whole seconds from the last checkpoint to the interruption
     * @param wasted         those seconds of its usage at the spot rate
     */
    public record Interruption(String podId, String queueJobId, Integer attempt, String team, String experiment, String runName,
                               String node, Instant interruptedAt, Instant lastCheckpoint, long lostSeconds, Money wasted) {
    }

    /**
     * The interruption of the spot pod whose usage is {@code usage} (its end is the interruption),
     * with its last checkpoint at {@code lastCheckpoint}: the wasted cost priced by {@code prices}.
     */
    public static Interruption of(PriceBook prices, ClusterUsage.PodUsage usage, String queueJobId, Integer attempt, String node,
                                  Instant lastCheckpoint) {
        UsageSegment u = usage.usage();
        UsageSegment whole = new UsageSegment(u.jobId(), u.start().truncatedTo(ChronoUnit.SECONDS), u.end().truncatedTo(ChronoUnit.SECONDS),
                u.gpuType(), u.gpus(), u.cpuCores(), u.memoryGib(), true);
        Instant checkpoint = lastCheckpoint == null || lastCheckpoint.isBefore(whole.start()) ? whole.start()
                : lastCheckpoint.isAfter(whole.end()) ? whole.end() : lastCheckpoint.truncatedTo(ChronoUnit.SECONDS);
        Money wasted = SpotModel.wastedAtInterruption(prices, whole, checkpoint);
        return new Interruption(u.jobId(), queueJobId, attempt, usage.team(), usage.experiment(), usage.runName(), node, whole.end(),
                checkpoint, Duration.between(checkpoint, whole.end()).toSeconds(), wasted);
    }

    /** Records {@code i} in the caller's transaction; an interruption recorded before is kept as it was. */
    public static void record(Connection c, Interruption i) throws SQLException {
        String sql = "INSERT INTO spot_interruption (pod_id, queue_job_id, attempt, team, experiment, run_name, node, interrupted_ms, "
                + "checkpoint_ms, lost_seconds, wasted_micros, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, i.podId());
            ps.setString(2, i.queueJobId());
            ps.setObject(3, i.attempt());
            ps.setString(4, i.team());
            ps.setString(5, i.experiment());
            ps.setString(6, i.runName());
            ps.setString(7, i.node());
            ps.setLong(8, i.interruptedAt().toEpochMilli());
            ps.setLong(9, i.lastCheckpoint().toEpochMilli());
            ps.setLong(10, i.lostSeconds());
            ps.setLong(11, i.wasted().toMicros());
            ps.setString(12, i.wasted().currency().getCurrencyCode());
            ps.executeUpdate();
        }
    }

    /** Interruptions in [from, to), optionally of one team, in time order. */
    public static List<Interruption> between(Store store, Instant from, Instant to, String team) {
        String sql = "SELECT pod_id, queue_job_id, attempt, team, experiment, run_name, node, interrupted_ms, checkpoint_ms, lost_seconds, "
                + "wasted_micros, currency FROM spot_interruption WHERE interrupted_ms >= ? AND interrupted_ms < ?"
                + (team == null ? "" : " AND team = ?") + " ORDER BY interrupted_ms, pod_id";
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from.toEpochMilli());
            ps.setLong(2, to.toEpochMilli());
            if (team != null) {
                ps.setString(3, team);
            }
            List<Interruption> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int attempt = rs.getInt(3);
                    Integer attemptOrNull = rs.wasNull() ? null : attempt;
                    out.add(new Interruption(rs.getString(1), rs.getString(2), attemptOrNull, rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)),
                            rs.getLong(10), new Money(new BigDecimal(BigInteger.valueOf(rs.getLong(11)), Money.SCALE),
                                    Money.currency(rs.getString(12)))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the spot interruptions: " + e.getMessage(), e);
        }
    }
}
