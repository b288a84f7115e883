package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The structural check behind MonitoringObjectsTest: it passes a valid object and names each fault. */
class CrdSchemaTest {
    static final Path CRDS = Path.of("test/resources/monitoring/crds");
    static final YAMLMapper YAML = new YAMLMapper();

    static final String SCHEMA = """
            type: object
            required: [spec]
            properties:
              apiVersion: {type: string}
              kind: {type: string}
              metadata: {type: object}
              spec:
                type: object
                required: [port]
                properties:
                  port: {type: string, minLength: 1}
                  scheme: {type: string, enum: [http, https]}
                  interval: {type: string, pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$'}
                  limit: {type: integer, format: int32, minimum: 0}
                  target: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                  labels: {type: object, additionalProperties: {type: string}}
                  free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  names: {type: array, items: {type: string}, x-kubernetes-list-type: set}
            """;

    static JsonNode yaml(String text) {
        return YAML.readTree(text);
    }

    static CrdSchema schema() {
        return CrdSchema.of("Thing", "v1", yaml(SCHEMA));
    }

    @Test
    void aValidObjectHasNoViolation() {
        assertThat(schema().violations(yaml("""
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: a, labels: {x: y}}
                spec: {port: http, scheme: https, interval: 15s, limit: 3, target: 8080, labels: {a: b},
                       free: {anything: [1, {deep: true}]}, names: [a, b]}
                """))).isEmpty();
        assertThat(schema().violations(yaml("spec: {port: http, target: web}"))).as("int-or-string takes a string").isEmpty();
    }

    @Test
    void anUnknownFieldIsRejectedWithThePathAndTheFieldsTheSchemaDeclares() {
        assertThat(schema().violations(yaml("spec: {port: http, prot: web}")))
                .containsExactly("spec.prot: unknown field (the schema declares port, scheme, interval, limit, target, labels, free, names)");
        assertThat(schema().violations(yaml("spec: {port: http}\nstatus: {}"))).singleElement().asString()
                .startsWith("status: unknown field");
    }

    /** Kueue's ResourceFlavor caps spec.nodeLabels at 8 entries (maxProperties). */
    @Test
    void anObjectWithTooFewOrTooManyFieldsIsRejected() {
        CrdSchema bounded = CrdSchema.of("Thing", "v1", yaml("""
                type: object
                properties: {labels: {type: object, minProperties: 1, maxProperties: 2, additionalProperties: {type: string}}}
                """));
        assertThat(bounded.violations(yaml("labels: {a: x, b: y}"))).isEmpty();
        assertThat(bounded.violations(yaml("labels: {}"))).containsExactly("labels: needs at least 1 fields, has 0");
        assertThat(bounded.violations(yaml("labels: {a: x, b: y, c: z}"))).containsExactly("labels: allows at most 2 fields, has 3");
    }

    @Test
    void aWrongTypeIsRejected() {
        assertThat(schema().violations(yaml("spec: {port: 8080}"))).containsExactly("spec.port: must be a string, was number 8080");
        assertThat(schema().violations(yaml("spec: {port: http, limit: '3'}"))).containsExactly("spec.limit: must be an integer, was string \"3\"");
        assertThat(schema().violations(yaml("spec: {port: http, labels: {a: 1}}"))).containsExactly("spec.labels.a: must be a string, was number 1");
        assertThat(schema().violations(yaml("spec: {port: http, target: [1]}"))).singleElement().asString()
                .startsWith("spec.target: must be an integer or a string");
        assertThat(schema().violations(yaml("spec: [port]"))).containsExactly("spec: must be an object, was array [\"port\"]");
    }

    @Test
    void aMissingRequiredFieldIsRejected() {
        assertThat(schema().violations(yaml("spec: {scheme: http}"))).containsExactly("spec.port: required field is missing");
        assertThat(schema().violations(yaml("kind: Thing"))).containsExactly("spec: required field is missing");
    }

    @Test
    void enumsPatternsBoundsAndSetsAreChecked() {
        assertThat(schema().violations(yaml("spec: {port: http, scheme: ftp}"))).containsExactly("spec.scheme: \"ftp\" is not one of [\"http\",\"https\"]");
        assertThat(schema().violations(yaml("spec: {port: http, interval: 15 seconds}"))).singleElement().asString()
                .startsWith("spec.interval: '15 seconds' does not match");
        assertThat(schema().violations(yaml("spec: {port: http, limit: -1}"))).containsExactly("spec.limit: -1 is below the minimum 0");
        assertThat(schema().violations(yaml("spec: {port: http, limit: 3000000000}"))).containsExactly("spec.limit: 3000000000 is out of int32 range");
        assertThat(schema().violations(yaml("spec: {port: ''}"))).containsExactly("spec.port: needs at least 1 characters");
        assertThat(schema().violations(yaml("spec: {port: http, names: [a, a]}"))).containsExactly("spec.names[1]: repeats \"a\" in a list of type set");
    }

    @Test
    void aSchemaKeywordItDoesNotKnowFailsTheCheckInsteadOfBeingIgnored() {
        CrdSchema unknown = CrdSchema.of("Thing", "v1", yaml("type: object\nproperties: {a: {type: string, multipleOf: 2}}"));
        assertThatThrownBy(() -> unknown.violations(yaml("a: x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema keyword 'multipleOf' at a of Thing v1 is not supported");
    }

    @Test
    void aCelRuleIsReportedNotPassedSilently() {
        CrdSchema cel = CrdSchema.of("Thing", "v1", yaml("""
                type: object
                properties:
                  a: {type: object, properties: {b: {type: string}}, x-kubernetes-validations: [{rule: 'has(self.b)', message: m}]}
                """));
        assertThat(cel.violations(yaml("{}"))).isEmpty();
        assertThat(cel.violations(yaml("a: {b: x}"))).containsExactly("a: carries the CEL rule 'has(self.b)', which this check cannot evaluate");
    }

    @Test
    void theVendoredCrdsLoadAndTheirYamlEnumsStayStrings() throws Exception {
        // `- =` is a YAML 1.1 "value" tag to some parsers; Jackson's YAML reads it as the string "=".
        CrdSchema amcfg = CrdSchema.load(CRDS.resolve("alertmanagerconfigs.yaml"), "v1alpha1");
        assertThat(amcfg.kind()).isEqualTo("AlertmanagerConfig");
        assertThat(amcfg.violations(yaml("""
                spec:
                  route: {receiver: r, matchers: [{name: alertname, matchType: '=', value: A}]}
                  receivers: [{name: r}]
                """))).isEmpty();
        assertThat(amcfg.violations(yaml("spec: {route: {receiver: r, matchers: [{name: alertname, matchType: '==', value: A}]}}")))
                .singleElement().asString().startsWith("spec.route.matchers[0].matchType: \"==\" is not one of");
        assertThat(CrdSchema.load(CRDS.resolve("servicemonitors.yaml"), "v1").kind()).isEqualTo("ServiceMonitor");
        assertThat(CrdSchema.load(CRDS.resolve("prometheusrules.yaml"), "v1").kind()).isEqualTo("PrometheusRule");
        assertThatThrownBy(() -> CrdSchema.load(CRDS.resolve("prometheusrules.yaml"), "v2")).hasMessageContaining("has no version v2");
    }
}
