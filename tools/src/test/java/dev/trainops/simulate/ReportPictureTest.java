package dev.trainops.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.PricingConfig;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.batik.transcoder.TranscoderInput;
import org.apache.batik.transcoder.TranscoderOutput;
import org.apache.batik.transcoder.image.ImageTranscoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * report.html's charts as a picture: each inline SVG of a replay of the sample trace is rendered to
 * pixels by Apache Batik (an SVG renderer, not our own code) and the image is read back: the chart
 * is drawn at its size, its title and axes are there, every series and bar the legend names shows
 * up in its own colour inside the plot area, and nothing coloured spills outside it. The PNGs are
 * left in {@code target/report-charts} for a person to look at.
 */
class ReportPictureTest {
    private static final Pattern SVG = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL);
    private static final Pattern MARK = Pattern.compile("<(polyline|rect) ([^>]*)>");
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;
    private static final int LEGEND_WIDTH = 210;

    private static List<String> charts;

    @BeforeAll
    static void replay() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Trace trace = Trace.read(SimulatorTest.SAMPLE);
        Simulator sim = new Simulator(trace, Simulator.Setup.defaults(trace.gpusForLoad(1.2, 8), 8, 17),
                PricingConfig.load(Path.of("../config/pricing.yaml")));
        List<Run> runs = List.of(sim.run(Simulator.Policy.FIFO), sim.run(Simulator.Policy.TRAINOPS));
        String html = Report.html(Summary.of(trace, sim.setup(), runs), sim.setup(), runs);
        charts = new ArrayList<>();
        Matcher m = SVG.matcher(html);
        while (m.find()) {
            charts.add(m.group());
        }
    }

    @Test
    void everyChartRendersWithItsTitleAxesAndEverySeriesInItsColourInsideThePlot() throws Exception {
        assertThat(charts).hasSize(Report.CHARTS.size());
        Path dir = Files.createDirectories(Path.of("target", "report-charts"));
        for (int i = 0; i < charts.size(); i++) {
            String name = Report.CHARTS.get(i);
            BufferedImage image = render(charts.get(i));
            ImageIO.write(image, "png", dir.resolve((i + 1) + "-" + name.toLowerCase().replaceAll("[^a-z]+", "-") + ".png").toFile());

            assertThat(image.getWidth()).as(name).isEqualTo(Svg.W);
            assertThat(image.getHeight()).as(name).isEqualTo(Svg.H);
            assertThat(dark(image, 0, 0, Svg.W, TOP - 10)).as(name + ": the title is drawn").isGreaterThan(100);
            assertThat(ink(image, LEFT - 1, TOP, LEFT + 1, Svg.H - BOTTOM)).as(name + ": the y axis is drawn (a series may run along it)")
                    .isGreaterThan((Svg.H - TOP - BOTTOM) * 9 / 10);
            assertThat(dark(image, 0, Svg.H - BOTTOM + 4, Svg.W, Svg.H)).as(name + ": tick labels and the x label are drawn").isGreaterThan(150);

            Map<String, Boolean> colours = marks(charts.get(i));
            assertThat(colours.values().stream().filter(v -> v).count()).as(name + ": a mark for each of the two policies at least")
                    .isGreaterThanOrEqualTo(2);
            for (var c : colours.entrySet()) {
                int rgb = Integer.parseInt(c.getKey().substring(1), 16);
                int inPlot = count(image, rgb, LEFT + 1, TOP - 2, Svg.W - RIGHT - LEGEND_WIDTH, Svg.H - BOTTOM + 2);
                if (c.getValue()) {
                    assertThat(inPlot).as(name + ": " + c.getKey() + " is drawn in the plot").isGreaterThan(20);
                }
                assertThat(count(image, rgb, 0, 0, LEFT - 3, Svg.H) + count(image, rgb, 0, Svg.H - BOTTOM + 3, Svg.W, Svg.H))
                        .as(name + ": " + c.getKey() + " stays inside the plot area").isZero();
            }
        }
    }

    @Test
    void theUtilisationLineOfEachPolicyRisesAboveHalfAndTheCdfsReachOne() throws Exception {
        BufferedImage util = render(charts.get(0));
        int halfway = (int) (Svg.H - BOTTOM - (Svg.H - TOP - BOTTOM) * 0.5);
        for (String colour : marks(charts.get(0)).keySet()) {
            int rgb = Integer.parseInt(colour.substring(1), 16);
            assertThat(count(util, rgb, LEFT + 1, TOP - 2, Svg.W - RIGHT - LEGEND_WIDTH, halfway))
                    .as("utilisation of " + colour + " above 0.5 at some time").isGreaterThan(10);
        }
        BufferedImage jct = render(charts.get(3));
        for (String colour : marks(charts.get(3)).keySet()) {
            int rgb = Integer.parseInt(colour.substring(1), 16);
            assertThat(count(jct, rgb, LEFT + 1, TOP - 2, Svg.W - RIGHT, TOP + 3)).as("the JCT CDF of " + colour + " reaches 1").isGreaterThan(3);
        }
    }

    /** The chart's series and bar colours, each with whether it should show (a line with points, a bar taller than zero). */
    private static Map<String, Boolean> marks(String svg) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Matcher m = MARK.matcher(svg);
        while (m.find()) {
            String attributes = m.group(2);
            boolean line = m.group(1).equals("polyline");
            String colour = attribute(attributes, line ? "stroke" : "fill");
            if (colour == null || !colour.matches("#[0-9a-f]{6}") || colour.equals("#ffffff")) {
                continue;
            }
            if (!line && "12".equals(attribute(attributes, "width"))) {
                continue; // a legend swatch
            }
            boolean visible = line ? attribute(attributes, "points").trim().split(" ").length > 1
                    : Double.parseDouble(attribute(attributes, "height")) > 2;
            out.merge(colour, visible, Boolean::logicalOr);
        }
        return out;
    }

    private static String attribute(String attributes, String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + name + "=\"([^\"]*)\"").matcher(attributes);
        return m.find() ? m.group(1) : null;
    }

    private static BufferedImage render(String svg) throws Exception {
        BufferedImage[] image = new BufferedImage[1];
        ImageTranscoder t = new ImageTranscoder() {
            @Override
            public BufferedImage createImage(int w, int h) {
                return new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
            }

            @Override
            public void writeImage(BufferedImage img, TranscoderOutput out) {
                image[0] = img;
            }
        };
        t.transcode(new TranscoderInput(new StringReader(svg)), null);
        assertThat(image[0]).isNotNull();
        return image[0];
    }

    /**
     * Pixels within 40 of {@code rgb} on each channel in [x0, x1) x [y0, y1), and as colourful (the
     * spread of their channels at least 60% of its): grey anti-aliased text is not a series.
     */
    private static int count(BufferedImage img, int rgb, int x0, int y0, int x1, int y1) {
        int n = 0;
        int chroma = spread(rgb) * 6 / 10;
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) < 40 && Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255)) < 40
                        && Math.abs((p & 255) - (rgb & 255)) < 40 && spread(p) >= chroma) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int spread(int p) {
        int r = (p >> 16) & 255;
        int g = (p >> 8) & 255;
        int b = p & 255;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
    }

    /** Rows of [y0, y1) with a pixel that is not white in [x0, x1). */
    private static int ink(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = img.getRGB(x, y);
                if (((p >> 16) & 255) < 200 || ((p >> 8) & 255) < 200 || (p & 255) < 200) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** Near-black pixels (text, axes) in [x0, x1) x [y0, y1). */
    private static int dark(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                int p = img.getRGB(x, y);
                if (((p >> 16) & 255) < 110 && ((p >> 8) & 255) < 110 && (p & 255) < 110) {
                    n++;
                }
            }
        }
        return n;
    }
}
