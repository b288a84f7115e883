package dev.trainops.cost;

import dev.trainops.store.Store;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The usage ledger: every job's usage, priced slice by slice, in the store. Recording is
 * idempotent and gap-free, in whole seconds: a segment is trimmed to start where the job's recorded usage ends and
 * inserted in one transaction, so a writer that restarts mid-job and replays loses nothing and
 * counts nothing twice.
 */
public final class Ledger {
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);

    private final Store store;
    private final PriceBook prices;
    private final Clock clock;

    public Ledger(Store store, PriceBook prices, Clock clock) {
        this.store = store;
        this.prices = prices;
        this.clock = clock;
    }

    /** Records a job's usage; returns the slices newly written (none when it was all recorded before). */
    public List<PricedSlice> record(UsageSegment usage, String team, String experiment) {
        return record(usage, team, experiment, null);
    }

    /** As {@link #record(UsageSegment, String, String)}, with the MLflow run the job logs to (null when unknown). */
    public List<PricedSlice> record(UsageSegment usage, String team, String experiment, String runName) {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                // whole seconds: slices are billed by the second, so a fraction at every recording
                // pass would otherwise be lost (Kubernetes timestamps have whole seconds anyway)
                Instant from = usage.start().truncatedTo(ChronoUnit.SECONDS);
                Instant to = usage.end().truncatedTo(ChronoUnit.SECONDS);
                Optional<Instant> until = recordedUntil(c, usage.jobId());
                if (until.isPresent() && until.get().isAfter(from)) {
                    from = until.get();
                }
                if (!from.isBefore(to)) {
                    c.rollback();
                    return List.of();
                }
                UsageSegment rest = new UsageSegment(usage.jobId(), from, to, usage.gpuType(), usage.gpus(),
                        usage.cpuCores(), usage.memoryGib(), usage.spot());
                List<PricedSlice> written = new ArrayList<>();
                String sql = "INSERT INTO usage_slice (job_id, team, experiment, start_ms, end_ms, seconds, gpu_type, gpus, cpu_cores, "
                        + "memory_gib, rate_class, price_version, cost_micros, currency, recorded_ms, run_name) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (PricedSlice s : prices.price(rest)) {
                        ps.setString(1, s.jobId());
                        ps.setString(2, team);
                        ps.setString(3, experiment);
                        ps.setLong(4, s.start().toEpochMilli());
                        ps.setLong(5, s.end().toEpochMilli());
                        ps.setLong(6, s.seconds());
                        ps.setString(7, usage.gpuType());
                        ps.setString(8, usage.gpus().toPlainString());
                        ps.setString(9, usage.cpuCores().toPlainString());
                        ps.setString(10, usage.memoryGib().toPlainString());
                        ps.setString(11, s.rateClass().name());
                        ps.setString(12, s.priceVersion());
                        ps.setLong(13, micros(s.cost()));
                        ps.setString(14, s.cost().currency().getCurrencyCode());
                        ps.setLong(15, clock.millis());
                        ps.setString(16, runName);
                        if (ps.executeUpdate() == 1) {
                            written.add(s);
                        }
                    }
                }
                c.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the usage ledger in " + store.description() + ": " + e.getMessage(), e);
        }
    }

    /** Where the job's recorded usage ends, if any is recorded. */
    public Optional<Instant> recordedUntil(String jobId) {
        try (Connection c = store.connection()) {
            return recordedUntil(c, jobId);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    private static Optional<Instant> recordedUntil(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(end_ms) FROM usage_slice WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
            }
        }
    }

    /** When the earliest usage in the ledger started; empty while nothing is booked. */
    public Optional<Instant> firstBooked() {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement("SELECT MIN(start_ms) FROM usage_slice");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    public List<PricedSlice> slices(String jobId) {
        return query("SELECT job_id, start_ms, end_ms, seconds, rate_class, price_version, cost_micros, currency FROM usage_slice "
                + "WHERE job_id = ? ORDER BY start_ms, rate_class", jobId);
    }

    public Money jobCost(String jobId) {
        return sum(slices(jobId));
    }

    /** A team's cost over the half-open range [from, to), by slice start. */
    public Money teamCost(String team, Instant from, Instant to) {
        return sum(query("SELECT job_id, start_ms, end_ms, seconds, rate_class, price_version, cost_micros, currency FROM usage_slice "
                + "WHERE team = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms", team, from.toEpochMilli(), to.toEpochMilli()));
    }

    /** An experiment's cost over the half-open range [from, to), by slice start. */
    public Money experimentCost(String experiment, Instant from, Instant to) {
        return sum(query("SELECT job_id, start_ms, end_ms, seconds, rate_class, price_version, cost_micros, currency FROM usage_slice "
                + "WHERE experiment = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms", experiment, from.toEpochMilli(), to.toEpochMilli()));
    }

    /** All usage ever billed to one (team, experiment, rate class): GPU-seconds, CPU core-seconds, cost. */
    public record Total(String team, String experiment, RateClass rateClass, BigDecimal gpuSeconds, BigDecimal cpuCoreSeconds, Money cost) {
    }

    /** The running totals per team, experiment and rate class (for the metrics; they only grow). */
    public List<Total> totals() {
        String sql = "SELECT team, experiment, rate_class, gpus, cpu_cores, SUM(seconds), SUM(cost_micros) FROM usage_slice "
                + "GROUP BY team, experiment, rate_class, gpus, cpu_cores";
        java.util.Map<List<String>, BigDecimal[]> sums = new java.util.LinkedHashMap<>();
        java.util.Map<List<String>, Long> costs = new java.util.LinkedHashMap<>();
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<String> key = List.of(rs.getString(1), rs.getString(2), rs.getString(3));
                BigDecimal seconds = BigDecimal.valueOf(rs.getLong(6));
                BigDecimal[] t = sums.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                t[0] = t[0].add(new BigDecimal(rs.getString(4)).multiply(seconds));
                t[1] = t[1].add(new BigDecimal(rs.getString(5)).multiply(seconds));
                costs.merge(key, rs.getLong(7), Long::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
        List<Total> out = new ArrayList<>();
        sums.forEach((k, t) -> out.add(new Total(k.get(0), k.get(1), RateClass.valueOf(k.get(2)), t[0], t[1],
                Money.micros(costs.get(k), prices.currency()))));
        return out;
    }

    /** One job's GPU usage billed in a range. */
    public record JobUsage(String jobId, String team, String experiment, String runName, String gpuType, BigDecimal gpuSeconds, Money cost,
                           Instant first, Instant last) {
    }

    /** GPU-seconds and cost per job over slices starting in [from, to), optionally of one team; most GPU time first. */
    public List<JobUsage> usageByJob(Instant from, Instant to, String team) {
        String sql = "SELECT job_id, team, experiment, run_name, gpu_type, gpus, SUM(seconds), SUM(cost_micros), MIN(start_ms), MAX(end_ms) "
                + "FROM usage_slice WHERE start_ms >= ? AND start_ms < ?" + (team == null ? "" : " AND team = ?")
                + " GROUP BY job_id, team, experiment, run_name, gpu_type, gpus";
        java.util.Map<String, JobUsage> byJob = new java.util.LinkedHashMap<>();
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from.toEpochMilli());
            ps.setLong(2, to.toEpochMilli());
            if (team != null) {
                ps.setString(3, team);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JobUsage u = new JobUsage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            new BigDecimal(rs.getString(6)).multiply(BigDecimal.valueOf(rs.getLong(7))), Money.micros(rs.getLong(8), prices.currency()),
                            Instant.ofEpochMilli(rs.getLong(9)), Instant.ofEpochMilli(rs.getLong(10)));
                    byJob.merge(u.jobId(), u, (a, b) -> new JobUsage(a.jobId(), a.team(), a.experiment(), a.runName() != null ? a.runName()
                            : b.runName(), a.gpuType() != null ? a.gpuType() : b.gpuType(), a.gpuSeconds().add(b.gpuSeconds()),
                            a.cost().plus(b.cost()), a.first().isBefore(b.first()) ? a.first() : b.first(),
                            a.last().isAfter(b.last()) ? a.last() : b.last()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
        List<JobUsage> out = new ArrayList<>(byJob.values());
        out.sort(java.util.Comparator.comparing(JobUsage::gpuSeconds).reversed().thenComparing(JobUsage::jobId));
        return out;
    }

    /** What the pods of one queue job were billed (their ledger ids are {@code team/<job id>-<attempt>-<suffix>}), and up to when. */
    public record Billed(Money cost, Instant recordedUntil) {
    }

    public Billed queueJobBilled(String team, String jobId) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT SUM(cost_micros), MAX(end_ms) FROM usage_slice WHERE team = ? AND job_id LIKE ?")) {
            ps.setString(1, team);
            // job ids (tj- and hex digits) and team names (DNS labels) hold no LIKE wildcard
            ps.setString(2, team + "/" + jobId + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long micros = rs.getLong(1);
                long end = rs.getLong(2);
                return new Billed(Money.micros(micros, prices.currency()), rs.wasNull() ? null : Instant.ofEpochMilli(end));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    /**
     * One attempt (one pod's ledger id, {@code team/<job id>-<attempt>-<suffix>}) of a queue job at one
     * rate class: its seconds, GPU-seconds (GPUs held x seconds, a MIG slice or shared replica as its
     * fraction) and exact cost.
     */
    public record AttemptUsage(String ledgerId, RateClass rateClass, String gpuType, long seconds, BigDecimal gpuSeconds, Money cost,
                               Instant first, Instant last) {
    }

    /**
     * Every attempt of one queue job, preempted and interrupted ones included, by rate class: the same
     * rows {@link #queueJobBilled} sums, so the numbers are those the bill and the cost report show.
     */
    public List<AttemptUsage> queueJobUsage(String team, String jobId) {
        String sql = "SELECT job_id, rate_class, gpu_type, gpus, SUM(seconds), SUM(cost_micros), MIN(start_ms), MAX(end_ms) FROM usage_slice "
                + "WHERE team = ? AND job_id LIKE ? GROUP BY job_id, rate_class, gpu_type, gpus ORDER BY MIN(start_ms), job_id, rate_class";
        java.util.Map<List<String>, AttemptUsage> rows = new java.util.LinkedHashMap<>();
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, team);
            // job ids (tj- and hex digits) and team names (DNS labels) hold no LIKE wildcard
            ps.setString(2, team + "/" + jobId + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seconds = rs.getLong(5);
                    AttemptUsage u = new AttemptUsage(rs.getString(1), RateClass.valueOf(rs.getString(2)), rs.getString(3), seconds,
                            new BigDecimal(rs.getString(4)).multiply(BigDecimal.valueOf(seconds)), Money.micros(rs.getLong(6), prices.currency()),
                            Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)));
                    // a pod whose GPU count changed cannot happen, but two rows of one attempt and class still add up
                    rows.merge(List.of(u.ledgerId(), u.rateClass().name()), u, (a, b) -> new AttemptUsage(a.ledgerId(), a.rateClass(),
                            a.gpuType() != null ? a.gpuType() : b.gpuType(), a.seconds() + b.seconds(), a.gpuSeconds().add(b.gpuSeconds()),
                            a.cost().plus(b.cost()), a.first().isBefore(b.first()) ? a.first() : b.first(),
                            a.last().isAfter(b.last()) ? a.last() : b.last()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
        return new ArrayList<>(rows.values());
    }

    /** A ledger row with where it is booked; {@code runName} is null when the job named no run. */
    public record Booked(String team, String experiment, String runName, PricedSlice slice) {
    }

    /** Every slice starting in [from, to), optionally of one team, in time order. */
    public List<Booked> between(Instant from, Instant to, String team) {
        String sql = "SELECT team, experiment, job_id, start_ms, end_ms, seconds, rate_class, price_version, cost_micros, currency, run_name "
                + "FROM usage_slice WHERE start_ms >= ? AND start_ms < ?" + (team == null ? "" : " AND team = ?")
                + " ORDER BY start_ms, job_id, rate_class";
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from.toEpochMilli());
            ps.setLong(2, to.toEpochMilli());
            if (team != null) {
                ps.setString(3, team);
            }
            List<Booked> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Booked(rs.getString(1), rs.getString(2), rs.getString(11), new PricedSlice(rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                            Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6), RateClass.valueOf(rs.getString(7)), rs.getString(8),
                            new Money(new BigDecimal(BigInteger.valueOf(rs.getLong(9)), Money.SCALE), Money.currency(rs.getString(10))))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    /** Spot interruptions in [from, to), optionally of one team: what each wasted (cost rule 4). */
    public List<SpotInterruptions.Interruption> interruptions(Instant from, Instant to, String team) {
        return SpotInterruptions.between(store, from, to, team);
    }

    private Money sum(List<PricedSlice> slices) {
        return PricedSlice.total(slices, prices.currency());
    }

    private List<PricedSlice> query(String sql, Object... args) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<PricedSlice> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PricedSlice(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)),
                            rs.getLong(4), RateClass.valueOf(rs.getString(5)), rs.getString(6),
                            new Money(new BigDecimal(BigInteger.valueOf(rs.getLong(7)), Money.SCALE), Money.currency(rs.getString(8)))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    private static long micros(Money m) {
        return m.amount().multiply(MICROS).longValueExact();
    }
}
