package dev.trainops.names;

import static dev.trainops.names.InvalidArgument.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SafeNameTest {
    @Test
    void aSafeNameHoldsLettersDigitsSpacesAndFivePunctuationMarks() {
        assertThat(SafeName.isValid("llm-lr3e-4")).isTrue();
        assertThat(SafeName.isValid("org/llama 3.1:8b_sft")).isTrue();
        assertThat(SafeName.isValid("x".repeat(128))).isTrue();
        assertThat(SafeName.isValid("x".repeat(129))).isFalse();
        assertThat(SafeName.isValid("")).isFalse();
        assertThat(SafeName.isValid(null)).isFalse();
    }

    @Test
    void nothingThatCouldEndAnMlflowFilterStringIsASafeName() {
        assertThat(SafeName.isValid("llm' OR attributes.run_name LIKE '%")).isFalse();
        assertThat(SafeName.isValid("llm\"")).isFalse();
        assertThat(SafeName.isValid("llm\\")).isFalse();
        assertThat(SafeName.isValid("llm\n")).isFalse();
        assertThat(SafeName.isValid("llm%")).isFalse();
    }

    @Test
    void anUnsafeNameIsAnInvalidArgumentNamingTheArgumentWithAGeneralFix() {
        assertRefused(() -> SafeName.parse("model", "llm'"), "model",
                "Argument 'model' must be 1-128 letters, digits, spaces or _ . : / - (got 'llm'').",
                "Use a name of 1-128 letters, digits, spaces or _ . : / -, e.g. model=llm-lr3e-4.");
    }

    @Test
    void aCallerMayGiveTheFixThatFitsWhereTheNameComesFrom() {
        assertRefused(() -> SafeName.parse("configs[1].model", " ", "Use the model as its runs log it in params.model, e.g. llm."),
                "configs[1].model", "Argument 'configs[1].model' must be 1-128 letters, digits, spaces or _ . : / - (got '').",
                "Use the model as its runs log it in params.model, e.g. llm.");
    }

    @Test
    void parsingTrimsTheArgument() {
        assertThat(SafeName.parse("model", "  llm ").value()).isEqualTo("llm");
    }

    @Test
    void aLongValueIsShortenedInTheMessage() {
        assertThatThrownBy(() -> SafeName.parse("job_name", "x".repeat(200)))
                .hasMessage("Argument 'job_name' must be 1-128 letters, digits, spaces or _ . : / - (got '" + "x".repeat(61) + "...').");
    }
}
