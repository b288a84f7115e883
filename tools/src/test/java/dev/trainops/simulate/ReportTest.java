package dev.trainops.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.PricingConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** report.html on the sample trace: well-formed, one inline SVG per chart, nothing fetched from the network. */
class ReportTest {

    @Test
    void theReportIsWellFormedWithOneSvgPerChartAndNothingFromTheNetwork() throws Exception {
        Trace trace = Trace.read(SimulatorTest.SAMPLE);
        Simulator sim = new Simulator(trace, Simulator.Setup.defaults(trace.gpusForLoad(1.2, 8), 8, 17),
                PricingConfig.load(Path.of("../config/pricing.yaml")));
        List<Run> runs = List.of(sim.run(Simulator.Policy.FIFO), sim.run(Simulator.Policy.TRAINOPS));
        Map<String, Object> summary = Summary.of(trace, sim.setup(), runs);
        String html = Report.html(summary, sim.setup(), runs);

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList svgs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
        assertThat(svgs.getLength()).isEqualTo(Report.CHARTS.size()).isEqualTo(5);
        for (int i = 0; i < svgs.getLength(); i++) {
            org.w3c.dom.Element svg = (org.w3c.dom.Element) svgs.item(i);
            assertThat(svg.getAttribute("aria-label")).isEqualTo(Report.CHARTS.get(i));
            int marks = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength()
                    + svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").getLength();
            assertThat(marks).as(Report.CHARTS.get(i)).isGreaterThan(2);
        }
        assertThat(html).doesNotContain("<script").doesNotContain("@import").doesNotContain("url(").doesNotContain("src=")
                .doesNotContain("<link");
        assertThat(html.replace("http://www.w3.org/2000/svg", "").replace("http://www.w3.org/1999/xhtml", "")).doesNotContain("http");
        assertThat(html).contains("synthetic").contains("fifo").contains("trainops").doesNotContain("NaN").doesNotContain("Infinity");
    }
}
