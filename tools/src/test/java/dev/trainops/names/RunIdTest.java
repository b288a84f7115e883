package dev.trainops.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
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
        assertThatThrownBy(() -> RunId.parse("run_id", "mnist-bs32")).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo("Argument 'run_id' is not an MLflow run id (got 'mnist-bs32').");
            assertThat(e.hint()).isEqualTo("MLflow run ids are 32 hex digits, as the MLflow UI shows them under Run ID.");
            assertThat(e.details()).containsEntry("argument", "run_id");
        });
    }

    @Test
    void theConstructorRefusesWhatParseWouldRefuse() {
        assertThatThrownBy(() -> new RunId("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an MLflow run id is 32 lowercase hex digits, not abc");
    }
}
