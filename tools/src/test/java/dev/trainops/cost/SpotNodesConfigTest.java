package dev.trainops.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.kube.SpotNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code config/pricing.yaml}'s top-level {@code spot} block: which nodes are spot, and what spot Jobs tolerate. */
class SpotNodesConfigTest {
    @TempDir
    Path dir;

    @Test
    void theShippedConfigNamesTheDefaultLabelsAndTolerations() throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        assertThat(prices.spotNodes()).isEqualTo(SpotNodes.DEFAULTS);
    }

    @Test
    void labelsAndTolerationsAreConfigurable() throws Exception {
        PriceBook prices = PricingConfig.load(pricing("""
                spot:
                  node_labels: ["node.example.com/lifecycle=spot"]
                  tolerations:
                    - { key: "node.example.com/lifecycle", operator: "Exists", effect: "NoSchedule" }
                """));
        assertThat(prices.spotNodes().isSpot(Map.of("node.example.com/lifecycle", "spot"))).isTrue();
        assertThat(prices.spotNodes().isSpot(Map.of("karpenter.sh/capacity-type", "spot"))).isFalse();
        assertThat(prices.spotNodes().tolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getValue()).isNull();
        });
    }

    @Test
    void withoutASpotBlockTheDefaultsApply() throws Exception {
        assertThat(PricingConfig.load(pricing("")).spotNodes()).isEqualTo(SpotNodes.DEFAULTS);
    }

    @Test
    void aLabelThatIsNotKeyEqualsValueIsRefusedNamingTheFileAndKey() throws Exception {
        Path file = pricing("""
                spot:
                  node_labels: ["karpenter.sh/capacity-type"]
                """);
        assertThatThrownBy(() -> PricingConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("spot.node_labels[0]").hasMessageContaining("key=value");
    }

    @Test
    void aTolerationWithAnUnknownOperatorIsRefusedNamingTheKey() throws Exception {
        Path file = pricing("""
                spot:
                  tolerations:
                    - { key: "a", operator: "In", value: "b" }
                """);
        assertThatThrownBy(() -> PricingConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spot.tolerations[0].operator").hasMessageContaining("Equal or Exists");
    }

    private Path pricing(String spotBlock) throws Exception {
        String base = Files.readString(Path.of("../config/pricing.yaml"));
        int cut = base.indexOf("# Spot capacity");
        int versions = base.indexOf("versions:");
        Path file = dir.resolve("pricing.yaml");
        Files.writeString(file, base.substring(0, cut) + spotBlock + base.substring(versions));
        return file;
    }
}
