package dev.trainops.monitor;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageSegment;
import dev.trainops.prometheus.DcgmUtilization;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DCGM exporter series through Prometheus's query API (WireMock with the API's real shapes: string
 * sample values, the exporter's labels): per-node utilisation and memory for availability, the
 * gate and the per-job gauges; per-pod averages mapped to queue jobs for the utilisation report;
 * errors and a Prometheus that stopped answering.
 */
class DcgmThroughPrometheusTest {
    final WireMockServer prometheus = new WireMockServer(options().dynamicPort());
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    PrometheusClient client;

    @BeforeEach
    void start() {
        prometheus.start();
        client = new PrometheusClient(new PrometheusClient.Config(URI.create(prometheus.baseUrl() + "/"), null, Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        prometheus.stop();
    }

    static String vector(String... results) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + String.join(",", results) + "]}}";
    }

    static String sample(String labels, String value) {
        return "{\"metric\":{" + labels + "},\"value\":[1796040000.123,\"" + value + "\"]}";
    }

    static final String GPU0 = "\"__name__\":\"DCGM_FI_DEV_GPU_UTIL\",\"gpu\":\"0\",\"UUID\":\"GPU-a1\",\"device\":\"nvidia0\","
            + "\"modelName\":\"NVIDIA H100 80GB HBM3\",\"Hostname\":\"h100-a-1\",\"container\":\"train\",\"namespace\":\"team-a\","
            + "\"pod\":\"tj-0a1b2c3d4e5f-1-x7k2p\",\"job\":\"dcgm-exporter\"";
    static final String GPU1 = "\"__name__\":\"DCGM_FI_DEV_GPU_UTIL\",\"gpu\":\"1\",\"UUID\":\"GPU-a2\",\"device\":\"nvidia1\","
            + "\"modelName\":\"NVIDIA H100 80GB HBM3\",\"Hostname\":\"h100-a-1\",\"job\":\"dcgm-exporter\"";

    void serveNodeSeries() {
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("DCGM_FI_DEV_GPU_UTIL"))
                .willReturn(okJson(vector(sample(GPU0, "12"), sample(GPU1, "88")))));
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("DCGM_FI_DEV_FB_USED"))
                .willReturn(okJson(vector(sample(GPU0.replace("GPU_UTIL", "FB_USED"), "70000"), sample(GPU1.replace("GPU_UTIL", "FB_USED"),
                        "10000")))));
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("DCGM_FI_DEV_FB_FREE"))
                .willReturn(okJson(vector(sample(GPU0.replace("GPU_UTIL", "FB_FREE"), "11000"), sample(GPU1.replace("GPU_UTIL", "FB_FREE"),
                        "71000")))));
    }

    @Test
    void perNodeUtilisationAndMemoryComeFromTheExportersSeries() {
        serveNodeSeries();
        DcgmUtilization dcgm = new DcgmUtilization(client, clock);
        assertThat(dcgm.nodePercent("h100-a-1")).isEmpty(); // nothing read yet
        dcgm.refresh();
        assertThat(dcgm.up()).isTrue();
        assertThat(dcgm.nodePercent("h100-a-1").getAsDouble()).isEqualTo(50.0);
        assertThat(dcgm.nodeMemoryRatio("h100-a-1").getAsDouble()).isEqualTo(80000.0 / 162000.0);
        assertThat(dcgm.podPercent("team-a", "tj-0a1b2c3d4e5f-1-x7k2p").getAsDouble()).isEqualTo(12.0);
        assertThat(dcgm.nodePercent("elsewhere")).isEmpty();
    }

    @Test
    void whenPrometheusStopsAnsweringTheLastReadStaysAndIsMarkedStale() {
        serveNodeSeries();
        DcgmUtilization dcgm = new DcgmUtilization(client, clock);
        dcgm.refresh();
        prometheus.stop();
        // the failure is thrown for the refresh loop to count (docs/architecture.md, "Background loops")
        org.assertj.core.api.Assertions.assertThatThrownBy(dcgm::refresh)
                .isInstanceOf(dev.trainops.prometheus.PrometheusClient.PrometheusException.class);
        assertThat(dcgm.stale()).isTrue();
        assertThat(dcgm.up()).isFalse();
        assertThat(dcgm.nodePercent("h100-a-1").getAsDouble()).isEqualTo(50.0);
    }

    @Test
    void anErrorAnswerNamesTheQuery() {
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(400).withHeader("Content-Type",
                "application/json").withBody("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\": "
                        + "1:5: parse error: unexpected end of input\"}")));
        assertThatThrownBy(() -> client.query("sum(", null)).isInstanceOf(PrometheusClient.PrometheusException.class)
                .hasMessageContaining("answered 400 bad_data").hasMessageContaining("(query sum()");
    }

    @Test
    void aJobsGpuUseOverARunComesFromItsPodsSeries() {
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("avg(avg_over_time(DCGM_FI_DEV_GPU_UTIL{namespace=\"team-a\","
                                + "pod=~\"tj-0a1b2c3d4e5f-.*\"}[3600s]) or avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_namespace=\"team-a\","
                                + "exported_pod=~\"tj-0a1b2c3d4e5f-.*\"}[3600s]))"))
                .willReturn(okJson(vector(sample("", "12.5")))));
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("max(max_over_time(DCGM_FI_DEV_FB_USED"))
                .willReturn(okJson(vector(sample("", "2048")))));
        dev.trainops.recommend.JobContext job = new dev.trainops.recommend.JobContext("tj-0a1b2c3d4e5f", "run", "llm", "team-a", "NORMAL",
                "H100", 1, 5, 64, false, null, "SUCCEEDED", java.util.Map.of());
        var measured = new dev.trainops.prometheus.DcgmJobGpuUsage(client).of(job, Instant.parse("2026-11-30T10:00:00Z"),
                Instant.parse("2026-11-30T11:00:00Z")).orElseThrow();
        assertThat(measured.meanPercent()).isEqualTo(12.5);
        assertThat(measured.peakMemoryMib()).isEqualTo(2048.0);
        prometheus.stop();
        assertThat(new dev.trainops.prometheus.DcgmJobGpuUsage(client).of(job, Instant.parse("2026-11-30T10:00:00Z"),
                Instant.parse("2026-11-30T11:00:00Z"))).isEmpty();
    }

    @Test
    void theUtilisationReportTakesEachJobsPodsFromDcgmAndTheRestFromTheirRuns(@TempDir Path dir) throws Exception {
        // two queue jobs' pods, two hours each on one H100
        Ledger ledger = ledgerWithTwoHoursOnOneH100(dir, "team-a/tj-0a1b2c3d4e5f-1-x7k2p", "llm-a", "team-b/tj-ffffffffffff-1-abcde",
                "mnist-b");
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("avg_over_time(DCGM_FI_DEV_GPU_UTIL"))
                .willReturn(okJson(vector(sample("\"namespace\":\"team-a\",\"pod\":\"tj-0a1b2c3d4e5f-1-x7k2p\"", "25")))));
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing("DCGM_FI_DEV_FB_USED /"))
                .willReturn(okJson(vector(sample("\"namespace\":\"team-a\",\"pod\":\"tj-0a1b2c3d4e5f-1-x7k2p\"", "0.5")))));
        JobUtilizationSource fromRuns = (jobs, from, to) -> jobs.stream().filter(j -> j.runName().equals("mnist-b"))
                .collect(java.util.stream.Collectors.toMap(Ledger.JobUsage::jobId, j -> new JobUtilizationSource.Measured(80, null, "mlflow")));
        UtilizationReports reports = new UtilizationReports(ledger, List.of(new DcgmJobUtilization(client), fromRuns), clock);
        UtilizationReport r = reports.report(new UtilizationRequest("2026-11-30", "2026-12-01", null));
        assertThat(r.totals().allocatedGpuHours()).isEqualTo(4.0);
        assertThat(r.totals().usedGpuHours()).isEqualTo(0.5 + 1.6);
        assertThat(r.totals().idleGpuHours()).isEqualTo(1.5 + 0.4);
        assertThat(r.jobs()).extracting(UtilizationReport.JobUsage::source).containsExactly("dcgm", "mlflow");
        UtilizationReport.JobUsage a = r.jobs().get(0);
        assertThat(a.gpuUtilizationPercent()).isEqualTo(25.0);
        assertThat(a.memoryPercent()).isEqualTo(50.0);
        assertThat(a.idleGpuHours()).isEqualTo(1.5);
        assertThat(r.teams()).extracting(UtilizationReport.TeamUsage::team).containsExactly("team-a", "team-b");
        assertThat(UtilizationReports.text(r)).contains("4.00 GPU-hours allocated, 1.90 idle; efficiency 53%");
        assertThat(prometheus.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/api/v1/query"))))
                .allSatisfy(req -> assertThat(req.queryParameter("time").firstValue()).isEqualTo("1796040000.000"));
        assertThatThrownBy(() -> reports.report(new UtilizationRequest("2026-12-01", "2026-11-30", null))).isInstanceOf(ToolException.class)
                .hasMessage("end_date 2026-11-30 is not after start_date 2026-12-01.");
    }

    @Test
    void aJobWithoutDcgmOrRunMetricsIsReportedAsUnknownNeverAsZeroPercent(@TempDir Path dir) throws Exception {
        Ledger ledger = ledgerWithTwoHoursOnOneH100(dir, "team-a/tj-0a1b2c3d4e5f-1-x7k2p", "llm-a");
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).willReturn(okJson(vector())));
        JobUtilizationSource noRuns = (jobs, from, to) -> java.util.Map.of();
        UtilizationReport r = new UtilizationReports(ledger, List.of(new DcgmJobUtilization(client), noRuns), clock)
                .report(new UtilizationRequest("2026-11-30", "2026-12-01", null));

        assertThat(r.jobs()).singleElement().satisfies(j -> {
            assertThat(j.source()).isEqualTo("none");
            assertThat(j.gpuUtilizationPercent()).isNull();
            assertThat(j.efficiency()).isNull();
        });
        assertThat(r.totals().jobsWithoutUtilization()).isEqualTo(1);
        assertThat(r.totals().efficiency()).isNull();
        assertThat(UtilizationReports.text(r)).contains("utilisation unknown for 1 of 1 job(s)").doesNotContain("0%").doesNotContain("idle");
    }

    @Test
    @SuppressWarnings("unchecked")
    void rule1_aMembersUtilisationReportHoldsOnlyItsTeamsJobs(@TempDir Path dir) throws Exception {
        Ledger ledger = ledgerWithTwoHoursOnOneH100(dir, "team-a/tj-0a1b2c3d4e5f-1-x7k2p", "llm-a", "team-b/tj-0b1b2c3d4e5f-1-x7k2q", "mnist-b");
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).willReturn(okJson(vector())));
        JobUtilizationSource noRuns = (jobs, from, to) -> java.util.Map.of();
        UtilizationReports reports = new UtilizationReports(ledger, List.of(new DcgmJobUtilization(client), noRuns), clock);
        dev.trainops.catalog.ToolCatalog catalog = new dev.trainops.catalog.ToolCatalog(List.of(UtilizationReports.tool(() -> reports)));
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"), dev.trainops.access.Role.MEMBER);
        java.util.Map<String, Object> mine = ((dev.trainops.catalog.ToolOutcome.Success) catalog.invoke("get_resource_utilization_report",
                java.util.Map.of("start_date", "2026-11-30", "end_date", "2026-12-01"), dev.trainops.catalog.CallContext.of(alice))).structured();
        assertThat((List<java.util.Map<String, Object>>) mine.get("jobs")).extracting(j -> j.get("team")).containsExactly("team-a");
        assertThat((List<java.util.Map<String, Object>>) mine.get("teams")).extracting(t -> t.get("team")).containsExactly("team-a");
        assertThat(dev.trainops.catalog.Json.write(mine)).doesNotContain("team-b", "mnist-b");
        assertThat(reports.report(new UtilizationRequest("2026-11-30", "2026-12-01", null)).jobs()).hasSize(2);
        dev.trainops.catalog.ToolOutcome other = catalog.invoke("get_resource_utilization_report", java.util.Map.of("team", "team-b"),
                dev.trainops.catalog.CallContext.of(alice));
        assertThat(((dev.trainops.catalog.ToolOutcome.Failure) other).error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
    }

    /** A ledger with 08:00-10:00 on 2026-11-30 on one H100 for each pod ("namespace/pod", run name pairs; the run's model is its prefix). */
    Ledger ledgerWithTwoHoursOnOneH100(Path dir, String... podsAndRuns) throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        Ledger ledger = new Ledger(Store.sqlite(dir), prices, clock);
        for (int i = 0; i < podsAndRuns.length; i += 2) {
            String pod = podsAndRuns[i];
            String run = podsAndRuns[i + 1];
            ledger.record(new UsageSegment(pod, Instant.parse("2026-11-30T08:00:00Z"), Instant.parse("2026-11-30T10:00:00Z"), "H100",
                    BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), pod.substring(0, pod.indexOf('/')), run.substring(0, run.indexOf('-')),
                    run);
        }
        return ledger;
    }
}
