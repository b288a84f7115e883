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
        StringBuilder b = frame(title, xLabel, yLabel, xMax, yMax);
        double xm = xMax <= 0 ? 1 : xMax;
        double ym = yMax <= 0 ? 1 : yMax;
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
        StringBuilder b = frame(title, "", yLabel, 0, yMax);
        double ym = yMax <= 0 ? 1 : yMax;
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
        for (int k = 0; k <= 4; k++) {
            double v = ym * k / 4;
            double yy = y(v, ym);
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(yy)).append("\" x2=\"").append(W - RIGHT).append("\" y2=\"")
                    .append(f(yy)).append("\" stroke=\"#ddd\"/>\n");
            text(b, LEFT - 6, yy + 4, "end", tick(v));
        }
        if (xMax > 0) {
            for (int k = 0; k <= 5; k++) {
                double v = xMax * k / 5;
                text(b, x(v, xMax), H - BOTTOM + 16, "middle", tick(v));
            }
        }
        text(b, (LEFT + W - RIGHT) / 2.0, H - 10, "middle", xLabel);
        b.append("<text x=\"14\" y=\"").append(f((TOP + H - BOTTOM) / 2.0)).append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append(f((TOP + H - BOTTOM) / 2.0)).append(")\">").append(esc(yLabel)).append("</text>\n");
        return b;
    }

    private static void legend(StringBuilder b, int i, String name, String color) {
        double lx = W - RIGHT - 230;
        double ly = TOP + 4 + i * 15;
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

    private static String tick(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
