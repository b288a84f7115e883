package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Grafana dashboards in config/grafana, checked without a Grafana server: the JSON model
 * (required fields, unique panel ids, gridPos in the 24-column grid, the datasource variable),
 * every panel query parsed by promtool (as recording rules), and every metric they name exported
 * by trainops (read off a fresh scrape) or provided by the DCGM exporter. The alert rules are held
 * to the same metric names.
 */
class DashboardsTest {
    static final Path DASHBOARDS = Path.of("../config/grafana/dashboards");
    static final Set<String> DCGM = Set.of("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE");
    /** What every kube-prometheus-stack scrapes: the kubelet's cAdvisor and kube-state-metrics (container memory against its limit). */
    static final Set<String> KUBERNETES = Set.of("container_memory_working_set_bytes", "kube_pod_container_resource_limits");
    static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
            "and", "or", "unless", "le", "inf", "nan");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static List<Path> dashboards() throws Exception {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static List<String> queries() throws Exception {
        List<String> out = new ArrayList<>();
        for (Path p : dashboards()) {
            for (JsonNode panel : JSON.readTree(p.toFile()).path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(t.path("expr").asString());
                }
            }
        }
        return out;
    }

    @Test
    void theFourDashboardsThePlanNamesExist() throws Exception {
        List<String> titles = new ArrayList<>();
        for (Path p : dashboards()) {
            titles.add(JSON.readTree(p.toFile()).path("title").asString());
        }
        assertThat(titles).containsExactlyInAnyOrder("trainops / Training Overview", "trainops / Resource Usage", "trainops / Cost",
                "trainops / Job Queue");
    }

    @Test
    void eachDashboardHasAValidJsonModel() throws Exception {
        Set<String> uids = new HashSet<>();
        for (Path p : dashboards()) {
            JsonNode d = JSON.readTree(p.toFile());
            String name = p.getFileName().toString();
            assertThat(d.path("uid").asString()).as(name).isNotBlank().hasSizeLessThanOrEqualTo(40);
            assertThat(uids.add(d.path("uid").asString())).as(name + " uid unique").isTrue();
            assertThat(d.path("title").asString()).as(name).isNotBlank();
            assertThat(d.path("schemaVersion").isInt()).as(name).isTrue();
            JsonNode variable = null;
            for (JsonNode v : d.path("templating").path("list")) {
                if (v.path("name").asString().equals("datasource")) {
                    variable = v;
                }
            }
            assertThat(variable).as(name + " has a datasource variable").isNotNull();
            assertThat(variable.path("type").asString()).isEqualTo("datasource");
            assertThat(variable.path("query").asString()).isEqualTo("prometheus");
            Set<Integer> ids = new HashSet<>();
            assertThat(d.path("panels").size()).as(name).isPositive();
            for (JsonNode panel : d.path("panels")) {
                String title = name + " / " + panel.path("title").asString();
                assertThat(ids.add(panel.path("id").asInt())).as(title + " id unique").isTrue();
                assertThat(panel.path("type").asString()).as(title).isNotBlank();
                JsonNode g = panel.path("gridPos");
                for (String k : List.of("h", "w", "x", "y")) {
                    assertThat(g.path(k).isInt()).as(title + " gridPos." + k).isTrue();
                }
                assertThat(g.path("w").asInt()).as(title).isBetween(1, 24);
                assertThat(g.path("x").asInt() + g.path("w").asInt()).as(title + " fits the 24 columns").isLessThanOrEqualTo(24);
                assertThat(panel.path("datasource").path("uid").asString()).as(title).isEqualTo("${datasource}");
                assertThat(panel.path("targets").size()).as(title).isPositive();
                Set<String> refIds = new HashSet<>();
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("expr").asString()).as(title).isNotBlank();
                    assertThat(refIds.add(t.path("refId").asString())).as(title + " refId unique").isTrue();
                    assertThat(t.path("datasource").path("uid").asString()).as(title).isEqualTo("${datasource}");
                }
            }
        }
    }

    @Test
    void theProvisioningFilesPointGrafanaAtTheDashboardsAndAPrometheus() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode dashboards = yaml.readTree(Path.of("../config/grafana/provisioning/dashboards/trainops.yaml").toFile());
        assertThat(dashboards.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode provider = dashboards.path("providers").get(0);
        assertThat(provider.path("type").asString()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asString()).isNotBlank();
        JsonNode sources = yaml.readTree(Path.of("../config/grafana/provisioning/datasources/prometheus.yaml").toFile());
        assertThat(sources.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(sources.path("datasources").get(0).path("type").asString()).isEqualTo("prometheus");
    }

    @Test
    void promtoolParsesEveryPanelQuery(@TempDir Path dir) throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        int i = 0;
        for (String q : queries()) {
            rules.append("      - record: dashboard:query_").append(i++).append("\n        expr: ").append(JSON.writeValueAsString(q)).append('\n');
        }
        Path file = dir.resolve("queries.yml");
        Files.writeString(file, rules);
        Promtool.Result r = Promtool.run("check", "rules", file.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + i + " rules found");
    }

    @Test
    void everyQueryAndAlertNamesOnlyMetricsTrainopsExportsOrDcgmCadvisorAndKubeStateMetricsProvide() throws Exception {
        Set<String> exported = MetricsTest.sampleNames(MetricsTest.fresh().scrape());
        List<String> expressions = new ArrayList<>(queries());
        JsonNode rules = new YAMLMapper().readTree(AlertRulesTest.RULES.toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asString());
            }
        }
        for (String expr : expressions) {
            for (String metric : metricNames(expr)) {
                assertThat(exported.contains(metric) || DCGM.contains(metric) || KUBERNETES.contains(metric)).as(metric + " in " + expr).isTrue();
            }
        }
    }

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords, label names or strings. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Set<String> out = new HashSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(s);
        while (m.find()) {
            String token = m.group().replaceAll("\\s*\\($", "");
            if (m.group().endsWith("(") || PROMQL_WORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            out.add(token);
        }
        return out;
    }

    @Test
    void theMetricNameCheckCanFail() {
        assertThat(metricNames("sum by (team) (rate(trainops_cost_total{team=\"a\"}[5m])) / trainops_nonexistent"))
                .containsExactlyInAnyOrder("trainops_cost_total", "trainops_nonexistent");
    }
}
