package dev.trainops.simulate;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for report.html: line charts (steps over time, CDFs) and grouped bars, with
 * axes, ticks and a legend, in system fonts; no script, no network.
 */
final class Svg {
    static final int W = 760;
    static final int H = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;

    /** A named line of points, x ascending. */
    record Series(String name, String color, double[] xs, double[] ys) {
    }

    /** A group of bars, one value per series. */
    record Bars(String name, String color, double[] values) {
    }

    private Svg() {
    }

    static String lines(String title, String xLabel, String yLabel, List<Series> series, double xMax, double yMax) {
        double ym = niceMax(yMax);
        StringBuilder b = frame(title, xLabel, yLabel, xMax, ym);
        double xm = xMax <= 0 ? 1 : xMax;
        int i = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int k = 0; k < s.xs().length; k++) {
                pts.append(k == 0 ? "" : " ").append(f(x(s.xs()[k], xm))).append(',').append(f(y(s.ys()[k], ym)));
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"1.6\" points=\"").append(pts)
                    .append("\"><title>").append(esc(s.name())).append("</title></polyline>\n");
            legend(b, i++, s.name(), s.color());
        }
        return b.append("</svg>\n").toString();
    }

    static String bars(String title, String yLabel, List<String> groups, List<Bars> bars, double yMax) {
        double ym = niceMax(yMax);
        StringBuilder b = frame(title, "", yLabel, 0, ym);
        double groupW = (W - LEFT - RIGHT) / (double) Math.max(1, groups.size());
        double barW = groupW * 0.7 / Math.max(1, bars.size());
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + g * groupW + groupW * 0.15;
            for (int k = 0; k < bars.size(); k++) {
                double v = bars.get(k).values()[g];
                double top = y(v, ym);
                b.append("<rect x=\"").append(f(x0 + k * barW)).append("\" y=\"").append(f(top)).append("\" width=\"").append(f(barW - 2))
                        .append("\" height=\"").append(f(H - BOTTOM - top)).append("\" fill=\"").append(bars.get(k).color()).append("\"><title>")
                        .append(esc(bars.get(k).name() + " " + groups.get(g) + ": " + String.format(Locale.ROOT, "%.2f", v))).append("</title></rect>\n");
            }
            text(b, x0 + groupW * 0.35, H - BOTTOM + 16, "middle", groups.get(g));
        }
        for (int k = 0; k < bars.size(); k++) {
            legend(b, k, bars.get(k).name(), bars.get(k).color());
        }
        return b.append("</svg>\n").toString();
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel, double xMax, double yMax) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"").append(esc(title))
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        b.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H).append("\" fill=\"#ffffff\"/>\n");
        text(b, LEFT, 20, "start", title).append('\n');
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM).append("\" x2=\"").append(W - RIGHT).append("\" y2=\"")
                .append(H - BOTTOM).append("\" stroke=\"#333\"/>\n");
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(H - BOTTOM).append("\" stroke=\"#333\"/>\n");
        double ym = yMax <= 0 ? 1 : yMax;
        double ys = niceStep(ym / 4);
        for (double v = 0; v <= ym * 1.0001; v += ys) {
            double yy = y(v, ym);
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(yy)).append("\" x2=\"").append(W - RIGHT).append("\" y2=\"")
                    .append(f(yy)).append("\" stroke=\"#ddd\"/>\n");
            text(b, LEFT - 6, yy + 4, "end", tick(v));
        }
        if (xMax > 0) {
            double xs = niceStep(xMax / 6);
            for (double v = 0; v <= xMax * 1.0001; v += xs) {
                text(b, x(v, xMax), H - BOTTOM + 16, "middle", tick(v));
            }
        }
        text(b, (LEFT + W - RIGHT) / 2.0, H - 10, "middle", xLabel);
        b.append("<text x=\"14\" y=\"").append(f((TOP + H - BOTTOM) / 2.0)).append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append(f((TOP + H - BOTTOM) / 2.0)).append(")\">").append(esc(yLabel)).append("</text>\n");
        return b;
    }

    private static void legend(StringBuilder b, int i, String name, String color) {
        double lx = W - RIGHT - 200;
        double ly = TOP + 4 + i * 15;
        b.append("<rect x=\"").append(f(lx - 4)).append("\" y=\"").append(f(ly - 2)).append("\" width=\"200\" height=\"15\" fill=\"#ffffff\" "
                + "fill-opacity=\"0.85\"/>");
        b.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(f(ly)).append("\" width=\"12\" height=\"10\" fill=\"").append(color)
                .append("\"/>");
        text(b, lx + 17, ly + 9, "start", name).append('\n');
    }

    private static StringBuilder text(StringBuilder b, double x, double y, String anchor, String s) {
        return b.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"").append(anchor).append("\">")
                .append(esc(s)).append("</text>");
    }

    private static double x(double v, double xMax) {
        return LEFT + (W - LEFT - RIGHT) * Math.min(1, Math.max(0, v / xMax));
    }

    private static double y(double v, double yMax) {
        return H - BOTTOM - (H - TOP - BOTTOM) * Math.min(1, Math.max(0, v / yMax));
    }

    /** {@code max} rounded up to a whole number of the y axis's tick steps. */
    static double niceMax(double max) {
        double m = max <= 0 ? 1 : max;
        double step = niceStep(m / 4);
        return Math.ceil(m / step - 1e-9) * step;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String tick(double v) {
        double r = Math.rint(v * 1000) / 1000;
        return r == Math.rint(r) && Math.abs(r) < 1e12 ? String.valueOf((long) r) : String.format(Locale.ROOT, "%.2f", r);
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
