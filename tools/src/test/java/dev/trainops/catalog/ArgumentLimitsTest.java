package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The limits ArgumentBinder puts on what a client sends (docs/security.md, "Input limits"), each
 * found by the bad-input run (issue 14, "Bad input at scale") or guarding what it found.
 */
class ArgumentLimitsTest {
    record Item(String name) {
    }

    record Request(@Bounds(min = 0, max = 10) double ratio, @Nullable String label, @Nullable @Bounds(min = 1, max = 3) List<Item> items,
                   @Nullable Map<String, String> params) {
    }

    record Done(String label) {
    }

    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("write", "Write", "Changes something.", Request.class, Done.class,
            new ToolHints(false, false, false, false), r -> new Done(String.valueOf(r.label())), Done::label)));

    ToolError refused(Map<String, Object> args) {
        ToolOutcome outcome = catalog.invoke("write", args);
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) outcome).error();
    }

    @Test
    void argumentsNestedPastSixteenLevelsAreRefusedByNameAndTheCallDoesNotThrow() {
        Object deep = "x";
        for (int i = 0; i < 1000; i++) {
            deep = Map.of("n", deep);
        }
        ToolError error = refused(Map.of("ratio", 1, "params", deep));
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(error.message()).isEqualTo("Argument 'params' nests objects or arrays more than 16 levels deep.");
    }

    @Test
    void aStringWithNulOrALoneSurrogateIsRefused() {
        for (String bad : List.of("a\u0000b", "\uD800", "x\uDC00", "ok\uD83D")) {
            ToolError error = refused(Map.of("ratio", 1, "label", bad));
            assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(error.message()).isEqualTo("Argument 'label' holds a NUL character or half of a UTF-16 surrogate pair.");
        }
        assertThat(catalog.invoke("write", Map.of("ratio", 1, "label", "🚀 ok"))).isInstanceOf(ToolOutcome.Success.class);
    }

    @Test
    void nanIsOutsideEveryBound() {
        assertThat(refused(Map.of("ratio", Double.NaN)).message()).startsWith("Argument 'ratio' is NaN; it must be between 0 and 10.");
    }

    @Test
    void tenThousandItemsAreRefusedBeforeEachIsBound() {
        Map<String, Object> args = new HashMap<>(Map.of("ratio", 1));
        args.put("items", Collections.nCopies(10_000, Map.of("name", "x")));
        assertThat(refused(args).message()).isEqualTo("Argument 'items' has 10000 item(s); it must have between 1 and 3.");
    }

    @Test
    void anEchoedKeyStaysWritableAndOnOneLine() {
        String echoed = refused(Map.of("ratio", 1, "bad\u0000key\n\uD800", 1)).message();
        assertThat(echoed).isEqualTo("Unknown argument 'bad\uFFFDkey\uFFFD\uFFFD'.");
        assertThat(Json.shorten("🚀".repeat(40))).endsWith("...").doesNotContain("\uFFFD");
    }

    /** What the schema allows in a {@code Map<String, String>} (an object of strings up to 256 characters) binds; nothing else does. */
    @Test
    void aStringMapTakesStringValuesAndRefusesWhatItsSchemaForbids() {
        Map<String, Object> strings = new HashMap<>(Map.of("learning_rate", "0.001", "image", "ghcr.io/acme/train:1", "", "empty key"));
        assertThat(catalog.invoke("write", Map.of("ratio", 1, "params", strings))).isInstanceOf(ToolOutcome.Success.class);
        assertThat(catalog.invoke("write", Map.of("ratio", 1, "params", Map.of()))).isInstanceOf(ToolOutcome.Success.class);
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("learning_rate", null);
        for (Object value : List.of(0.001, 5, true, List.of("a"), Map.of("a", "b"), "x".repeat(257))) {
            ToolError error = refused(Map.of("ratio", 1, "params", Map.of("learning_rate", value)));
            assertThat(error.code()).as(String.valueOf(value)).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(error.message()).as(String.valueOf(value)).contains("params");
        }
        ToolError error = refused(Map.of("ratio", 1, "params", withNull));
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(error.message()).contains("params");
    }
}
