package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/monitoring (DESIGN.md, "Deployment": monitoring objects from one source): what
 * {@code kubectl kustomize deploy/monitoring} builds is valid for its CRDs (prometheus-operator
 * v0.93.1, vendored) or its fabric8 model, holds exactly the rules and dashboards of config/, routes
 * those alerts to trainops's webhook, and the kube-prometheus-stack values select it.
 */
class MonitoringObjectsTest {
    static final Path ROOT = Path.of("..");
    static final Path MONITORING = ROOT.resolve("deploy/monitoring");
    static final Path RULES = ROOT.resolve("config/prometheus/trainops-alerts.yml");
    static final Path DASHBOARDS = ROOT.resolve("config/grafana/dashboards");
    static final Path VALUES = MONITORING.resolve("kube-prometheus-stack-values.yaml");
    static final Path VENDORED = Path.of("test/resources/monitoring");
    static final String REGENERATE = "run deploy/monitoring/generate and commit what it writes";
    static final String NAMESPACE = "trainops-system";
    static final String TOKEN_SECRET = "trainops-monitoring-token";
    /** MonitoringServlet.MAX_BODY_BYTES: the largest webhook payload trainops takes. */
    static final int MAX_WEBHOOK_BYTES = 1 << 20;
    /** Folders per audience (README, "Monitoring in a cluster"). */
    static final Map<String, String> FOLDERS = Map.of(
            "training-overview.json", "trainops-training",
            "job-queue.json", "trainops-training",
            "resource-usage.json", "trainops-platform",
            "cost.json", "trainops-cost");

    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static List<JsonNode> built;

    @BeforeAll
    static void build() throws Exception {
        built = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Manifests.build(MONITORING)).readAll();
    }

    static List<JsonNode> ofKind(String kind) {
        return built.stream().filter(o -> o.path("kind").asString().equals(kind)).toList();
    }

    static JsonNode one(String kind) {
        List<JsonNode> all = ofKind(kind);
        assertThat(all).as("one %s in deploy/monitoring", kind).hasSize(1);
        return all.get(0);
    }

    static JsonNode rulesFile() {
        return YAML.readTree(RULES.toFile());
    }

    static List<String> alertNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode group : rulesFile().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                names.add(rule.path("alert").asString());
            }
        }
        return names;
    }

    @Test
    void kustomizeBuildsTheMonitoringObjectsInTheTrainopsNamespace() {
        assertThat(built).extracting(o -> o.path("kind").asString() + "/" + o.path("metadata").path("name").asString())
                .containsExactlyInAnyOrder("ServiceMonitor/trainops", "PrometheusRule/trainops-alerts", "AlertmanagerConfig/trainops",
                        "ConfigMap/trainops-dashboard-training-overview", "ConfigMap/trainops-dashboard-job-queue",
                        "ConfigMap/trainops-dashboard-resource-usage", "ConfigMap/trainops-dashboard-cost");
        for (JsonNode o : built) {
            assertThat(o.path("metadata").path("namespace").asString()).as(o.path("kind").asString()).isEqualTo(NAMESPACE);
            assertThat(o.path("metadata").path("labels").path("app.kubernetes.io/part-of").asString()).isEqualTo("trainops");
        }
    }

    @Test
    void eachPrometheusOperatorObjectIsAGenericResourceValidForItsCrdSchema() throws Exception {
        KubernetesSerialization fabric8 = new KubernetesSerialization();
        Map<String, String> crdFiles = Map.of("ServiceMonitor", "servicemonitors.yaml", "PrometheusRule", "prometheusrules.yaml",
                "AlertmanagerConfig", "alertmanagerconfigs.yaml");
        int checked = 0;
        for (JsonNode o : built) {
            String apiVersion = o.path("apiVersion").asString();
            if (!apiVersion.startsWith("monitoring.coreos.com/")) {
                continue;
            }
            String kind = o.path("kind").asString();
            assertThat(crdFiles).as("a vendored CRD for %s", kind).containsKey(kind);
            GenericKubernetesResource generic = fabric8.unmarshal(JSON.writeValueAsString(o), GenericKubernetesResource.class);
            assertThat(generic.getKind()).isEqualTo(kind);
            assertThat(unknownFields(generic.getMetadata(), "metadata")).as(kind + " metadata").isEmpty();
            CrdSchema schema = CrdSchema.load(VENDORED.resolve("crds").resolve(crdFiles.get(kind)), apiVersion.substring(apiVersion.indexOf('/') + 1));
            assertThat(schema.kind()).isEqualTo(kind);
            assertThat(schema.violations(o)).as("%s %s against its CRD", kind, o.path("metadata").path("name").asString()).isEmpty();
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void theDashboardConfigMapsParseAsFabric8ConfigMapsWithNoUnknownField() throws Exception {
        KubernetesSerialization fabric8 = new KubernetesSerialization();
        for (JsonNode o : ofKind("ConfigMap")) {
            ConfigMap cm = fabric8.unmarshal(JSON.writeValueAsString(o), ConfigMap.class);
            assertThat(unknownFields(cm, "")).as(cm.getMetadata().getName()).isEmpty();
            assertThat(cm.getData()).hasSize(1);
        }
    }

    @Test
    void thePrometheusRuleHoldsExactlyTheGroupsOfTheRulesFile() {
        JsonNode rule = one("PrometheusRule");
        assertThat(rule.path("spec").properties()).extracting(Map.Entry::getKey).containsExactly("groups");
        if (!rule.path("spec").path("groups").equals(rulesFile().path("groups"))) {
            fail("The PrometheusRule in deploy/monitoring/prometheusrule.yaml differs from config/prometheus/trainops-alerts.yml; " + REGENERATE);
        }
        assertThat(rulesFile().properties()).extracting(Map.Entry::getKey).as("the rules file holds groups only").containsExactly("groups");
    }

    @Test
    void eachDashboardConfigMapHoldsTheJsonOfItsSourceAndIsLabelledForTheGrafanaSidecarInItsAudiencesFolder() throws IOException {
        Set<String> sources;
        try (var files = Files.list(DASHBOARDS)) {
            sources = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(Collectors.toCollection(TreeSet::new));
        }
        Map<String, JsonNode> byFile = new LinkedHashMap<>();
        for (JsonNode cm : ofKind("ConfigMap")) {
            assertThat(cm.path("data").size()).isEqualTo(1);
            String file = cm.path("data").propertyNames().iterator().next();
            byFile.put(file, cm);
        }
        assertThat(byFile.keySet()).as("one ConfigMap per dashboard of config/grafana/dashboards: add a configMapGenerator entry "
                + "to deploy/monitoring/kustomization.yaml for a new one, then %s", REGENERATE).containsExactlyInAnyOrderElementsOf(sources);
        for (String file : sources) {
            JsonNode cm = byFile.get(file);
            JsonNode copy = JSON.readTree(cm.path("data").path(file).asString());
            JsonNode source = JSON.readTree(DASHBOARDS.resolve(file).toFile());
            if (!copy.equals(source)) {
                fail("The ConfigMap " + cm.path("metadata").path("name").asString() + " differs from config/grafana/dashboards/" + file + "; "
                        + REGENERATE);
            }
            assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asString()).isEqualTo("1");
            assertThat(cm.path("metadata").path("annotations").path("grafana_folder").asString()).as(file).isEqualTo(FOLDERS.get(file));
            assertThat(cm.path("metadata").path("name").asString()).isEqualTo("trainops-dashboard-" + file.replace(".json", ""));
        }
    }

    @Test
    void theServiceMonitorScrapesTheHttpPortOfTheTrainopsServiceWithTheMonitoringToken() {
        JsonNode spec = one("ServiceMonitor").path("spec");
        assertThat(spec.path("selector").path("matchLabels").path("app.kubernetes.io/name").asString()).isEqualTo("trainops");
        assertThat(spec.path("namespaceSelector").path("matchNames")).extracting(JsonNode::asString).containsExactly(NAMESPACE);
        JsonNode endpoint = spec.path("endpoints").get(0);
        assertThat(endpoint.path("port").asString()).isEqualTo("http");
        assertThat(endpoint.path("path").asString()).isEqualTo("/metrics");
        for (JsonNode group : rulesFile().path("groups")) {
            assertThat(endpoint.path("interval").asString()).as("scraped as often as the rules are evaluated")
                    .isEqualTo(group.path("interval").asString());
        }
        assertThat(endpoint.path("authorization").path("type").asString()).isEqualTo("Bearer");
        assertThat(endpoint.path("authorization").path("credentials").path("name").asString()).isEqualTo(TOKEN_SECRET);
        assertThat(endpoint.path("authorization").path("credentials").path("key").asString()).isEqualTo("token");
    }

    @Test
    void theAlertmanagerConfigRoutesExactlyTheAlertsOfTheRulesToTheWebhookWithTheMonitoringToken() {
        JsonNode spec = one("AlertmanagerConfig").path("spec");
        JsonNode matcher = spec.path("route").path("matchers").get(0);
        assertThat(spec.path("route").path("matchers")).hasSize(1);
        assertThat(matcher.path("name").asString()).isEqualTo("alertname");
        assertThat(matcher.path("matchType").asString()).isEqualTo("=~");
        if (!List.of(matcher.path("value").asString().split("\\|")).equals(alertNames())) {
            fail("The AlertmanagerConfig's alertname matcher does not list the alerts of config/prometheus/trainops-alerts.yml; " + REGENERATE);
        }
        String receiver = spec.path("route").path("receiver").asString();
        assertThat(spec.path("receivers")).hasSize(1);
        assertThat(spec.path("receivers").get(0).path("name").asString()).isEqualTo(receiver);
        JsonNode webhook = spec.path("receivers").get(0).path("webhookConfigs").get(0);
        assertThat(webhook.path("url").asString()).isEqualTo("http://trainops." + NAMESPACE + ".svc:8080/alerts/webhook");
        assertThat(webhook.path("sendResolved").asBoolean()).isTrue();
        JsonNode auth = webhook.path("httpConfig").path("authorization");
        assertThat(auth.path("type").asString()).isEqualTo("Bearer");
        assertThat(auth.path("credentials").path("name").asString()).isEqualTo(TOKEN_SECRET);
        assertThat(auth.path("credentials").path("key").asString()).isEqualTo("token");
        assertThat(spec.path("route").path("groupBy")).extracting(JsonNode::asString).containsExactly("alertname", "team", "job_id");
    }

    /**
     * maxAlerts keeps a notification under the 1 MiB trainops accepts: the largest alert these rules
     * can make, with 24 labels of the longest value Kubernetes allows and every template field of its
     * annotations that long too, times maxAlerts, still fits.
     */
    @Test
    void maxAlertsKeepsAWebhookPayloadUnderTheMegabyteTrainopsAccepts() {
        int maxAlerts = one("AlertmanagerConfig").path("spec").path("receivers").get(0).path("webhookConfigs").get(0).path("maxAlerts").asInt();
        assertThat(maxAlerts).isPositive();
        String longValue = "x".repeat(63);
        int largest = 0;
        for (JsonNode group : rulesFile().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                Map<String, Object> labels = new LinkedHashMap<>();
                for (int i = 0; i < 24; i++) {
                    labels.put("label_name_of_some_length_" + i, longValue);
                }
                Map<String, Object> annotations = new LinkedHashMap<>();
                rule.path("annotations").properties().forEach(a -> annotations.put(a.getKey(),
                        a.getValue().asString().replaceAll("\\{\\{[^}]*}}", longValue)));
                Map<String, Object> alert = new LinkedHashMap<>();
                alert.put("status", "firing");
                alert.put("labels", labels);
                alert.put("annotations", annotations);
                alert.put("startsAt", "2026-12-02T16:00:00.000000000Z");
                alert.put("endsAt", "0001-01-01T00:00:00Z");
                alert.put("generatorURL", "http://" + longValue + ":9090/graph?g0.expr="
                        + java.net.URLEncoder.encode(rule.path("expr").asString(), StandardCharsets.UTF_8) + "&g0.tab=1");
                alert.put("fingerprint", "0123456789abcdef");
                largest = Math.max(largest, JSON.writeValueAsString(alert).length());
            }
        }
        int envelope = 2048; // version, groupKey, receiver, status, groupLabels, commonLabels, commonAnnotations, externalURL
        assertThat((long) largest * maxAlerts + envelope).isLessThan(MAX_WEBHOOK_BYTES);
    }

    @Test
    void theChartValuesKeepFifteenDaysAndSelectTheseObjectsWhereverTheyLive() {
        JsonNode values = YAML.readTree(VALUES.toFile());
        JsonNode prometheus = values.path("prometheus").path("prometheusSpec");
        assertThat(prometheus.path("retention").asString()).isEqualTo("15d");
        assertThat(prometheus.path("evaluationInterval").asString()).isEqualTo(rulesFile().path("groups").get(0).path("interval").asString());
        // the chart's template: a non-empty selector is used as it is; an empty one means "release: <name>"
        // while *SelectorNilUsesHelmValues is true, else every object; an empty namespace selector is every namespace
        for (String kind : List.of("serviceMonitor", "rule")) {
            JsonNode selector = prometheus.path(kind + "Selector");
            boolean helmDefault = selector.isEmpty() && prometheus.path(kind + "SelectorNilUsesHelmValues").asBoolean(true);
            assertThat(helmDefault).as("%sSelectorNilUsesHelmValues would select only the release's own objects", kind).isFalse();
            JsonNode object = one(kind.equals("rule") ? "PrometheusRule" : "ServiceMonitor");
            assertThat(selects(selector, object.path("metadata").path("labels"))).as(kind + "Selector").isTrue();
            assertThat(prometheus.path(kind + "NamespaceSelector").isEmpty()).as(kind + "NamespaceSelector selects every namespace").isTrue();
        }
        JsonNode alertmanager = values.path("alertmanager").path("alertmanagerSpec");
        assertThat(selects(alertmanager.path("alertmanagerConfigSelector"), one("AlertmanagerConfig").path("metadata").path("labels"))).isTrue();
        assertThat(alertmanager.path("alertmanagerConfigNamespaceSelector").isObject()
                && alertmanager.path("alertmanagerConfigNamespaceSelector").isEmpty()).as("every namespace (null would be its own only)").isTrue();
        assertThat(alertmanager.path("alertmanagerConfigMatcherStrategy").path("type").asString())
                .as("no namespace matcher, so the DCGM and container alerts of other namespaces reach trainops").isEqualTo("None");

        JsonNode sidecar = values.path("grafana").path("sidecar").path("dashboards");
        JsonNode cm = ofKind("ConfigMap").get(0);
        assertThat(sidecar.path("enabled").asBoolean()).isTrue();
        assertThat(cm.path("metadata").path("labels").path(sidecar.path("label").asString()).asString()).isEqualTo(sidecar.path("labelValue").asString());
        assertThat(sidecar.path("searchNamespace").asString()).isEqualTo("ALL");
        assertThat(cm.path("metadata").path("annotations").has(sidecar.path("folderAnnotation").asString())).isTrue();
        assertThat(sidecar.path("provider").path("foldersFromFilesStructure").asBoolean()).isTrue();
        assertThat(sidecar.path("provider").path("allowUiUpdates").asBoolean(true)).as("provisioned dashboards are read-only in the UI").isFalse();
    }

    /** Grafana's access control as far as values enforce it (README, "Monitoring in a cluster"). */
    @Test
    void grafanaSignsInOnlyThroughTheIdentityProviderWithTheRoleOfTheUsersGroupAndNoRoleWithoutOne() {
        JsonNode ini = YAML.readTree(VALUES.toFile()).path("grafana").path("grafana.ini");
        assertThat(ini.path("auth.anonymous").path("enabled").asBoolean(true)).isFalse();
        assertThat(ini.path("auth").path("disable_login_form").asBoolean()).isTrue();
        assertThat(ini.path("users").path("allow_sign_up").asBoolean(true)).isFalse();
        JsonNode oauth = ini.path("auth.generic_oauth");
        assertThat(oauth.path("enabled").asBoolean()).isTrue();
        assertThat(oauth.path("role_attribute_strict").asBoolean()).as("no role, no sign-in").isTrue();
        assertThat(oauth.path("skip_org_role_sync").asBoolean(true)).as("the role follows the groups at every sign-in").isFalse();
        assertThat(oauth.path("allow_assign_grafana_admin").asBoolean(true)).isFalse();
        // contains(groups[*], 'G') && 'Role' || ... with no literal fallback: a user in none of the groups gets false, no role
        String path = oauth.path("role_attribute_path").asString();
        Matcher term = Pattern.compile("contains\\(groups\\[\\*\\], '([^']+)'\\) && '([A-Za-z]+)'").matcher(path);
        Map<String, String> roles = new LinkedHashMap<>();
        StringBuilder rest = new StringBuilder();
        while (term.find()) {
            roles.put(term.group(1), term.group(2));
            term.appendReplacement(rest, "T");
        }
        term.appendTail(rest);
        assertThat(rest.toString()).as("terms joined by || and nothing else").isEqualTo("T || T || T");
        assertThat(roles).containsExactly(Map.entry("trainops-admins", "Admin"), Map.entry("trainops-dashboard-editors", "Editor"),
                Map.entry("trainops-dashboard-viewers", "Viewer"));
        assertThat(oauth.path("groups_attribute_path").asString()).isEqualTo("groups");
        JsonNode env = YAML.readTree(VALUES.toFile()).path("grafana").path("envValueFrom");
        assertThat(env.path("GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET").path("secretKeyRef").path("name").asString()).as("the secret by reference")
                .isEqualTo("grafana-oidc");
        assertThat(oauth.has("client_secret")).isFalse();
    }

    /** Each key of the values exists in the chart 88.5.3 (its Grafana subchart 12.11.1 under grafana), vendored. */
    @Test
    void everyValueKeyExistsInTheChart() {
        JsonNode chart = YAML.readTree(VENDORED.resolve("charts/kube-prometheus-stack-88.5.3-values.yaml").toFile());
        JsonNode grafana = YAML.readTree(VENDORED.resolve("charts/grafana-12.11.1-values.yaml").toFile());
        List<String> unknown = new ArrayList<>();
        JsonNode values = YAML.readTree(VALUES.toFile());
        for (Map.Entry<String, JsonNode> top : values.properties()) {
            List<JsonNode> known = top.getKey().equals("grafana") ? List.of(chart.path("grafana"), grafana) : List.of(chart.path(top.getKey()));
            keys(top.getValue(), known, top.getKey(), unknown);
        }
        assertThat(unknown).as("keys kube-prometheus-stack 88.5.3 does not have").isEmpty();
    }

    /** Keys under a chart node that is an empty map, null or grafana.ini are free-form: the chart passes them on. */
    private static void keys(JsonNode ours, List<JsonNode> chart, String path, List<String> unknown) {
        if (!ours.isObject() || path.endsWith("grafana.ini")) {
            return;
        }
        boolean freeForm = chart.stream().allMatch(c -> c.isMissingNode() || c.isNull() || c.isObject() && c.isEmpty());
        if (freeForm && chart.stream().anyMatch(c -> !c.isMissingNode())) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : ours.properties()) {
            List<JsonNode> next = chart.stream().map(c -> c.path(e.getKey())).toList();
            if (next.stream().allMatch(JsonNode::isMissingNode)) {
                unknown.add(path + "." + e.getKey());
            } else {
                keys(e.getValue(), next.stream().filter(n -> !n.isMissingNode()).toList(), path + "." + e.getKey(), unknown);
            }
        }
    }

    /** A Kubernetes label selector (matchLabels and matchExpressions) against a set of labels. */
    static boolean selects(JsonNode selector, JsonNode labels) {
        for (Map.Entry<String, JsonNode> e : selector.path("matchLabels").properties()) {
            if (!labels.path(e.getKey()).asString("\u0000").equals(e.getValue().asString())) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asString();
            Set<String> vals = new LinkedHashSet<>();
            expr.path("values").forEach(v -> vals.add(v.asString()));
            boolean ok = switch (expr.path("operator").asString()) {
                case "In" -> labels.has(key) && vals.contains(labels.path(key).asString());
                case "NotIn" -> !labels.has(key) || !vals.contains(labels.path(key).asString());
                case "Exists" -> labels.has(key);
                case "DoesNotExist" -> !labels.has(key);
                default -> throw new IllegalArgumentException("unknown selector operator in " + expr);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theSelectorHelperFollowsKubernetesRules() {
        JsonNode labels = YAML.readTree("{a: '1', b: '2'}");
        assertThat(selects(YAML.readTree("{}"), labels)).isTrue();
        assertThat(selects(YAML.readTree("{matchLabels: {a: '1'}}"), labels)).isTrue();
        assertThat(selects(YAML.readTree("{matchLabels: {release: x}}"), labels)).isFalse();
        assertThat(selects(YAML.readTree("{matchExpressions: [{key: b, operator: In, values: ['2', '3']}]}"), labels)).isTrue();
        assertThat(selects(YAML.readTree("{matchExpressions: [{key: c, operator: Exists}]}"), labels)).isFalse();
    }

    /**
     * promtool checks the rules as the PrometheusRule carries them and runs config/prometheus's unit
     * tests on them (each alert fires within 2 minutes and stays quiet when healthy); CI installs it.
     */
    @Test
    void promtoolChecksAndUnitTestsTheRulesOfThePrometheusRule(@TempDir Path dir) throws Exception {
        String promtool = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (promtool == null && Files.isExecutable(Path.of(d, "promtool"))) {
                promtool = Path.of(d, "promtool").toString();
            }
        }
        if (promtool == null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("promtool is not on PATH; .ci/run installs Debian's prometheus package, which ships it");
            }
            assumeTrue(false, "promtool not installed (apt-get install prometheus); CI runs this check");
        }
        // the unit tests name their rules as ../trainops-alerts.yml
        Path rules = dir.resolve("trainops-alerts.yml");
        YAML.writeValue(rules.toFile(), one("PrometheusRule").path("spec"));
        Files.createDirectories(dir.resolve("tests"));
        Path unitTests = Files.copy(ROOT.resolve("config/prometheus/tests/trainops-alerts.test.yml"), dir.resolve("tests/trainops-alerts.test.yml"));
        String checked = run(promtool, "check", "rules", rules.toString());
        assertThat(checked).contains("SUCCESS: " + alertNames().size() + " rules found");
        assertThat(run(promtool, "test", "rules", unitTests.toString())).contains("SUCCESS");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /**
     * The checked-in copies are byte for byte what deploy/monitoring/generate writes, and a second run
     * changes nothing: the script runs on a scratch copy of its inputs, never on the checkout.
     */
    @Test
    void generateReproducesTheCheckedInCopiesAndASecondRunChangesNothing(@TempDir Path scratch) throws Exception {
        Path rules = Files.createDirectories(scratch.resolve("config/prometheus")).resolve("trainops-alerts.yml");
        Files.copy(RULES, rules);
        Path dashboards = Files.createDirectories(scratch.resolve("config/grafana/dashboards"));
        Path out = Files.createDirectories(scratch.resolve("deploy/monitoring"));
        Files.copy(MONITORING.resolve("generate"), out.resolve("generate"));
        List<String> copies = new ArrayList<>(List.of("prometheusrule.yaml", "alertmanagerconfig.yaml"));
        try (var files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                Files.copy(f, dashboards.resolve(f.getFileName()));
                copies.add("dashboards/" + f.getFileName());
            }
        }
        run("bash", out.resolve("generate").toString());
        Map<String, Object> written = new LinkedHashMap<>();
        for (String copy : copies) {
            if (Files.mismatch(out.resolve(copy), MONITORING.resolve(copy)) != -1) {
                fail("deploy/monitoring/" + copy + " is not what deploy/monitoring/generate writes; " + REGENERATE);
            }
            written.put(copy, fileKey(out.resolve(copy)));
        }
        run("bash", out.resolve("generate").toString());
        for (String copy : copies) {
            assertThat(fileKey(out.resolve(copy))).as(copy + " untouched by a second run (a rewrite is a new file)").isEqualTo(written.get(copy));
        }
        try (var files = Files.list(out.resolve("dashboards"))) {
            assertThat(files.count()).as("nothing but the copies").isEqualTo(copies.size() - 2);
        }
    }

    /** The file's identity (device and inode on Unix): the script replaces a file it rewrites. */
    private static Object fileKey(Path p) throws IOException {
        Object key = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assumeTrue(key != null, "this file system has no file keys");
        return key;
    }

    /** Each field a fabric8 model did not know (it keeps them in additionalProperties), with its path. */
    static List<String> unknownFields(Object model, String path) throws Exception {
        List<String> found = new ArrayList<>();
        if (model == null || !model.getClass().getName().startsWith("io.fabric8.")) {
            return found;
        }
        for (Method m : model.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = m.invoke(model);
            String field = path + "." + Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> found.add(path + "." + k));
                }
            } else if (value instanceof Collection<?> items) {
                for (Object item : items) {
                    found.addAll(unknownFields(item, field + "[]"));
                }
            } else if (value instanceof Map<?, ?> map) {
                for (Object item : map.values()) {
                    found.addAll(unknownFields(item, field + "{}"));
                }
            } else {
                found.addAll(unknownFields(value, field));
            }
        }
        return found;
    }

    @Test
    void theUnknownFieldHelperFindsAFieldTheModelDoesNotHave() throws Exception {
        ConfigMap cm = new KubernetesSerialization().unmarshal("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","lables":{"x":"y"}},"data":{"k":"v"},"extra":1}""",
                ConfigMap.class);
        assertThat(unknownFields(cm, "")).containsExactlyInAnyOrder(".extra", ".metadata.lables");
    }
}
