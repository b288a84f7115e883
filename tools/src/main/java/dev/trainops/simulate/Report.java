package dev.trainops.simulate;

import dev.trainops.cost.RateClass;
import dev.trainops.queue.Priority;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (well-formed XHTML, inline SVG, no script, no web
 * font, nothing fetched) with the headline figures and five charts: GPU utilisation over time,
 * queue length over time, the CDF of queueing delay per priority, the CDF of JCT, and cost by rate
 * class, each policy in its own colour.
 */
public final class Report {
    /** The charts, in page order; the page holds exactly one svg element per chart. */
    public static final List<String> CHARTS = List.of("GPU utilisation over time", "Queue length over time",
            "CDF of queueing delay per priority", "CDF of job completion time", "Cost by rate class");
    private static final int POINTS = 600;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private Report() {
    }

    public static String html(Map<String, Object> summary, Simulator.Setup setup, List<Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<title>trainops simulate: ").append(Svg.esc(String.valueOf(summary.get("trace")))).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}figure{margin:16px 0}</style>\n")
                .append("</head>\n<body>\n<h1>trainops simulate</h1>\n<p>Trace <b>").append(Svg.esc(String.valueOf(summary.get("trace"))))
                .append("</b> on ").append(setup.gpus()).append(' ').append(Svg.esc(setup.gpuType())).append(" GPUs (")
                .append(setup.gpus() / setup.gpusPerNode()).append(" nodes of ").append(setup.gpusPerNode()).append("), offered load ")
                .append(summary.get("load")).append(". Teams, priorities, GPU type and budgets are <b>synthetic</b> (seed ")
                .append(setup.synthetic().seed()).append("); see summary.json.</p>\n");
        table(b, summary, runs);
        long t0 = Long.MAX_VALUE;
        long t1 = 0;
        for (Run r : runs) {
            t0 = Math.min(t0, r.timeline().get(0).t());
            t1 = Math.max(t1, r.timeline().get(r.timeline().size() - 1).t());
        }
        double hours = Math.max(1, (t1 - t0) / 3600.0);
        List<Svg.Series> util = new ArrayList<>();
        List<Svg.Series> queue = new ArrayList<>();
        double maxQueue = 1;
        int c = 0;
        for (Run r : runs) {
            double[][] u = steps(r.timeline(), t0, t1, s -> s.allocated() / (double) setup.gpus());
            double[][] q = steps(r.timeline(), t0, t1, s -> s.waiting() + s.deferred());
            util.add(new Svg.Series(r.policy(), COLORS[c], u[0], u[1]));
            queue.add(new Svg.Series(r.policy(), COLORS[c++], q[0], q[1]));
            for (double v : q[1]) {
                maxQueue = Math.max(maxQueue, v);
            }
        }
        figure(b, Svg.lines(CHARTS.get(0), "hours since the first submission", "allocated / capacity", util, hours, 1));
        figure(b, Svg.lines(CHARTS.get(1), "hours since the first submission", "jobs queued (waiting or deferred)", queue, hours, maxQueue));
        List<Svg.Series> delay = new ArrayList<>();
        List<Svg.Series> jct = new ArrayList<>();
        double maxDelay = 1;
        double maxJct = 1;
        c = 0;
        for (Run r : runs) {
            for (Priority p : Priority.values()) {
                List<Double> v = new ArrayList<>();
                r.jobs().stream().filter(j -> j.priority() == p && j.started() != null).forEach(j -> v.add((j.started() - j.submitted()) / 3600.0));
                maxDelay = Math.max(maxDelay, v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
                delay.add(cdf(r.policy() + " " + p.name(), COLORS[c++ % COLORS.length], v));
            }
        }
        c = 0;
        for (Run r : runs) {
            List<Double> v = new ArrayList<>();
            r.jobs().stream().filter(j -> j.ended() != null).forEach(j -> v.add((j.ended() - j.submitted()) / 3600.0));
            maxJct = Math.max(maxJct, v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            jct.add(cdf(r.policy(), COLORS[c++], v));
        }
        figure(b, Svg.lines(CHARTS.get(2), "queueing delay (hours); priorities are synthetic", "fraction of started jobs", delay, maxDelay, 1));
        figure(b, Svg.lines(CHARTS.get(3), "submission to end (hours)", "fraction of completed jobs", jct, maxJct, 1));
        List<String> groups = new ArrayList<>();
        for (RateClass rc : RateClass.values()) {
            groups.add(rc.name());
        }
        List<Svg.Bars> bars = new ArrayList<>();
        double maxCost = 1;
        c = 0;
        for (Run r : runs) {
            double[] v = new double[groups.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.cost().getOrDefault(RateClass.values()[k], BigDecimal.ZERO).doubleValue();
                maxCost = Math.max(maxCost, v[k]);
            }
            bars.add(new Svg.Bars(r.policy(), COLORS[c++], v));
        }
        figure(b, Svg.bars(CHARTS.get(4), "USD (" + Svg.esc(setup.gpuType()) + " price book)", groups, bars, maxCost));
        return b.append("</body>\n</html>\n").toString();
    }

    @SuppressWarnings("unchecked")
    private static void table(StringBuilder b, Map<String, Object> summary, List<Run> runs) {
        Map<String, Object> policies = (Map<String, Object>) summary.get("policies");
        b.append("<table>\n<tr><th>policy</th><th>GPU utilisation while work waits</th><th>JCT p50 / p95 (s)</th>"
                + "<th>URGENT delay mean / p95 (s)</th><th>cost total</th><th>deferred saving %</th><th>completed</th><th>rejected</th>"
                + "<th>admitted without room</th></tr>\n");
        for (Run r : runs) {
            Map<String, Object> p = (Map<String, Object>) policies.get(r.policy());
            Map<String, Object> jct = (Map<String, Object>) p.get("jct_seconds");
            Map<String, Object> urgent = (Map<String, Object>) ((Map<String, Object>) p.get("queue_delay_seconds")).get("URGENT");
            Map<String, Object> cost = (Map<String, Object>) p.get("cost");
            Map<String, Object> rejected = (Map<String, Object>) p.get("jobs_rejected");
            b.append("<tr><th>").append(Svg.esc(r.policy())).append("</th>");
            for (Object v : new Object[] {p.get("gpu_utilization"), jct.get("p50") + " / " + jct.get("p95"), urgent.get("mean") + " / "
                    + urgent.get("p95"), cost.get("total"), p.get("deferred_saving_percent"), p.get("jobs_completed"), rejected.get("count"),
                    p.get("jobs_admitted_without_room")}) {
                b.append("<td>").append(Svg.esc(String.valueOf(v))).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void figure(StringBuilder b, String svg) {
        b.append("<figure>\n").append(svg).append("</figure>\n");
    }

    /** A step line of a timeline sampled at {@value #POINTS} evenly spaced moments, x in hours from t0. */
    private static double[][] steps(List<Run.Sample> timeline, long t0, long t1, java.util.function.ToDoubleFunction<Run.Sample> value) {
        int n = POINTS + 1;
        double[] xs = new double[n];
        double[] ys = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long t = t0 + (t1 - t0) * i / POINTS;
            while (k + 1 < timeline.size() && timeline.get(k + 1).t() <= t) {
                k++;
            }
            xs[i] = (t - t0) / 3600.0;
            ys[i] = timeline.get(k).t() <= t ? value.applyAsDouble(timeline.get(k)) : 0;
        }
        return new double[][] {xs, ys};
    }

    /** The empirical CDF of {@code values}: sorted values against the fraction at or below each. */
    private static Svg.Series cdf(String name, String color, List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        int step = Math.max(1, n / POINTS);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < n; i += step) {
            pts.add(new double[] {v.get(i), (i + 1) / (double) n});
        }
        if (n > 0) {
            pts.add(new double[] {v.get(n - 1), 1});
        }
        double[] xs = new double[pts.size()];
        double[] ys = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            xs[i] = pts.get(i)[0];
            ys[i] = pts.get(i)[1];
        }
        return new Svg.Series(name + " n=" + n, color, xs, ys);
    }
}
