package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A JSON merge patch (RFC 7386) as the JSON patch that does the same (fabric8's mock appends arrays when it merges). */
class MergePatchTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> ops(String current, String patch) {
        return MergePatch.asJsonPatch(JSON.unmarshal(current, Map.class), JSON.unmarshal(patch, Map.class));
    }

    @Test
    void anArrayIsReplacedWholeNotAppendedTo() {
        assertThat(ops("{\"spec\":{\"jobs\":[1,2,3],\"parallel\":false}}", "{\"spec\":{\"jobs\":[1,2]}}"))
                .containsExactly(Map.of("op", "add", "path", "/spec/jobs", "value", List.of(1, 2)));
    }

    @Test
    void aNullRemovesAMemberThatIsThereAndNothingOtherwise() {
        assertThat(ops("{\"spec\":{\"maxCost\":\"5\"}}", "{\"spec\":{\"maxCost\":null,\"migProfile\":null}}"))
                .containsExactly(Map.of("op", "remove", "path", "/spec/maxCost"));
    }

    @Test
    void objectsMergeMemberByMemberAndANewObjectLosesItsNulls() {
        assertThat(ops("{\"metadata\":{\"labels\":{\"a\":\"1\"}}}", "{\"metadata\":{\"labels\":{\"b\":\"2\"},\"annotations\":{\"c\":\"3\",\"d\":null}}}"))
                .containsExactlyInAnyOrder(
                        Map.of("op", "add", "path", "/metadata/labels/b", "value", "2"),
                        Map.of("op", "add", "path", "/metadata/annotations", "value", Map.of("c", "3")));
    }

    @Test
    void keysWithSlashesAndTildesAreEscapedInThePath() {
        assertThat(ops("{\"metadata\":{\"annotations\":{}}}",
                "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\",\"a~b\":\"x\"}}}"))
                .containsExactlyInAnyOrder(
                        Map.of("op", "add", "path", "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration", "value", "{}"),
                        Map.of("op", "add", "path", "/metadata/annotations/a~0b", "value", "x"));
    }
}
