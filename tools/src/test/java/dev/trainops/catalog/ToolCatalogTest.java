package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolCatalogTest {

    enum Priority { URGENT, NORMAL, BACKGROUND }

    record EchoRequest(@Bounds(min = 1, max = 1000) int epochs, @Nullable String gpuType, @Nullable Priority priority,
                       @Nullable List<String> tags) {
        EchoRequest {
            if ("forbidden".equals(gpuType)) {
                throw ToolException.invalidArgument("gpu_type", "gpu_type 'forbidden' is reserved.", "Pick another.");
            }
        }
    }

    record EchoResponse(int epochs, @Nullable String gpuType, @Nullable Priority priority) {
    }

    private final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("echo", "Echo", "Echoes its arguments.",
            EchoRequest.class, EchoResponse.class, ToolHints.READ_ONLY,
            r -> {
                if (r.epochs() == 999) {
                    throw new IllegalStateException("boom at dev.trainops.Secret");
                }
                if (r.epochs() == 998) {
                    // as the domain wraps a PostgreSQL connection that a restart cut in the middle of the call
                    throw new IllegalStateException("cannot read the job queue in dev.trainops.Secret",
                            new java.sql.SQLException("An I/O error occurred while sending to the backend.", "08006"));
                }
                return new EchoResponse(r.epochs(), r.gpuType(), r.priority());
            },
            r -> "echoed " + r.epochs())));

    @Test
    void validArgumentsGiveStructuredContentInSnakeCaseWithNullsPresent() {
        ToolOutcome outcome = catalog.invoke("echo", Map.of("epochs", 5, "priority", "urgent"));

        assertThat(outcome).isInstanceOf(ToolOutcome.Success.class);
        var success = (ToolOutcome.Success) outcome;
        assertThat(success.structured()).containsEntry("epochs", 5).containsEntry("priority", "URGENT").containsKey("gpu_type");
        assertThat(success.text()).isEqualTo("echoed 5");
    }

    @Test
    void unknownArgumentIsNamedWithTheAcceptedOnes() {
        ToolError error = failure(Map.of("epochs", 5, "gpu", "H100"));
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(error.message()).isEqualTo("Unknown argument 'gpu'.");
        assertThat(error.hint()).isEqualTo("Accepted arguments: epochs, gpu_type, priority, tags.");
    }

    @Test
    void wrongTypeNamesTheArgumentAndTheExpectedType() {
        ToolError error = failure(Map.of("epochs", "five"));
        assertThat(error.message()).startsWith("Argument 'epochs' must be an integer");
        assertThat(error.details()).containsEntry("argument", "epochs");
    }

    @Test
    void aNumericStringIsNotCoercedToAnInteger() {
        assertThat(failure(Map.of("epochs", "5")).message()).startsWith("Argument 'epochs' must be an integer");
        assertThat(failure(Map.of("epochs", 5.5)).message()).startsWith("Argument 'epochs' must be an integer");
    }

    @Test
    void aNumberIsNotCoercedToAString() {
        assertThat(failure(Map.of("epochs", 5, "gpu_type", 7)).message()).isEqualTo("Argument 'gpu_type' must be a string (got 7).");
        assertThat(failure(Map.of("epochs", 5, "gpu_type", true)).message()).startsWith("Argument 'gpu_type' must be a string");
    }

    @Test
    void unknownEnumValueListsTheAcceptedValues() {
        ToolError error = failure(Map.of("epochs", 5, "priority", "ASAP"));
        assertThat(error.message()).isEqualTo("Argument 'priority' must be one of URGENT, NORMAL, BACKGROUND (got ASAP).");
    }

    @Test
    void missingRequiredArgumentIsNamed() {
        ToolError error = failure(Map.of());
        assertThat(error.message()).isEqualTo("Missing required argument 'epochs' (an integer).");
    }

    @Test
    void outOfBoundsNumberSaysTheRange() {
        ToolError error = failure(Map.of("epochs", -3));
        assertThat(error.message()).isEqualTo("Argument 'epochs' is -3; it must be between 1 and 1000.");
    }

    @Test
    void hugeStringIsRefusedWithoutEchoingIt() {
        ToolError error = failure(Map.of("epochs", 5, "gpu_type", "x".repeat(100_000)));
        assertThat(error.message()).isEqualTo("Argument 'gpu_type' is 100000 characters long; the limit is 256.");
        ToolError inList = failure(Map.of("epochs", 5, "tags", List.of("ok", "y".repeat(1000))));
        assertThat(inList.message()).contains("'tags' is 1000 characters long");
    }

    @Test
    void constructorRuleBecomesTheError() {
        ToolError error = failure(Map.of("epochs", 5, "gpu_type", "forbidden"));
        assertThat(error.message()).isEqualTo("gpu_type 'forbidden' is reserved.");
    }

    @Test
    void nullForAnOptionalArgumentIsAccepted() {
        Map<String, Object> args = new HashMap<>();
        args.put("epochs", 2);
        args.put("gpu_type", null);
        assertThat(catalog.invoke("echo", args)).isInstanceOf(ToolOutcome.Success.class);
    }

    @Test
    void internalFailureHidesTheJavaDetailsBehindAReference() {
        ToolError error = failure(Map.of("epochs", 999));
        assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(error.message()).contains("reference").doesNotContain("IllegalStateException", "dev.trainops", "boom");
        assertThat(error.retryable()).isTrue();
    }

    @Test
    void aStoreThatDidNotAnswerIsUpstreamUnavailableNamingTheStoreHoweverTheFailureWasWrapped() {
        ToolError error = failure(Map.of("epochs", 998));
        assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
        assertThat(error.details()).containsEntry("backend", "store");
        assertThat(error.retryable()).isTrue();
        assertThat(error.message()).isEqualTo("The store did not answer: the connection to it was cut during the call (down, restarting or unreachable).")
                .doesNotContain("dev.trainops", "I/O");
        assertThat(error.hint()).contains("reconnects by itself", "TRAINOPS_DB_URL");
    }

    @Test
    void unknownToolListsTheToolsThereAre() {
        ToolOutcome outcome = catalog.invoke("nope", Map.of());
        assertThat(((ToolOutcome.Failure) outcome).error().hint()).isEqualTo("Call one of: echo.");
    }

    private ToolError failure(Map<String, Object> args) {
        ToolOutcome outcome = catalog.invoke("echo", args);
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) outcome).error();
    }

    @Test
    void aToolGetsTheCallersContextAndDeclaresWhatItAsksOfItsAdapter() {
        Tool<EchoRequest, EchoResponse> counting = new Tool<>("count", "Count", "Counts to epochs, reporting each step.",
                EchoRequest.class, EchoResponse.class, ToolHints.READ_ONLY, (r, call) -> {
                    for (int i = 1; i <= r.epochs(); i++) {
                        call.progress().report(i, r.epochs(), "step " + i);
                    }
                    return new EchoResponse(r.epochs(), null, null);
                }, r -> "counted", java.util.Set.of(Tool.Feature.REPORTS_PROGRESS));
        ToolCatalog withCounting = new ToolCatalog(List.of(counting));
        List<String> seen = new java.util.ArrayList<>();

        ToolOutcome outcome = withCounting.invoke("count", Map.of("epochs", 3), new CallContext((done, total, m) -> seen.add(done + "/" + total + " " + m)));

        assertThat(outcome).isInstanceOf(ToolOutcome.Success.class);
        assertThat(seen).containsExactly("1/3 step 1", "2/3 step 2", "3/3 step 3");
        // the plain invoke (the agent's) passes a context nobody watches
        assertThat(withCounting.invoke("count", Map.of("epochs", 2))).isInstanceOf(ToolOutcome.Success.class);
        assertThat(seen).hasSize(3);
        assertThat(counting.has(Tool.Feature.REPORTS_PROGRESS)).isTrue();
        assertThat(counting.has(Tool.Feature.ELICITS_CHEAPER_OPTION)).isFalse();
        assertThat(counting.with(Tool.Feature.ELICITS_CHEAPER_OPTION).features())
                .containsExactlyInAnyOrder(Tool.Feature.REPORTS_PROGRESS, Tool.Feature.ELICITS_CHEAPER_OPTION);
        assertThat(catalog.find("echo").orElseThrow().features()).isEmpty();
    }
}
