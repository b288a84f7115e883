package dev.trainops.names;

import static dev.trainops.names.InvalidArgument.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunIdTest {
    private static final String ID = "0123456789abcdef0123456789abcdef";

    @Test
    void anMlflowRunIdIsThirtyTwoLowercaseHexDigits() {
        assertThat(RunId.isValid(ID)).isTrue();
        assertThat(RunId.isValid(ID.toUpperCase())).isFalse();
        assertThat(RunId.isValid(ID.substring(1))).isFalse();
        assertThat(RunId.isValid("mnist-bs32")).isFalse();
        assertThat(RunId.isValid(null)).isFalse();
    }

    @Test
    void parsingTrimsTheArgument() {
        assertThat(RunId.parse("run_id", " " + ID + " ")).isEqualTo(new RunId(ID));
    }

    @Test
    void anInvalidRunIdIsAnInvalidArgumentNamingTheArgumentAndWhereToFindIt() {
        assertRefused(() -> RunId.parse("run_id", "mnist-bs32"), "run_id",
                "Argument 'run_id' is not an MLflow run id (got 'mnist-bs32').",
                "MLflow run ids are 32 hex digits, as the MLflow UI shows them under Run ID.");
    }

    @Test
    void theConstructorRefusesWhatParseWouldRefuse() {
        assertThatThrownBy(() -> new RunId("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an MLflow run id is 32 lowercase hex digits, not abc");
    }
}
