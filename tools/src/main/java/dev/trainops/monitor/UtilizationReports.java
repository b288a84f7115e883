package dev.trainops.monitor;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Ledger;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.recommend.RunEvidenceSource;
import dev.trainops.report.CostReports;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * get_resource_utilization_report: for the jobs the ledger billed in a range, the GPU-hours
 * allocated, how busy those GPUs were (DCGM through Prometheus first, else the run's own system
 * metrics), the GPU-hours used and idle, and the efficiency per job and per team.
 */
public final class UtilizationReports {
    private static final Logger log = LoggerFactory.getLogger(UtilizationReports.class);
    static final int MAX_DAYS = 366;
    static final int MAX_JOBS = 100;

    private final Ledger ledger;
    private final List<JobUtilizationSource> sources;
    private final Clock clock;

    /**
     * Utilisation from DCGM through Prometheus first, else from the runs' own system metrics.
     *
     * @param dcgm the Prometheus that scrapes the DCGM exporter; null when there is none
     * @param runs the run evidence with system metrics (MLflow's or the sandbox's); null when the history logs none
     */
    public UtilizationReports(Ledger ledger, PrometheusClient dcgm, Supplier<RunEvidenceSource> runs, Clock clock) {
        this(ledger, sources(dcgm, runs), clock);
    }

    private static List<JobUtilizationSource> sources(PrometheusClient dcgm, Supplier<RunEvidenceSource> runs) {
        List<JobUtilizationSource> sources = new ArrayList<>();
        if (dcgm != null) {
            sources.add(new DcgmJobUtilization(dcgm));
        }
        if (runs != null) {
            sources.add(new RunMetricsUtilization(runs));
        }
        return sources;
    }

    /** {@code sources} in order of preference: a job takes the first that knows it. */
    UtilizationReports(Ledger ledger, List<JobUtilizationSource> sources, Clock clock) {
        this.ledger = ledger;
        this.sources = List.copyOf(sources);
        this.clock = clock;
    }

    UtilizationReport report(UtilizationRequest request) {
        return report(request, dev.trainops.access.Principal.LOCAL);
    }

    /** The report as {@code principal} sees it (rule 1): only its teams' jobs and teams; another team is NOT_FOUND. */
    UtilizationReport report(UtilizationRequest request, dev.trainops.access.Principal principal) {
        Instant now = clock.instant();
        LocalDate end = request.endDate() == null ? now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                : CostReports.day(request.endDate(), "end_date");
        LocalDate start = request.startDate() == null ? end.minusDays(7) : CostReports.day(request.startDate(), "start_date");
        if (!end.isAfter(start)) {
            throw ToolException.invalidArgument("end_date", "end_date " + end + " is not after start_date " + start + ".",
                    "Give end_date as the day after the last day to include, e.g. start_date=" + start + " end_date=" + start.plusDays(1) + ".");
        }
        if (ChronoUnit.DAYS.between(start, end) > MAX_DAYS) {
            throw ToolException.invalidArgument("end_date", "The range is longer than " + MAX_DAYS + " days.", "Report a year at most at a time.");
        }
        String team = HealthService.visibleTeam(request.team(), principal);
        Instant from = start.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = end.atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Ledger.JobUsage> usage = ledger.usageByJob(from, to, team).stream().filter(u -> principal.sees(u.team())).toList();
        List<String> notes = new ArrayList<>();
        Map<String, JobUtilizationSource.Measured> measured = new LinkedHashMap<>();
        Instant until = to.isAfter(now) ? now : to;
        for (JobUtilizationSource source : sources) {
            List<Ledger.JobUsage> missing = usage.stream().filter(u -> !measured.containsKey(u.jobId())).toList();
            if (missing.isEmpty()) {
                break;
            }
            try {
                source.measure(missing, from, until).forEach(measured::putIfAbsent);
            } catch (RuntimeException e) {
                log.debug("utilisation source failed: {}", e.getMessage());
                notes.add("A utilisation source did not answer (" + e.getMessage() + "); jobs it would have measured fall back to the next.");
            }
        }
        List<UtilizationReport.JobUsage> jobs = new ArrayList<>();
        Map<String, double[]> teams = new LinkedHashMap<>(); // allocated, measured, used, jobs
        double allocated = 0;
        double measuredHours = 0;
        double used = 0;
        int unknown = 0;
        for (Ledger.JobUsage u : usage) {
            double hours = hours(u.gpuSeconds());
            JobUtilizationSource.Measured m = measured.get(u.jobId());
            double[] t = teams.computeIfAbsent(u.team(), k -> new double[4]);
            t[0] += hours;
            t[3] += 1;
            allocated += hours;
            if (m == null) {
                unknown++;
                jobs.add(new UtilizationReport.JobUsage(u.jobId(), u.team(), u.experiment(), u.runName(), u.gpuType(), round3(hours), null, null,
                        null, null, null, "none", u.cost().toWire()));
                continue;
            }
            double busy = hours * Math.min(100, Math.max(0, m.gpuPercent())) / 100;
            t[1] += hours;
            t[2] += busy;
            measuredHours += hours;
            used += busy;
            jobs.add(new UtilizationReport.JobUsage(u.jobId(), u.team(), u.experiment(), u.runName(), u.gpuType(), round3(hours),
                    round1(m.gpuPercent()), m.memoryPercent() == null ? null : round1(m.memoryPercent()), round3(busy), round3(hours - busy),
                    hours == 0 ? null : round3(busy / hours), m.source(), u.cost().toWire()));
        }
        jobs.sort(Comparator.comparing((UtilizationReport.JobUsage j) -> j.idleGpuHours() == null ? -1 : j.idleGpuHours()).reversed()
                .thenComparing(UtilizationReport.JobUsage::jobId));
        int total = jobs.size();
        if (jobs.size() > MAX_JOBS) {
            notes.add("Showing the " + MAX_JOBS + " jobs with the most idle GPU-hours of " + jobs.size() + "; the totals count them all.");
            jobs = jobs.subList(0, MAX_JOBS);
        }
        List<UtilizationReport.TeamUsage> teamUsage = new ArrayList<>();
        teams.forEach((name, t) -> teamUsage.add(new UtilizationReport.TeamUsage(name, round3(t[0]), round3(t[2]), round3(t[1] - t[2]),
                t[1] == 0 ? null : round3(t[2] / t[1]), t[1] == 0 ? null : round1(100 * t[2] / t[1]), (int) t[3])));
        teamUsage.sort(Comparator.comparing((UtilizationReport.TeamUsage x) -> x.efficiency() == null ? 2 : x.efficiency())
                .thenComparing(UtilizationReport.TeamUsage::team));
        if (unknown > 0) {
            notes.add(unknown + " job(s) have no utilisation data (no DCGM series for their pods, no system metrics in their run); "
                    + "they count in allocated GPU-hours only.");
        }
        if (usage.isEmpty()) {
            notes.add("No GPU usage was billed between " + start + " and " + end + (team == null ? "" : " for " + team) + ".");
        }
        return new UtilizationReport(start, end, team, new UtilizationReport.Totals(round3(allocated), round3(measuredHours), round3(used),
                round3(measuredHours - used), measuredHours == 0 ? null : round3(used / measuredHours), total, unknown), teamUsage, jobs, notes, now);
    }

    private static double hours(BigDecimal gpuSeconds) {
        return gpuSeconds.doubleValue() / 3600;
    }

    private static double round3(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }

    public static Tool<?, ?> tool(Supplier<UtilizationReports> reports) {
        return new Tool<UtilizationRequest, UtilizationReport>("get_resource_utilization_report", "GPU utilisation and idle GPU-hours",
                "How well training used the GPUs it paid for, over a date range (default the last 7 days): per job and per team "
                        + "the GPU-hours allocated, mean GPU utilisation and memory use (from the NVIDIA DCGM exporter through Prometheus, "
                        + "else the run's MLflow system metrics), GPU-hours used and idle, and efficiency (used / allocated). The least "
                        + "efficient teams and the jobs with the most idle GPU-hours come first: candidates for recommend_cost_optimization.",
                UtilizationRequest.class, UtilizationReport.class, ToolHints.READ_ONLY,
                (r, call) -> reports.get().report(r, call.principal()), UtilizationReports::text, java.util.Set.of());
    }

    static String text(UtilizationReport r) {
        UtilizationReport.Totals t = r.totals();
        StringBuilder sb = new StringBuilder();
        sb.append(r.startDate()).append(" to ").append(r.endDate()).append(r.team() == null ? "" : " (" + r.team() + ")").append(": ")
                .append(fmt(t.allocatedGpuHours())).append(" GPU-hours allocated");
        if (t.efficiency() != null) {
            sb.append(", ").append(fmt(t.idleGpuHours())).append(" idle; efficiency ").append(Math.round(t.efficiency() * 100)).append('%');
        }
        if (t.jobsWithoutUtilization() > 0) {
            sb.append("; utilisation unknown for ").append(t.jobsWithoutUtilization()).append(" of ").append(t.jobs())
                    .append(" job(s) (no DCGM series, no run system metrics), counted in allocated GPU-hours only");
        }
        sb.append('.');
        r.jobs().stream().filter(j -> j.idleGpuHours() != null).limit(3).forEach(j -> sb.append("\n- ").append(j.jobId())
                .append(j.runName() == null ? "" : " (" + j.runName() + ")").append(": ").append(j.gpuUtilizationPercent()).append("% busy, ")
                .append(fmt(j.idleGpuHours())).append(" GPU-hours idle"));
        return sb.toString();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
